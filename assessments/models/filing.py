"""备案 (issue 18, point 1): an issued report filed (报备) with the oversight unit above its
owner unit, which receives it, records its written opinion, approves it (审定) and may
forward it to its own parent — or returns it.

`Filing` is the filing's current standing (where it is, in which state: what the inbox
lists, by an index led by the unit); `FilingStep` is its history, one row per act at one
level, append-only (database triggers, migration 0024). One active filing per assessment: a
returned one stays as history and the clerk may file again.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .assessment import Assessment
from .fields import bounded_text, length_limit
from .org import Unit


class FilingState(models.TextChoices):
    """Where a filing stands at the unit it is with."""

    SENT = "sent", _("Awaiting receipt")
    RECEIVED = "received", _("Received")
    OPINION = "opinion", _("Opinion recorded")
    APPROVED = "approved", _("Approved by the oversight unit")
    RETURNED = "returned", _("Returned")


# A filing still waiting for something from the unit it is with.
OPEN_FILING_STATES = (FilingState.SENT, FilingState.RECEIVED, FilingState.OPINION)


class FilingAction(models.TextChoices):
    FILED = "filed", _("Filed")
    RECEIVED = "received", _("Received")
    OPINION = "opinion", _("Opinion recorded")
    APPROVED = "approved", _("Approved by the oversight unit")
    FORWARDED = "forwarded", _("Forwarded to the unit above")
    RETURNED = "returned", _("Returned")


class Filing(models.Model):
    """One filing of an issued report, with what the clerk added for the 报备表."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="filings", verbose_name=_("Assessment")
    )
    current_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("With unit")
    )
    state = models.CharField(
        _("State"), max_length=10, choices=FilingState.choices, default=FilingState.SENT
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Filed by"),
    )
    filed_at = models.DateTimeField(_("Filed at"), default=timezone.now)
    # The deadline in force when it was filed (None: the locality sets none).
    due_date = models.DateField(_("Filing due"), null=True, blank=True)
    # What the clerk adds for the 报备表; all optional, printed only when given.
    result_use = bounded_text(_("Use of the assessment's result"), "filing_text", blank=True)
    decision_opinion = bounded_text(
        _("Opinion of the deciding department"), "filing_text", blank=True
    )
    decision_opinion_date = models.DateField(
        _("Date of the deciding department's opinion"), null=True, blank=True
    )
    remarks = bounded_text(_("Remarks"), "filing_text", blank=True)
    updated_at = models.DateTimeField(_("Updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("Filing")
        verbose_name_plural = _("Filings")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=~Q(state="returned"),
                name="filing_one_active",
            ),
            models.CheckConstraint(
                condition=Q(state__in=FilingState.values), name="filing_state_valid"
            ),
            length_limit("result_use", "filing_text", "filing_result_use_length"),
            length_limit("decision_opinion", "filing_text", "filing_decision_opinion_length"),
            length_limit("remarks", "filing_text", "filing_remarks_length"),
        ]
        indexes = [
            # The inbox: one unit's filings, newest change first (keyset pagination).
            models.Index(fields=["current_unit", "state", "updated_at", "id"], name="filing_inbox"),
            models.Index(fields=["assessment", "state"], name="filing_assessment"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_FILING_STATES

    @property
    def filed_late(self) -> bool:
        """Filed after the deadline in force when it was filed (the local day counts)."""
        return bool(self.due_date and timezone.localdate(self.filed_at) > self.due_date)


class FilingStep(models.Model):
    """One act on a filing at one unit. Append-only: the filing's history."""

    filing = models.ForeignKey(
        Filing, on_delete=models.PROTECT, related_name="steps", verbose_name=_("Filing")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("Unit")
    )
    action = models.CharField(_("Action"), max_length=10, choices=FilingAction.choices)
    text = bounded_text(_("Written opinion or reason"), "filing_opinion", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("By")
    )
    created_at = models.DateTimeField(_("Time"), default=timezone.now)

    class Meta:
        verbose_name = _("Filing step")
        verbose_name_plural = _("Filing steps")
        ordering = ["filing", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=FilingAction.values), name="filing_step_action_valid"
            ),
            length_limit("text", "filing_opinion", "filing_step_text_length"),
        ]
        indexes = [models.Index(fields=["filing", "id"], name="filing_step_filing")]

    def __str__(self) -> str:
        return f"{self.filing_id} · {self.unit_id} · {self.action}"


def filing_due_date(issued_on: datetime.date, days: int | None) -> datetime.date | None:
    """The day a report issued on `issued_on` must be filed by, `days` after (None: no
    deadline)."""
    return issued_on + datetime.timedelta(days=days) if days else None
