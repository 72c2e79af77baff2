"""Deadlines and reminders (issue 18, point 2): what each person is told in the product
(and by e-mail), and the record that a daily job ran.

A notification stores its kind and the parameters of its text, not the text: the words are
rendered through gettext when it is shown, so switching the language switches them too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .assessment import Assessment


class NotificationKind(models.TextChoices):
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Report issued")
    FILING_RECEIVED = "filing_received", _("Filing received")
    FILING_ANSWERED = "filing_answered", _("Filing answered")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class Notification(models.Model):
    """One thing one person is told. `key` and `day` name what a reminder is about (e.g.
    "tracking:12" due on a date): a reminder exists once per recipient, kind, key and day,
    however often the daily job runs."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("Recipient"),
    )
    kind = models.CharField(_("Kind"), max_length=20, choices=NotificationKind.choices)
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Assessment"),
    )
    params = models.JSONField(_("Text parameters"), default=dict, blank=True)
    key = models.CharField(_("About"), max_length=60, blank=True)
    day = models.DateField(_("Date"), null=True, blank=True)
    created_at = models.DateTimeField(_("Created at"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("Read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Notification")
        verbose_name_plural = _("Notifications")
        ordering = ["-id"]
        indexes = [
            # The list (newest first) and the unread count both read this index only.
            models.Index(fields=["recipient", "read_at", "id"], name="notification_inbox"),
            models.Index(fields=["recipient", "id"], name="notification_recipient_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "key", "day"],
                condition=~Q(key=""),
                name="notification_once_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} · {self.kind} · {self.created_at:%Y-%m-%d}"


class DailyRun(models.Model):
    """That a daily job ran (or is running) for a date: the row is inserted in the job's own
    transaction, so a second worker on any machine either waits for it and finds it, or
    finds it at once — the job runs exactly once per date."""

    job = models.CharField(_("Job"), max_length=40)
    day = models.DateField(_("Date"))
    host = models.CharField(_("Host"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("Started at"), default=timezone.now)
    created = models.PositiveIntegerField(_("Notifications created"), default=0)

    class Meta:
        verbose_name = _("Daily run")
        verbose_name_plural = _("Daily runs")
        ordering = ["-day", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "day"], name="daily_run_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.day:%Y-%m-%d}"
