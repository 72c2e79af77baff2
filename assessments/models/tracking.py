"""After the decision (issue 18, point 3): tracking how an issued assessment's decision is
carried out, and a post-evaluation (后评估) when something calls for one.

What a tracking record says about each measure is one of four answers, and "not known" is
not "no": a measure nobody checked is never reported as not carried out.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .assessment import Assessment, RiskPoint
from .fields import bounded_text, length_limit


class Carried(models.TextChoices):
    UNKNOWN = "unknown", _("Not known")
    YES = "yes", _("Carried out")
    PARTLY = "partly", _("Partly carried out")
    NO = "no", _("Not carried out")


class Recorded(models.Model):
    """Who recorded a row of the after-decision tables, and when it was made and changed."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Recorded by"),
    )
    created_at = models.DateTimeField(_("Created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("Updated at"), auto_now=True)

    class Meta:
        abstract = True


class TrackingRecord(Recorded):
    """One round of tracking: due by a date, done by someone, with what they found."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        related_name="tracking_records",
        verbose_name=_("Assessment"),
    )
    due_date = models.DateField(_("Due date"))
    tracked_by = models.CharField(_("Tracked by"), max_length=60)
    tracked_on = models.DateField(_("Date tracked"), null=True, blank=True)
    findings = bounded_text(_("What was found"), "tracking_findings", blank=True)
    new_risks = bounded_text(_("New risks found"), "tracking_new_risks", blank=True)

    class Meta:
        verbose_name = _("Tracking record")
        verbose_name_plural = _("Tracking records")
        ordering = ["assessment", "due_date", "id"]
        indexes = [
            # Overdue work (the dashboard, reminders): only records with nothing found yet.
            models.Index(fields=["due_date"], condition=Q(findings=""), name="tracking_open_due"),
        ]
        constraints = [
            length_limit("findings", "tracking_findings", "tracking_findings_length"),
            length_limit("new_risks", "tracking_new_risks", "tracking_new_risks_length"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.due_date:%Y-%m-%d}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Due date passed and nothing found recorded yet."""
        return not self.findings.strip() and self.due_date < (today or timezone.localdate())


class MeasureCheck(models.Model):
    """Whether one risk point's measures were carried out, as one tracking record found."""

    record = models.ForeignKey(
        TrackingRecord,
        on_delete=models.CASCADE,
        related_name="measure_checks",
        verbose_name=_("Tracking record"),
    )
    risk_point = models.ForeignKey(
        RiskPoint, on_delete=models.PROTECT, related_name="+", verbose_name=_("Risk point")
    )
    carried_out = models.CharField(
        _("Measures carried out"), max_length=10, choices=Carried.choices, default=Carried.UNKNOWN
    )

    class Meta:
        verbose_name = _("Measure check")
        verbose_name_plural = _("Measure checks")
        ordering = ["record", "risk_point__order"]
        constraints = [
            models.UniqueConstraint(fields=["record", "risk_point"], name="measure_check_once"),
            models.CheckConstraint(
                condition=Q(carried_out__in=Carried.values), name="measure_check_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.risk_point} · {self.get_carried_out_display()}"


class PostEvaluationTrigger(models.TextChoices):
    SHORT_OF_EXPECTATION = "short_of_expectation", _("Effect short of expectation")
    MANY_OBJECTIONS = "many_objections", _("Many objections")
    ORGAN_DECISION = "organ_decision", _("Decision of the deciding organ")


class PostEvaluation(Recorded):
    """A 后评估: what called for it and what it found."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        related_name="post_evaluations",
        verbose_name=_("Assessment"),
    )
    trigger = models.CharField(_("Trigger"), max_length=30, choices=PostEvaluationTrigger.choices)
    started_on = models.DateField(_("Started on"))
    evaluated_by = models.CharField(_("Evaluated by"), max_length=100)
    findings = bounded_text(_("Findings"), "post_evaluation_findings", blank=True)

    class Meta:
        verbose_name = _("Post-evaluation")
        verbose_name_plural = _("Post-evaluations")
        ordering = ["assessment", "started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trigger__in=PostEvaluationTrigger.values),
                name="post_evaluation_trigger_valid",
            ),
            length_limit("findings", "post_evaluation_findings", "post_evaluation_findings_length"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.get_trigger_display()}"
