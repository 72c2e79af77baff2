"""The domain of a social-stability risk assessment (稳评), after DESIGN §3.

Statuses change only in `assessments.workflow`; the field is not editable anywhere else.
Append-only tables (Version, ReviewEvent, AuditEvent, SignedReport) are guarded by database
triggers created in migration 0002, so not even raw SQL can rewrite history.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]

# The longest text a user may type in each long field, in characters: one number for the
# browser's counter, the form, the model and a database constraint. Sized on the reference
# report (基本情况 ≈ 1,100 characters) with room to spare, and so that a paste accident
# cannot make a report of dozens of pages.
TEXT_LIMITS = {
    "basic_situation": 6000,
    "risk_narrative": 4000,
    "conclusion": 2000,
    "deviation_reason": 1000,
    "finding": 3000,
    "risk_description": 1000,
    "mitigation": 2000,
    "review_comment": 2000,
}


def bounded_text(verbose_name, limit_key: str, **kwargs) -> models.TextField:
    limit = TEXT_LIMITS[limit_key]
    return models.TextField(
        verbose_name, max_length=limit, validators=[MaxLengthValidator(limit)], **kwargs
    )


def length_limit(field: str, limit_key: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), TEXT_LIMITS[limit_key]), name=name
    )


class Role(models.TextChoices):
    """A role a person holds *in a unit* (DESIGN §2). Stored as the code; never found by a
    display name, so renaming a label changes nothing anyone may do."""

    ASSESSOR = "assessor", _("Assessor")
    REVIEWER = "reviewer", _("Reviewer")
    CLERK = "clerk", _("Clerk")
    UNIT_ADMIN = "unit_admin", _("Unit administrator")
    OVERSIGHT = "oversight", _("Oversight")


# A report number is `<prefix>〔<year>〕<n>号`: the brackets belong to the format, so a prefix
# may not contain them (two prefixes could then produce the same number).
REPORT_PREFIX_VALIDATORS = [
    RegexValidator(
        r"^[^〔〕\[\]\s]+$",
        _("The prefix may not contain brackets 〔〕 or spaces."),
    )
]


class Unit(models.Model):
    """A department or organisation. People hold roles in units; assessments belong to one.

    Units form a tree (区 → 部门 / 镇街): an oversight role in a unit sees the issued reports
    of the units below it.
    """

    name = models.CharField(_("Unit name"), max_length=100, unique=True)
    code = models.SlugField(_("Unit code"), max_length=30, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("Parent unit"),
    )
    report_prefix = models.CharField(
        _("Report number prefix"),
        max_length=20,
        blank=True,
        validators=REPORT_PREFIX_VALIDATORS,
        help_text=_(
            "Printed before the year in report numbers, e.g. 周大数稳评〔2026〕3号. "
            "A unit cannot issue reports until it has a prefix no other unit uses."
        ),
    )

    class Meta:
        verbose_name = _("Unit")
        verbose_name_plural = _("Unit")
        ordering = ["name"]
        constraints = [
            # Report numbers are unique because prefixes are: one rule for both.
            models.UniqueConstraint(
                fields=["report_prefix"],
                condition=~Q(report_prefix=""),
                name="unit_report_prefix_unique",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="unit_not_its_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One role of one person in one unit. A role in one unit gives nothing in another."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("User"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Unit")
    )
    role = models.CharField(_("Role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("Granted at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("Membership")
        verbose_name_plural = _("Memberships")
        ordering = ["unit", "user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["unit", "role"], name="membership_unit_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class Profile(models.Model):
    """Per-person security state that Django's user model has no field for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("User"),
    )
    must_change_password = models.BooleanField(
        _("Must change password at next login"), default=False
    )

    class Meta:
        verbose_name = _("Profile")
        verbose_name_plural = _("Profiles")

    def __str__(self) -> str:
        return str(self.user)


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Approve implementation")
    DEFER = "defer", _("Defer implementation")
    REJECT = "reject", _("Do not implement")


# Names of the standard levels (发改投资〔2012〕2492号) for a user interface in another language.
STANDARD_LEVEL_NAMES = {"low": _("Low"), "medium": _("Medium"), "high": _("High")}


class RiskLevel(models.Model):
    """One level of the risk-level scheme (低/中/高). Data, loaded from fixtures/."""

    code = models.SlugField(_("Code"), max_length=20, unique=True)
    name = models.CharField(_("Level"), max_length=10, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("Rank"), unique=True, help_text=_("Higher is more severe")
    )
    definition = models.TextField(_("Definition"))
    recommendation = models.CharField(
        _("Implied recommendation"), max_length=10, choices=Recommendation.choices
    )
    recommendation_note = models.CharField(_("Recommendation note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Risk level")
        verbose_name_plural = _("Risk level scheme")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The level's name for the interface: the scheme's own (data, Chinese) in Chinese,
        a translated name for the standard codes in other languages. The report always
        prints the scheme's own name."""
        if (translation.get_language() or "").startswith("zh"):
            return self.name
        standard = STANDARD_LEVEL_NAMES.get(self.code)
        return str(standard) if standard is not None else self.name


class RiskMatrixCell(models.Model):
    """One cell of the likelihood × impact matrix: which level that pair means."""

    likelihood = models.PositiveSmallIntegerField(_("Likelihood"), validators=SCORE_VALIDATORS)
    impact = models.PositiveSmallIntegerField(_("Impact"), validators=SCORE_VALIDATORS)
    level = models.ForeignKey(
        RiskLevel, on_delete=models.PROTECT, related_name="matrix_cells", verbose_name=_("Level")
    )

    class Meta:
        verbose_name = _("Risk matrix cell")
        verbose_name_plural = _("Risk matrix")
        ordering = ["likelihood", "impact"]
        constraints = [
            models.UniqueConstraint(fields=["likelihood", "impact"], name="matrix_cell_unique"),
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="matrix_cell_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.likelihood}×{self.impact} → {self.level}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")


class Mode(models.TextChoices):
    SIMPLE = "simple", _("Simple assessment")
    STANDARD = "standard", _("Standard assessment")


class EnvironmentalCategory(models.TextChoices):
    """The project's environmental impact assessment document, lightest first."""

    REGISTRATION = "registration", _("Registration form (登记表)")
    REPORT_FORM = "report_form", _("Report form (报告表)")
    REPORT_BOOK = "report_book", _("Report (报告书)")


# The list's report-date order: undated drafts sort as the oldest. One expression for the
# index and the query, so the index serves the order.
REPORT_DATE_SORT = Coalesce(F("report_date"), Value(datetime.date(1, 1, 1)))


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssessmentQuerySet:
        """What the user may see, by the ids of their units (no join through members):
        everything of the units where they work, issued reports of the units they oversee."""
        from .permissions import visibility

        return self.filter(visibility(user))


class Assessment(models.Model):
    title = models.CharField(_("Report title"), max_length=100)
    project_name = models.CharField(_("Project name"), max_length=200)
    responsible_entity = models.CharField(_("Responsible entity"), max_length=100)
    mode = models.CharField(
        _("Evaluation mode"), max_length=10, choices=Mode.choices, default=Mode.SIMPLE
    )
    evaluating_unit = models.CharField(_("Evaluating unit"), max_length=100)
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
    mode_reason = models.TextField(
        _("Reason for the lighter mode"),
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
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="assessment_status_valid"
            ),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="assessment_mode_valid"),
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
    likelihood = models.PositiveSmallIntegerField(_("Likelihood"), validators=SCORE_VALIDATORS)
    impact = models.PositiveSmallIntegerField(_("Impact"), validators=SCORE_VALIDATORS)
    level_before = models.ForeignKey(
        RiskLevel,
        on_delete=models.PROTECT,
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
    responsible_party = models.CharField(_("Responsible party"), max_length=100)
    # Standard mode: whether the risk was already defused before the decision, and how.
    resolution_state = models.CharField(
        _("Resolution"), max_length=20, choices=Resolution.choices, blank=True
    )
    resolution = models.TextField(_("What resolved it"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("Risk point")
        verbose_name_plural = _("Risk point")
        ordering = ["assessment", "order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "order"], name="risk_point_order_unique"),
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_point_likelihood_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=5), name="risk_point_impact_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(category__in=RiskCategory.values), name="risk_point_category_valid"
            ),
            length_limit("description", "risk_description", "risk_point_description_length"),
            length_limit("mitigation", "mitigation", "risk_point_mitigation_length"),
        ]

    def __str__(self) -> str:
        return self.description[:30]


class Version(models.Model):
    """An immutable snapshot of an assessment's content, taken at every submission."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="versions", verbose_name=_("Assessment")
    )
    number = models.PositiveIntegerField(_("Version number"))
    content = models.JSONField(_("Content snapshot"))
    created_at = models.DateTimeField(_("Submitted at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Submitted by"),
    )

    class Meta:
        verbose_name = _("Version")
        verbose_name_plural = _("Version")
        ordering = ["assessment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} v{self.number}"


class ReviewEvent(models.Model):
    """Append-only: who moved an assessment from which status to which, and why."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        related_name="review_events",
        verbose_name=_("Assessment"),
    )
    version = models.ForeignKey(
        Version,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_events",
        verbose_name=_("Version"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Actor"),
    )
    from_status = models.CharField(_("Old state"), max_length=10, choices=Status.choices)
    to_status = models.CharField(_("New state"), max_length=10, choices=Status.choices)
    comment = bounded_text(_("Comment"), "review_comment", blank=True)
    created_at = models.DateTimeField(_("Time"), default=timezone.now)

    class Meta:
        verbose_name = _("Review events")
        verbose_name_plural = _("Review events")
        ordering = ["assessment", "created_at", "id"]
        indexes = [models.Index(fields=["assessment", "created_at"], name="review_event_timeline")]
        constraints = [
            length_limit("comment", "review_comment", "review_event_comment_length"),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class SignedReport(models.Model):
    """The PDF rendered and signed at approval. Stored once; never regenerated in place.

    The file itself is in the ``reports`` storage under a name derived from ``sha256``
    (`assessments.storage.report_name`); every read re-hashes it against this row.
    """

    assessment = models.OneToOneField(
        Assessment,
        on_delete=models.PROTECT,
        related_name="signed_report",
        verbose_name=_("Assessment"),
    )
    version = models.OneToOneField(
        Version, on_delete=models.PROTECT, related_name="signed_report", verbose_name=_("Version")
    )
    report_number = models.CharField(_("Report number"), max_length=40, unique=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Approved by"),
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    signed_at = models.DateTimeField(_("Signed at"))
    signer = models.CharField(_("Signer"), max_length=100)
    certificate_fingerprint = models.CharField(_("Certificate fingerprint"), max_length=95)
    verification_token = models.CharField(_("Verification token"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("Signed report")
        verbose_name_plural = _("Signed report")
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return self.report_number


class ReportCounter(models.Model):
    """The last report number used by a unit in a year; locked while a number is taken."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Report counter")
        verbose_name_plural = _("Report counters")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="report_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.last_number}"


class IssueFailure(models.Model):
    """An attempt to render and sign a report that failed. The assessment stayed approved;
    an administrator sees the error here and can try again."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="issue_failures",
        verbose_name=_("Assessment"),
    )
    error = models.TextField(_("Error"))
    created_at = models.DateTimeField(_("Time"), default=timezone.now)

    class Meta:
        verbose_name = _("Issuing failure")
        verbose_name_plural = _("Issuing failures")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.assessment} — {self.created_at:%Y-%m-%d %H:%M}"


class Seal(models.Model):
    """The bureau's own seal image, uploaded by an administrator, shown beside the
    signature block. The system never draws a seal of its own."""

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, related_name="seal", verbose_name=_("Unit")
    )
    image = models.BinaryField(_("Image"), editable=True)
    content_type = models.CharField(_("Image type"), max_length=20)
    uploaded_at = models.DateTimeField(_("Uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("Seal image")
        verbose_name_plural = _("Seal images")

    def __str__(self) -> str:
        return str(self.unit)


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Log in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Log out")
    LOCKED_OUT = "locked_out", _("Account locked")
    TRANSITION = "transition", _("Status change")
    REFUSED = "refused", _("Action refused")
    PERMISSION_DENIED = "permission_denied", _("Permission denied")
    DOWNLOAD = "download", _("Download")
    EXPORT = "export", _("Export")
    EDIT = "edit", _("Edit")
    CREATE = "create", _("Create")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_WITHDRAWN = "role_withdrawn", _("Role withdrawn")
    USER_CREATED = "user_created", _("User created")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    USER_REACTIVATED = "user_reactivated", _("User reactivated")
    PASSWORD_RESET = "password_reset", _("Password reset")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    UNLOCKED = "unlocked", _("Login unlocked")
    UNIT_CHANGED = "unit_changed", _("Unit settings changed")
    ADMIN_CHANGE = "admin_change", _("Changed in system administration")


class AuditEvent(models.Model):
    """Append-only record of a security-relevant action (DESIGN §7). Kept ≥ 180 days."""

    # Stored in UTC (USE_TZ); shown in the reader's time zone.
    created_at = models.DateTimeField(_("Time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("User"),
    )
    # Kept as text too: a failed login names a user who may not exist.
    username = models.CharField(_("Username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("Action"), max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(_("Object type"), max_length=50, blank=True)
    object_id = models.CharField(_("Object ID"), max_length=50, blank=True)
    object_repr = models.CharField(_("Object"), max_length=200, blank=True)
    old_state = models.CharField(_("Old state"), max_length=30, blank=True)
    new_state = models.CharField(_("New state"), max_length=30, blank=True)
    success = models.BooleanField(_("Success"), default=True)
    detail = models.TextField(_("Detail"), blank=True)

    class Meta:
        verbose_name = _("Audit log")
        verbose_name_plural = _("Audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["action", "created_at"], name="audit_action_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"


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


class VersionDiff(models.Model):
    """What changed between two versions, computed once and kept.

    Versions never change, so a diff of a pair is true forever: it is stored beside them
    rather than in a cache that could evict it and make a reviewer wait for it again.
    `changes` holds, per changed field, its position in the report and the diff as
    [operation, text] pairs; it is escaped and labelled when shown.
    """

    old_version = models.ForeignKey(
        Version, on_delete=models.CASCADE, related_name="+", verbose_name=_("Old version")
    )
    new_version = models.ForeignKey(
        Version, on_delete=models.CASCADE, related_name="+", verbose_name=_("New version")
    )
    changes = models.JSONField(_("Changes"))
    created_at = models.DateTimeField(_("Computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("Version difference")
        verbose_name_plural = _("Version differences")
        constraints = [
            models.UniqueConstraint(
                fields=["old_version", "new_version"], name="version_diff_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_version_id} → {self.new_version_id}"


# The records of a standard assessment live in their own module; imported here so that
# Django registers them with this app.
from .models_standard import *  # noqa: E402, F403
