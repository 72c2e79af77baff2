"""Leases on running tasks: a worker killed mid-task leaves its task to the watchdog, which
queues it again once, and issuing it again issues one report.

The first tests drive `issuing.leases` in this process (SQLite or PostgreSQL). The racing
watchdogs need connections of their own (PostgreSQL), and the last test kills a real
`manage.py worker` with SIGKILL in the middle of a render."""

import signal
import subprocess
import sys
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import post_save
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.issuing import leases
from assessments.issuing.progress import issue_progress
from assessments.issuing.tasks import approve_and_issue, issue_report_task
from assessments.models import (
    AuditAction,
    AuditEvent,
    IssueFailure,
    ReportNumber,
    ReviewEvent,
    SignedReport,
    Status,
    TaskLease,
    WorkerHeartbeat,
)
from assessments.services import workflow
from tests.issuing.test_worker import (
    DB_QUEUE,
    WORKER_OPTIONS,
    needs_postgresql,
    wait_for,
    worker_env,
)


@pytest.fixture
def db_queue():
    with override_settings(TASKS=DB_QUEUE):
        yield


@pytest.fixture
def submitted(complete_draft, assessor):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    complete_draft.refresh_from_db()
    return complete_draft


def claimed_task(assessment_id: int, worker_id: str = "w1", *, claims: int = 1) -> DBTaskResult:
    """An issue task as a worker leaves it when it claims it (its lease included)."""
    row = DBTaskResult.objects.get(id=issue_report_task.enqueue(assessment_id).id)
    receiver = leases.take_on_claim(worker_id)
    post_save.connect(receiver, sender=DBTaskResult, weak=False)
    try:
        row.worker_ids = [f"earlier-{n}" for n in range(claims - 1)]
        row.claim(worker_id)
    finally:
        post_save.disconnect(receiver, sender=DBTaskResult)
    return row


def expire(*rows):
    TaskLease.objects.filter(task__in=rows).update(expires_at=timezone.now() - timedelta(seconds=1))


def status_of(row) -> str:
    return DBTaskResult.objects.values_list("status", flat=True).get(id=row.id)


@pytest.mark.django_db
def test_a_claim_takes_a_lease_that_renewing_keeps_from_the_watchdog(db_queue, draft, settings):
    settings.ZHOUCUN_TASK_LEASE_SECONDS = 30
    row = claimed_task(draft.pk, "w1")

    lease = TaskLease.objects.get(task=row)
    assert lease.worker_id == "w1"
    assert 25 < (lease.expires_at - timezone.now()).total_seconds() <= 30
    assert leases.requeue_expired() == (0, 0)

    # Due soon, then renewed by its worker: the watchdog leaves it running.
    TaskLease.objects.update(expires_at=timezone.now() + timedelta(seconds=1))
    assert leases.renew("w1") == 1
    assert leases.renew("someone-else") == 0
    assert leases.requeue_expired(now=timezone.now() + timedelta(seconds=5)) == (0, 0)
    assert status_of(row) == TaskResultStatus.RUNNING

    # A worker thought dead that finishes late leaves the lease of the one running it now.
    leases.release(row.id, "someone-else")
    assert TaskLease.objects.get(task=row).worker_id == "w1"
    # Finished: the lease goes, and a finished task is never queued again.
    leases.release(row.id, "w1")
    assert not TaskLease.objects.exists()


@pytest.mark.django_db
def test_an_expired_lease_puts_the_task_back_in_the_queue_once(db_queue, draft):
    row = claimed_task(draft.pk, "dead")
    expire(row)

    assert leases.requeue_expired() == (1, 0)
    assert leases.requeue_expired() == (0, 0)

    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    assert row.started_at is None
    assert row.worker_ids == ["dead"]
    assert not TaskLease.objects.exists()
    # The dead worker's heartbeat thread, were it alive after all, renews nothing.
    assert leases.renew("dead") == 0
    # The queue has it again: any worker takes it.
    assert DBTaskResult.objects.ready().get() == row


@pytest.mark.django_db
def test_a_running_task_without_a_lease_is_requeued_only_after_a_lease_length(
    db_queue, draft, settings
):
    settings.ZHOUCUN_TASK_LEASE_SECONDS = 60
    row = DBTaskResult.objects.get(id=issue_report_task.enqueue(draft.pk).id)
    row.claim("a-worker-without-leases")  # db_worker, or a worker from before leases

    assert leases.requeue_expired() == (0, 0)
    assert leases.requeue_expired(now=timezone.now() + timedelta(seconds=61)) == (1, 0)
    assert status_of(row) == TaskResultStatus.READY


@pytest.mark.django_db
def test_a_task_that_killed_its_worker_too_often_is_given_up_and_shown_failed(
    db_queue, submitted, reviewer, django_capture_on_commit_callbacks, settings
):
    settings.ZHOUCUN_TASK_MAX_CLAIMS = 3
    with django_capture_on_commit_callbacks(execute=False):
        approve_and_issue(assessment=submitted, actor=reviewer)
    row = claimed_task(submitted.pk, "third", claims=3)
    expire(row)

    assert leases.requeue_expired() == (0, 1)

    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "assessments.issuing.leases.LeaseExpired"
    failure = IssueFailure.objects.get(assessment=submitted)
    assert "stopped 3 times" in failure.error
    submitted.refresh_from_db()
    assert issue_progress(submitted).state == "failed"  # the page offers the retry button


@pytest.mark.django_db
def test_the_command_runs_the_watchdog(db_queue, draft):
    row = claimed_task(draft.pk, "dead")
    expire(row)
    out = mock.MagicMock()

    call_command("requeue_expired", stdout=out)

    out.write.assert_called_once_with("Queued again: 1; given up: 0\n")
    assert status_of(row) == TaskResultStatus.READY


def in_threads(count: int, target) -> list:
    """Run target in `count` threads at once, each on its own connection; their results."""
    results = [None] * count
    start = threading.Barrier(count)

    def run(n):
        start.wait()
        try:
            results[n] = target(n)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_watchdogs_racing_requeue_each_task_once(db_queue, draft, settings):
    """The first watchdog is held inside its transaction, rows locked; the second finds
    nothing it may take and changes nothing."""
    settings.ZHOUCUN_TASK_MAX_CLAIMS = 2
    to_requeue = claimed_task(draft.pk, "dead")
    to_give_up = claimed_task(draft.pk, "dead-again", claims=2)
    expire(to_requeue, to_give_up)
    first_locked, second_done = threading.Event(), threading.Event()
    create_failure = IssueFailure.objects.create

    def held(**kwargs):
        first_locked.set()
        assert second_done.wait(timeout=30)
        return create_failure(**kwargs)

    def watchdog(n):
        if n == 0:
            return leases.requeue_expired()
        assert first_locked.wait(timeout=30)
        try:
            return leases.requeue_expired()
        finally:
            second_done.set()

    with mock.patch.object(IssueFailure.objects, "create", side_effect=held):
        results = in_threads(2, watchdog)

    assert results == [(1, 1), (0, 0)]
    assert status_of(to_requeue) == TaskResultStatus.READY
    assert status_of(to_give_up) == TaskResultStatus.FAILED
    assert IssueFailure.objects.count() == 1
    assert not TaskLease.objects.exists()


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_many_watchdogs_at_once_requeue_every_expired_task_exactly_once(db_queue, draft):
    rows = [claimed_task(draft.pk, f"dead-{n}") for n in range(30)]
    expire(*rows)

    results = in_threads(4, lambda n: leases.requeue_expired())

    assert sum(requeued for requeued, _ in results) == 30
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 30


# A worker whose render stops for as long as it takes to kill it (the test's SIGKILL).
SLOW_WORKER = """
import os, time
from pathlib import Path
from django.core.management import call_command
from assessments.issuing import tasks

def stuck_render(*args, **kwargs):
    Path(os.environ["RENDER_MARKER"]).write_text("rendering")
    time.sleep(600)

tasks.render_issued_pdf = stuck_render
call_command("worker", *os.environ["WORKER_ARGS"].split())
"""


def worker_process(env: dict, *command) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_issue_leaves_the_report_to_another_issued_exactly_once(
    db_queue,
    test_pki,
    submitted,
    reviewer,
    tmp_path,
):
    marker = tmp_path / "rendering"
    short_lease = {"ZHOUCUN_WORKER_HEARTBEAT_SECONDS": "1", "ZHOUCUN_TASK_LEASE_SECONDS": "3"}
    doomed = worker_process(
        worker_env(
            test_pki,
            **short_lease,
            RENDER_MARKER=str(marker),
            WORKER_ARGS=" ".join([*WORKER_OPTIONS, "--worker-id", "doomed"]),
        ),
        "shell",
        "-c",
        SLOW_WORKER,
    )
    survivor = None
    try:
        approve_and_issue(assessment=submitted, actor=reviewer)  # queued at once: autocommit
        wait_for(marker.exists, 60, "the first worker to start rendering")
        task = DBTaskResult.objects.get(task_path=issue_report_task.module_path)
        assert task.status == TaskResultStatus.RUNNING
        assert task.worker_ids == ["doomed"]
        first_expiry = TaskLease.objects.get(task=task, worker_id="doomed").expires_at
        audit_rows = AuditEvent.objects.filter(action=AuditAction.TRANSITION).count()

        # A second worker watches while the first renders past its first lease's end: the
        # renewed lease keeps the task with the first.
        survivor = worker_process(
            worker_env(test_pki, **short_lease),
            "worker",
            *WORKER_OPTIONS,
            "--worker-id",
            "survivor",
        )
        beats = WorkerHeartbeat.objects.filter(worker_id="survivor")
        late = wait_for(
            lambda: beats.filter(beat_at__gt=first_expiry + timedelta(seconds=1)).first(),
            30,
            "the second worker to beat after the first lease would have expired",
        )
        wait_for(lambda: beats.filter(beat_at__gt=late.beat_at).exists(), 10, "one beat more")
        task.refresh_from_db()
        assert task.status == TaskResultStatus.RUNNING
        assert task.worker_ids == ["doomed"]
        assert TaskLease.objects.get(task=task).expires_at > first_expiry
        assert not SignedReport.objects.exists()

        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL

        # Its lease runs out; the survivor's watchdog queues the task again and it issues.
        wait_for(
            lambda: DBTaskResult.objects.filter(
                id=task.id, status=TaskResultStatus.SUCCESSFUL
            ).exists(),
            60,
            "the second worker to finish the task",
        )
        task.refresh_from_db()
        assert task.worker_ids == ["doomed", "survivor"]
        submitted.refresh_from_db()
        assert submitted.status == Status.ISSUED
        report = SignedReport.objects.get()
        assert report.assessment_id == submitted.pk
        assert list(ReportNumber.objects.values_list("number", flat=True)) == [report.report_number]
        assert task.return_value == report.report_number
        assert (
            ReviewEvent.objects.filter(assessment=submitted, to_status=Status.ISSUED).count() == 1
        )
        issued_audit = AuditEvent.objects.filter(action=AuditAction.TRANSITION)
        assert issued_audit.count() == audit_rows + 1
        assert issued_audit.latest("id").new_state == Status.ISSUED
        assert not IssueFailure.objects.exists()
        assert not TaskLease.objects.exists()

        survivor.send_signal(signal.SIGTERM)
        assert survivor.wait(timeout=15) == 0
    finally:
        for process in (doomed, survivor):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    output = survivor.stdout.read()
    assert "the lease of worker doomed expired; queued again" in output, output
