"""`manage.py worker`: issue reports from the queue in the database, and say it is alive.

This is django-tasks-db's `db_worker` (same options, see `--help`) plus a heartbeat: a row
in WorkerHeartbeat refreshed every ZHOUCUN_WORKER_HEARTBEAT_SECONDS by a thread, which
/healthz reads to tell a silent worker from an idle one. The same thread renews the lease on
the task being run and, as the watchdog, queues again the tasks of workers that died
(`assessments.issuing.leases`). Run one per CPU core on as many machines as you like, all
with the same DATABASE_URL: each task is claimed by exactly one worker (a row lock with
SKIP LOCKED on PostgreSQL).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models.signals import post_save
from django.tasks.signals import task_finished, task_started
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from assessments.issuing import daily, leases
from assessments.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Rows of workers that died without removing theirs are pruned after this long.
FORGET_AFTER = timedelta(days=1)


def resident_kib() -> int | None:
    """This process's resident memory (Linux), for the operator and the benchmark."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


class Heartbeat(threading.Thread):
    """Refreshes this worker's WorkerHeartbeat row and its task's lease until stopped, and
    runs the watchdog at each beat."""

    def __init__(self, worker_id: str, interval: float):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.stopped = threading.Event()
        self.task_started_at = None
        self.tasks_done = 0
        self.swept = False
        self.hostname = socket.gethostname()[:255]
        self.started_at = timezone.now()
        self.daily = daily.DailyJobs(worker_id)

    # Signal receivers: they run in the worker's main thread, around each task.
    def on_task_started(self, **kwargs) -> None:
        self.task_started_at = timezone.now()

    def on_task_finished(self, *, task_result, **kwargs) -> None:
        self.task_started_at = None
        self.tasks_done += 1
        try:
            leases.release(task_result.id, self.worker_id)
        except DatabaseError:
            # The task is done; a lease left behind only expires, and the watchdog finds
            # the task finished. Failing here would mark a finished task failed.
            logger.warning("Worker %s could not release its lease", self.worker_id, exc_info=True)

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": self.hostname,
                "pid": os.getpid(),
                "started_at": self.started_at,
                "beat_at": timezone.now(),
                "task_started_at": self.task_started_at,
                "tasks_done": self.tasks_done,
                "rss_kib": resident_kib(),
            },
        )
        held = leases.renew(self.worker_id)
        if self.task_started_at is not None and not held:
            logger.warning("Worker %s runs a task it no longer holds the lease of", self.worker_id)
        # Tasks without a lease (from before leases) are looked for at the first beat only.
        leases.requeue_expired(unleased=not self.swept)
        self.swept = True
        # Once a day, one worker of all runs the reminders (issuing.daily).
        self.daily.poll()

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                # The thread has its own connection: drop it if the database went away.
                close_old_connections()
                try:
                    self.beat()
                except DatabaseError:
                    # Missing beats are what /healthz reports; the worker keeps running and
                    # beats again once the database answers.
                    logger.warning("Worker heartbeat could not be recorded", exc_info=True)
                self.stopped.wait(self.interval)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=self.interval + 5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError:
            logger.warning("Worker heartbeat row could not be removed", exc_info=True)


class Command(db_worker.Command):
    help = (
        "Issue reports from the task queue in the database (django-tasks-db's db_worker) "
        "and record a heartbeat for /healthz."
    )

    def handle(self, *args, **options):
        # With --reload the command runs twice: a watching parent and the child that works.
        # Only the working process beats.
        reloading = options["reload"] and not options["batch"]
        if reloading and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            return super().handle(*args, **options)
        WorkerHeartbeat.objects.filter(beat_at__lt=timezone.now() - FORGET_AFTER).delete()
        heartbeat = Heartbeat(options["worker_id"], settings.ZHOUCUN_WORKER_HEARTBEAT_SECONDS)
        task_started.connect(heartbeat.on_task_started, weak=False)
        task_finished.connect(heartbeat.on_task_finished, weak=False)
        take_lease = leases.take_on_claim(options["worker_id"])
        post_save.connect(take_lease, sender=DBTaskResult, weak=False)
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            # Also on Ctrl-C / SIGTERM: db_worker leaves through sys.exit once the current
            # task is done, and a cleanly stopped worker is not reported as silent.
            heartbeat.stop()
            task_started.disconnect(heartbeat.on_task_started)
            task_finished.disconnect(heartbeat.on_task_finished)
            post_save.disconnect(take_lease, sender=DBTaskResult)
