"""State the operator watches and the workers share: heartbeats, task leases, rate counters."""

from __future__ import annotations

import time

from django.db import connections, models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per running issuing worker (`manage.py worker`), refreshed every few seconds,
    so /healthz can tell a silent worker from an idle one. A worker removes its row when it
    stops cleanly; a killed one leaves its row to go stale."""

    worker_id = models.CharField(_("Worker"), max_length=64, unique=True)
    hostname = models.CharField(_("Host"), max_length=255)
    pid = models.PositiveIntegerField(_("Process ID"))
    started_at = models.DateTimeField(_("Started at"), default=timezone.now)
    beat_at = models.DateTimeField(_("Last heartbeat"), default=timezone.now, db_index=True)
    # Set while a task runs: a worker stuck in one task for long is not counted as alive.
    task_started_at = models.DateTimeField(_("Current task started at"), null=True, blank=True)
    tasks_done = models.PositiveIntegerField(_("Tasks done"), default=0)
    rss_kib = models.PositiveBigIntegerField(_("Memory (KiB)"), null=True, blank=True)

    class Meta:
        verbose_name = _("Worker heartbeat")
        verbose_name_plural = _("Worker heartbeats")
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class TaskLease(models.Model):
    """A running task's lease: the worker running it and until when it answers for it.

    Taken in the transaction that claims the task, renewed by the worker's heartbeat while
    the task runs, removed when it finishes. A lease left to expire means the worker died
    (SIGKILL, a machine gone): the watchdog (`issuing.leases.requeue_expired`) puts the task
    back in the queue, once."""

    task = models.OneToOneField(
        "django_tasks_database.DBTaskResult",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="lease",
        verbose_name=_("Task"),
    )
    worker_id = models.CharField(_("Worker"), max_length=64)
    expires_at = models.DateTimeField(_("Expires at"), db_index=True)

    class Meta:
        verbose_name = _("Task lease")
        verbose_name_plural = _("Task leases")

    def __str__(self) -> str:
        return f"{self.task_id} @ {self.worker_id}"


# The same statement on PostgreSQL and SQLite; the names are the model's (Meta.db_table).
HIT_SQL = (
    'INSERT INTO "assessments_ratecount" ("key", "minute", "count") VALUES (%s, %s, 1) '
    'ON CONFLICT ("key", "minute") DO UPDATE SET "count" = "assessments_ratecount"."count" + 1 '
    'RETURNING "count"'
)


class RateCountManager(models.Manager["RateCount"]):
    def hit(self, key: str, minute: int | None = None) -> int:
        """Count one more for the key in this minute and say how many the minute holds.

        One statement, atomic on PostgreSQL and SQLite (3.35+) alike: the row is created or
        its count raised under the row's lock, and the count it now holds comes back, so
        concurrent requests in any number of processes each see a count of their own. The
        first count of a minute also removes the rows of minutes before the last one."""
        if minute is None:
            minute = int(time.time() // 60)
        using = router.db_for_write(self.model)
        with connections[using].cursor() as cursor:
            cursor.execute(HIT_SQL, [key[:100], minute])
            (count,) = cursor.fetchone()
        if count == 1:
            self.using(using).filter(minute__lt=minute - 1).delete()
        return count


class RateCount(models.Model):
    """How many times a client did something in one minute, counted by every process on
    every machine alike (`reports.verify_bounds.upload_allowed`). Rows of past minutes are
    removed as new minutes begin."""

    key = models.CharField(_("Key"), max_length=100)
    minute = models.PositiveBigIntegerField(_("Minute"), db_index=True)
    count = models.PositiveIntegerField(_("Count"), default=0)

    objects = RateCountManager()

    class Meta:
        db_table = "assessments_ratecount"
        verbose_name = _("Rate counter")
        verbose_name_plural = _("Rate counters")
        constraints = [
            models.UniqueConstraint(fields=["key", "minute"], name="ratecount_key_minute"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.minute}: {self.count}"
