"""State the operator watches: the issuing workers' heartbeats."""

from __future__ import annotations

from django.db import models
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
