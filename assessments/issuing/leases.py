"""Leases on running tasks, so a task whose worker was killed runs again, once.

django-tasks-db marks a task RUNNING when a worker claims it and finished when the worker
is done; a worker killed in between (SIGKILL, out of memory, a machine switched off) leaves
it RUNNING for ever. So `manage.py worker`:

1. takes a lease (TaskLease: its worker id, an expiry ZHOUCUN_TASK_LEASE_SECONDS ahead) in
   the very transaction that claims the task (`take_on_claim`, a post_save receiver), so no
   running task is ever without one;
2. renews its leases at every heartbeat while the task runs (`renew`), from the heartbeat
   thread, however long the render takes;
3. removes the lease when the task finishes (`release`);
4. runs the watchdog at every heartbeat (`requeue_expired`; also `manage.py
   requeue_expired`): a RUNNING task whose lease expired goes back to READY, or, once it has
   been claimed ZHOUCUN_TASK_MAX_CLAIMS times, to FAILED. At its first beat it also takes
   back running tasks that have no lease at all (claimed before leases existed).

The watchdog locks the expired tasks' rows (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's
exclusive transaction locks the whole file) and changes only rows still RUNNING, in the
transaction that deletes their leases: two watchdogs racing re-queue a task once. Issuing
itself is idempotent (`issue_report` returns a report already issued), so a task re-run
after its worker died mid-render issues exactly one report.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from ..models import IssueFailure, TaskLease
from .tasks import issue_report_task

logger = logging.getLogger(__name__)


class LeaseExpired(Exception):
    """What a task given up by the watchdog is marked failed with."""


def lease_length() -> timedelta:
    return timedelta(seconds=settings.ZHOUCUN_TASK_LEASE_SECONDS)


def take(task_id, worker_id: str) -> None:
    """Lease the task to the worker (a task claimed again replaces its old lease)."""
    TaskLease.objects.update_or_create(
        task_id=task_id,
        defaults={"worker_id": worker_id, "expires_at": timezone.now() + lease_length()},
    )


def take_on_claim(worker_id: str):
    """A post_save receiver for DBTaskResult that leases each task this worker claims.

    `DBTaskResult.claim` saves status, started_at and worker_ids inside the worker's claiming
    transaction, so the lease commits with the claim or not at all."""

    def receiver(sender, instance: DBTaskResult, update_fields=None, **kwargs) -> None:
        claimed = update_fields is not None and "worker_ids" in update_fields
        mine = instance.worker_ids[-1:] == [worker_id]
        if claimed and mine and instance.status == TaskResultStatus.RUNNING:
            take(instance.pk, worker_id)

    return receiver


def renew(worker_id: str) -> int:
    """Push this worker's leases on running tasks forward; how many it holds.

    A lease the watchdog took away (this worker was thought dead) is not renewed: the task
    is someone else's now."""
    return TaskLease.objects.filter(
        worker_id=worker_id, task__status=TaskResultStatus.RUNNING
    ).update(expires_at=timezone.now() + lease_length())


def release(task_id, worker_id: str) -> None:
    """Drop this worker's lease on a finished task. Another worker's lease on it stays: this
    one was thought dead, the task was queued again and someone else is running it."""
    TaskLease.objects.filter(task_id=task_id, worker_id=worker_id).delete()


def expired(now=None, *, unleased: bool = True):
    """Running tasks whose lease expired; with `unleased`, also those without a lease that
    started longer than a lease ago (claimed by a worker without leases: django-tasks-db's
    own `db_worker`, or a worker from before leases)."""
    now = now or timezone.now()
    stale = Q(lease__expires_at__lt=now)
    if unleased:
        stale |= Q(lease__isnull=True, started_at__lt=now - lease_length())
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).filter(stale)


def requeue_expired(now=None, *, unleased: bool = True) -> tuple[int, int]:
    """The watchdog: put tasks whose lease expired back in the queue, exactly once.

    Returns (re-queued, given up). A task claimed ZHOUCUN_TASK_MAX_CLAIMS times already
    killed that many workers (a report too big for the memory, say): it is marked failed,
    and for issuing the failure is recorded, so its page offers the retry button.

    Looking for tasks without a lease reads every running task's row (the task table has
    no index on its status); the workers do it once when they start, and at every beat
    only look at the small lease table (`unleased=False`)."""
    now = now or timezone.now()
    if unleased:
        found = expired(now).exists()
    else:
        found = TaskLease.objects.filter(
            expires_at__lt=now, task__status=TaskResultStatus.RUNNING
        ).exists()
    if not found:
        return 0, 0  # the usual case, read without taking a lock (on SQLite, the file's)
    max_claims = settings.ZHOUCUN_TASK_MAX_CLAIMS
    with exclusive_transaction(DBTaskResult.objects.db):
        rows = list(
            expired(now, unleased=unleased)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by()
            .values_list("id", "worker_ids", "task_path", "args_kwargs")
        )
        if not rows:
            return 0, 0
        again = [pk for pk, workers, _, _ in rows if len(workers) < max_claims]
        given_up = [row for row in rows if len(row[1]) >= max_claims]
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        requeued = running.filter(id__in=again).update(
            status=TaskResultStatus.READY, started_at=None
        )
        failed = running.filter(id__in=[row[0] for row in given_up]).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{LeaseExpired.__module__}.{LeaseExpired.__qualname__}",
            traceback=f"The worker running this task stopped {max_claims} times.",
        )
        TaskLease.objects.filter(task_id__in=[row[0] for row in rows]).delete()
        for _, workers, path, args_kwargs in given_up:
            if path == issue_report_task.module_path and args_kwargs.get("args"):
                IssueFailure.objects.create(
                    assessment_id=args_kwargs["args"][0],
                    error=f"The worker issuing this report stopped {len(workers)} times "
                    f"({', '.join(workers)}); not tried again.",
                )
    for pk, workers, _, _ in rows:
        logger.warning(
            "Task %s: the lease of worker %s expired; %s",
            pk,
            workers[-1] if workers else "?",
            "given up" if len(workers) >= max_claims else "queued again",
        )
    return requeued, failed
