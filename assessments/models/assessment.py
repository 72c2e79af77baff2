"""The assessment and the parts of its content the simple report prints."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .access import Access, access_of
from .fields import SCORE_VALIDATORS, bounded_text, length_limit
from .org import Unit
from .scheme import EnvironmentalCategory, Recommendation, RiskLevel


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")


# Content may be edited in these statuses only; from submission on it is read-only until
# it is returned (DESIGN §4).
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})


class Mode(models.TextChoices):
    SIMPLE = "simple", _("Simple assessment")
    STANDARD = "standard", _("Standard assessment")


class MatterKind(models.TextChoices):
    """What kind of decision is assessed: each has facts of its own (content.matters)."""

    PROJECT = "project", _("Construction project")
    POLICY = "policy", _("Policy or normative document")
    EXPROPRIATION = "expropriation", _("Expropriation and relocation")
    REFORM = "reform", _("Reform")
    OTHER = "other", _("Other decision")


# The list's report-date order: undated drafts sort as the oldest. One expression for the
# index and the query, so the index serves the order.
REPORT_DATE_SORT = Coalesce(F("report_date"), Value(datetime.date(1, 1, 1)))


def visibility(access: Access, unit: str = "owner_unit_id", status: str = "status") -> Q:
    """What one person may see, on any table keyed by unit and status (the assessments,
    their tallies): everything of the units where they work, issued reports of the units
    they oversee. By the ids of their units, no join through members."""
    condition = Q(pk__in=[])
    if access.working_units:
        condition |= Q(**{f"{unit}__in": sorted(access.working_units)})
    if access.overseen:
        condition |= Q(**{f"{unit}__in": sorted(access.overseen), status: Status.ISSUED})
    return condition


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssessmentQuerySet:
        """What the user may see, by the ids of their units (no join through members):
        everything of the units where they work, issued reports of the units they oversee."""
        return self.filter(visibility(access_of(user)))


class Assessment(models.Model):
    title = models.CharField(_("Report title"), max_length=100)
    project_name = models.CharField(_("Project name"), max_length=200)
    responsible_entity = models.CharField(_("Responsible entity"), max_length=100)
    mode = models.CharField(
        _("Evaluation mode"), max_length=10, choices=Mode.choices, default=Mode.SIMPLE
    )
    evaluating_unit = models.CharField(_("Evaluating unit"), max_length=100)
    matter_kind = models.CharField(
        _("Kind of matter"), max_length=20, choices=MatterKind.choices, default=MatterKind.PROJECT
    )
    # The matter's own facts, printed in 基本情况 where given; which apply depends on the kind
    # (content.matters). All optional: a published report often states only some of them.
    project_unit = models.CharField(_("Project unit"), max_length=100, blank=True)
    location = models.CharField(_("Location"), max_length=200, blank=True)
    scale_content = bounded_text(_("Scale and content"), "scale_content", blank=True)
    schedule = models.CharField(_("Schedule"), max_length=200, blank=True)
    funding_sources = models.CharField(_("Funding sources"), max_length=200, blank=True)
    area_sqm = models.DecimalField(
        _("Area affected (m²)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    households_affected = models.PositiveIntegerField(
        _("Households affected"), null=True, blank=True
    )
    document_title = models.CharField(_("Document title"), max_length=200, blank=True)
    drafting_unit = models.CharField(_("Drafting unit"), max_length=100, blank=True)
    scope = models.CharField(_("Scope of application"), max_length=300, blank=True)
    # How many prevention and mitigation measures the report states, counted on their own
    # (a risk point may have several, or share one); None: counted from the risk points.
    measures_count = models.PositiveIntegerField(_("Number of measures"), null=True, blank=True)
    # Names of optional figures the user marked 未载明 (content.figures).
    not_stated = models.JSONField(_("Marked not stated"), default=list, blank=True)
    report_date = models.DateField(_("Report date"), null=True, blank=True)
    basic_situation = bounded_text(_("Basic situation"), "basic_situation", blank=True)
    risk_narrative = bounded_text(_("Risk points and mitigation"), "risk_narrative", blank=True)
    risk_level = models.ForeignKey(
        RiskLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Risk level"),
    )
    recommendation = models.CharField(
        _("Recommendation"), max_length=10, choices=Recommendation.choices, blank=True
    )
    deviation_reason = bounded_text(
        _("Reason for departing from the suggestion"),
        "deviation_reason",
        blank=True,
        help_text=_(
            "Required when the chosen level or recommendation differs from what the risk "
            "matrix suggests."
        ),
    )
    conclusion = bounded_text(_("Conclusion"), "conclusion", blank=True)
    # The figures the mode rules compare with their thresholds (ModeThreshold); optional.
    households_relocated = models.PositiveIntegerField(
        _("Households relocated"), null=True, blank=True
    )
    people_resettled = models.PositiveIntegerField(_("People resettled"), null=True, blank=True)
    farmland_mu = models.DecimalField(
        _("Farmland occupied (mu)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    environmental_category = models.CharField(
        _("Environmental assessment category"),
        max_length=20,
        choices=EnvironmentalCategory.choices,
        blank=True,
    )
    investment_wan = models.DecimalField(
        _("Investment (10,000 yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    people_affected = models.PositiveIntegerField(
        _("People directly affected"), null=True, blank=True
    )
    mode_reason = bounded_text(
        _("Reason for the lighter mode"),
        "mode_reason",
        blank=True,
        help_text=_("Required when simple mode is chosen although the figures suggest standard."),
    )

    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("Owner unit")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="authored_assessments",
        verbose_name=_("Author"),
    )
    created_at = models.DateTimeField(_("Created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("Updated at"), auto_now=True)
    # Optimistic locking: every content save bumps it; a save based on an older value is
    # refused (see services.save_assessment_step).
    lock_version = models.PositiveIntegerField(_("Edit version"), default=1, editable=False)
    # Deadlines (issue 18, point 2). The 公示 period as staff entered it (its default length
    # is the locality's rule per matter kind); the review's due date, set at submission from
    # the locality's rule (empty: no rule, no due date).
    publicity_start = models.DateField(_("Publicity starts"), null=True, blank=True)
    publicity_end = models.DateField(_("Publicity ends"), null=True, blank=True)
    review_due = models.DateField(_("Review due"), null=True, blank=True, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("Assessment")
        verbose_name_plural = _("Assessment")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["owner_unit", "status"], name="assessment_unit_status"),
            models.Index(fields=["status", "updated_at"], name="assessment_status_updated"),
            # Visibility is a filter on unit ids, so every list's index starts with the unit;
            # each ends with the id, the tie-breaker of keyset pagination (issue 11).
            models.Index(fields=["owner_unit", "updated_at", "id"], name="assessment_unit_updated"),
            models.Index(
                fields=["owner_unit", "status", "updated_at", "id"],
                name="assessment_unit_status_upd",
            ),
            models.Index(
                fields=["owner_unit", "project_name", "id"], name="assessment_unit_project"
            ),
            models.Index(
                F("owner_unit"), REPORT_DATE_SORT, F("id"), name="assessment_unit_report_date"
            ),
            models.Index(fields=["owner_unit", "id"], name="assessment_unit_id"),
            models.Index(
                fields=["author", "status", "updated_at", "id"], name="assessment_author_status"
            ),
            # The daily reminders: submitted assessments whose review falls due.
            models.Index(
                fields=["review_due", "id"],
                condition=Q(status="submitted"),
                name="assessment_review_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="assessment_status_valid"
            ),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="assessment_mode_valid"),
            models.CheckConstraint(
                condition=Q(matter_kind__in=MatterKind.values),
                name="assessment_matter_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(recommendation__in=[*Recommendation.values, ""]),
                name="assessment_recommendation_valid",
            ),
            *(
                length_limit(field, field, f"assessment_{field}_length")
                for field in (
                    "basic_situation",
                    "risk_narrative",
                    "conclusion",
                    "deviation_reason",
                    "mode_reason",
                    "scale_content",
                )
            ),
        ]
        permissions = [
            ("review_assessment", _("Can review assessments")),
            ("file_report", _("Can file and archive issued reports")),
        ]

    def __str__(self) -> str:
        return self.title or self.project_name

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        """Whether the content may be edited in the current status."""
        return self.status in EDITABLE_STATUSES


class Dimension(models.TextChoices):
    """The four dimensions of a 稳评, in the order the report prints them."""

    LEGALITY = "legality", _("Legality")
    RATIONALITY = "rationality", _("Rationality")
    FEASIBILITY = "feasibility", _("Feasibility")
    CONTROLLABILITY = "controllability", _("Controllability")


class Verdict(models.TextChoices):
    NO_RISK = "no_risk", _("No risk")
    MANAGEABLE = "manageable", _("Risk manageable")
    SIGNIFICANT = "significant", _("Significant risk")


class Finding(models.Model):
    """The finding for one of the four dimensions; exactly one per dimension."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="findings", verbose_name=_("Assessment")
    )
    dimension = models.CharField(_("Dimension"), max_length=20, choices=Dimension.choices)
    text = bounded_text(_("Finding"), "finding", blank=True)
    verdict = models.CharField(_("Verdict"), max_length=20, choices=Verdict.choices, blank=True)

    class Meta:
        verbose_name = _("Four-dimension findings")
        verbose_name_plural = _("Four-dimension findings")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "dimension"], name="finding_one_per_dimension"
            ),
            models.CheckConstraint(
                condition=Q(dimension__in=Dimension.values), name="finding_dimension_valid"
            ),
            models.CheckConstraint(
                condition=Q(verdict__in=[*Verdict.values, ""]), name="finding_verdict_valid"
            ),
            length_limit("text", "finding", "finding_text_length"),
        ]

    def __str__(self) -> str:
        return self.get_dimension_display()


class Side(models.TextChoices):
    RESPONSIBLE = "responsible", _("Responsible entity")
    EVALUATOR = "evaluator", _("Evaluating unit")


class Contact(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("Assessment")
    )
    side = models.CharField(_("Side"), max_length=20, choices=Side.choices)
    name = models.CharField(_("Name"), max_length=30)
    position = models.CharField(_("Position"), max_length=100, blank=True)
    phone = models.CharField(_("Phone"), max_length=20)
    order = models.PositiveSmallIntegerField(_("Order"), default=0)

    class Meta:
        verbose_name = _("Contact")
        verbose_name_plural = _("Contact")
        ordering = ["assessment", "side", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "side", "order"], name="contact_order_unique"
            ),
            models.CheckConstraint(condition=Q(side__in=Side.values), name="contact_side_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class RiskCategory(models.TextChoices):
    POLICY = "policy", _("Policy and law")
    INTERESTS = "interests", _("Residents' interests")
    ENVIRONMENT = "environment", _("Environment")
    SAFETY = "safety", _("Public safety")
    OPINION = "opinion", _("Public opinion")
    MANAGEMENT = "management", _("Project management")
    OTHER = "other", _("Other")


class Resolution(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    IN_PROGRESS = "in_progress", _("Being resolved")
    UNRESOLVED = "unresolved", _("Not resolved")


class RiskPoint(models.Model):
    """A structured risk point. Its level before measures comes from the matrix."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="risk_points",
        verbose_name=_("Assessment"),
    )
    order = models.PositiveSmallIntegerField(_("Order"), default=0)
    description = bounded_text(_("Risk point"), "risk_description")
    category = models.CharField(_("Category"), max_length=20, choices=RiskCategory.choices)
    # Likelihood and impact are optional: a published report often gives only the level.
    # Without both, there is no level before measures (it comes from the matrix).
    likelihood = models.PositiveSmallIntegerField(
        _("Likelihood"), validators=SCORE_VALIDATORS, null=True, blank=True
    )
    impact = models.PositiveSmallIntegerField(
        _("Impact"), validators=SCORE_VALIDATORS, null=True, blank=True
    )
    level_before = models.ForeignKey(
        RiskLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Level before measures"),
    )
    level_after = models.ForeignKey(
        RiskLevel,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Level after measures"),
    )
    mitigation = bounded_text(_("Mitigation measures"), "mitigation")
    responsible_party = models.CharField(_("Responsible party"), max_length=100, blank=True)
    # Standard mode: whether the risk was already defused before the decision, and how.
    resolution_state = models.CharField(
        _("Resolution"), max_length=20, choices=Resolution.choices, blank=True
    )
    resolution = bounded_text(_("What resolved it"), "risk_resolution", blank=True)

    class Meta:
        verbose_name = _("Risk point")
        verbose_name_plural = _("Risk point")
        ordering = ["assessment", "order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "order"], name="risk_point_order_unique"),
            models.CheckConstraint(
                condition=Q(likelihood__isnull=True) | Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_point_likelihood_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(impact__isnull=True) | Q(impact__gte=1, impact__lte=5),
                name="risk_point_impact_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(category__in=RiskCategory.values), name="risk_point_category_valid"
            ),
            length_limit("description", "risk_description", "risk_point_description_length"),
            length_limit("mitigation", "mitigation", "risk_point_mitigation_length"),
            length_limit("resolution", "risk_resolution", "risk_point_resolution_length"),
        ]

    def __str__(self) -> str:
        return self.description[:30]
