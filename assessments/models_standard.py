"""The records of a standard assessment (一般评估), after DESIGN §3 and §5.

What the rules require a standard assessment to show — basis documents, who assessed, the
consultation activities, the register of opinions, the expert review, the emergency plan and
the collective decision — held as rows the user adds and orders, never as prose typed twice.
The lists a locality may extend (kinds of activity, decision options, the mode rules) are
data, loaded from `fixtures/standard_rules.json`.

Imported by `models.py`, so Django finds these models in the `assessments` app.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.files.storage import InvalidStorageError, Storage, default_storage, storages
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.Model):
    """A kind of consultation activity (公示公告, 问卷调查, 座谈会 …). Data a locality extends."""

    code = models.SlugField(_("Code"), max_length=30, unique=True)
    name = models.CharField(_("Name"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("Order"), default=0)

    class Meta:
        verbose_name = _("Kind of consultation activity")
        verbose_name_plural = _("Kinds of consultation activity")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class DecisionOption(models.Model):
    """What a collective decision may decide (实施 / 暂缓实施 / 不予实施), beside the level
    scheme's recommendation it corresponds to."""

    code = models.SlugField(_("Code"), max_length=20, unique=True)
    name = models.CharField(_("Decision"), max_length=20, unique=True)
    recommendation = models.CharField(
        _("Corresponding recommendation"),
        max_length=10,
        choices=[
            ("approve", _("Approve implementation")),
            ("defer", _("Defer implementation")),
            ("reject", _("Do not implement")),
        ],
    )
    order = models.PositiveSmallIntegerField(_("Order"), default=0)

    class Meta:
        verbose_name = _("Decision option")
        verbose_name_plural = _("Decision options")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Row(models.Model):
    """A row of an ordered list belonging to one assessment. Rows are updated in place (by
    id) when the list is saved, so what points at a row — an opinion at its activity, an
    attachment at its activity — survives reordering."""

    order = models.PositiveSmallIntegerField(_("Order"), default=0)

    class Meta:
        abstract = True
        ordering = ["assessment", "order", "id"]


class BasisDocument(Row):
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="basis_documents",
        verbose_name=_("Assessment"),
    )
    title = models.CharField(_("Document title"), max_length=200)
    number = models.CharField(_("Document number"), max_length=60, blank=True)
    issuer = models.CharField(_("Issuing body"), max_length=100, blank=True)

    class Meta(Row.Meta):
        verbose_name = _("Basis document")
        verbose_name_plural = _("Basis documents")

    def __str__(self) -> str:
        return self.title


class WorkingGroupMember(Row):
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="working_group",
        verbose_name=_("Assessment"),
    )
    name = models.CharField(_("Name"), max_length=30)
    unit = models.CharField(_("Unit"), max_length=100)
    role = models.CharField(_("Role in the group"), max_length=50)

    class Meta(Row.Meta):
        verbose_name = _("Working group member")
        verbose_name_plural = _("Working group")

    def __str__(self) -> str:
        return self.name


class ConsultationActivity(Row):
    """One activity of public participation: when, where, who, how many, what was heard."""

    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("Assessment"),
    )
    kind = models.ForeignKey(
        ActivityKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("Kind")
    )
    start_date = models.DateField(_("Date (from)"))
    end_date = models.DateField(_("Until"), null=True, blank=True)
    place = models.CharField(_("Place or channel"), max_length=200)
    participants = models.PositiveIntegerField(_("Participants"), null=True, blank=True)
    questionnaires_issued = models.PositiveIntegerField(
        _("Questionnaires issued"), null=True, blank=True
    )
    questionnaires_returned = models.PositiveIntegerField(
        _("Questionnaires returned"), null=True, blank=True
    )
    questionnaires_in_favour = models.PositiveIntegerField(
        _("Returned in favour"), null=True, blank=True
    )
    summary = models.TextField(_("What was heard"), max_length=2000)

    class Meta(Row.Meta):
        verbose_name = _("Consultation activity")
        verbose_name_plural = _("Consultation activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="activity_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(questionnaires_returned__isnull=True)
                | Q(questionnaires_issued__isnull=True)
                | Q(questionnaires_returned__lte=models.F("questionnaires_issued")),
                name="activity_returned_le_issued",
            ),
            models.CheckConstraint(
                condition=Q(questionnaires_in_favour__isnull=True)
                | Q(questionnaires_returned__isnull=True)
                | Q(questionnaires_in_favour__lte=models.F("questionnaires_returned")),
                name="activity_favour_le_returned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.start_date}"


class OpinionSource(models.TextChoices):
    """Who raised an opinion, as a category: a private person is never named here."""

    RESIDENTS = "residents", _("Affected residents")
    REPRESENTATIVES = "representatives", _("Residents' representatives")
    DEPUTIES = "deputies", _("People's congress deputies and CPPCC members")
    DEPARTMENTS = "departments", _("Government departments")
    EXPERTS = "experts", _("Experts")
    ENTERPRISES = "enterprises", _("Enterprises")
    OTHER = "other", _("Others")


class Adoption(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    PARTLY = "partly", _("Partly adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class Opinion(Row):
    """One entry of 各方意见及采纳情况."""

    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="opinions",
        verbose_name=_("Assessment"),
    )
    activity = models.ForeignKey(
        ConsultationActivity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name=_("Source activity"),
    )
    raised_by = models.CharField(_("Raised by"), max_length=20, choices=OpinionSource.choices)
    content = models.TextField(_("Opinion"), max_length=2000)
    adoption = models.CharField(_("Adoption"), max_length=20, choices=Adoption.choices)
    response = models.TextField(_("Response or reason"), max_length=2000, blank=True)

    class Meta(Row.Meta):
        verbose_name = _("Opinion")
        verbose_name_plural = _("Opinions and their adoption")
        constraints = [
            models.CheckConstraint(
                condition=Q(raised_by__in=OpinionSource.values), name="opinion_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(adoption__in=Adoption.values), name="opinion_adoption_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.content[:30]


class ExpertMember(Row):
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="experts",
        verbose_name=_("Assessment"),
    )
    name = models.CharField(_("Name"), max_length=30)
    title = models.CharField(_("Professional title"), max_length=50)
    organisation = models.CharField(_("Organisation"), max_length=100)

    class Meta(Row.Meta):
        verbose_name = _("Panel expert")
        verbose_name_plural = _("Expert panel")

    def __str__(self) -> str:
        return self.name


class EmergencyContact(Row):
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="emergency_contacts",
        verbose_name=_("Assessment"),
    )
    name = models.CharField(_("Name"), max_length=30)
    role = models.CharField(_("Duty"), max_length=100)
    phone = models.CharField(_("Phone"), max_length=20)

    class Meta(Row.Meta):
        verbose_name = _("Emergency contact")
        verbose_name_plural = _("Emergency contacts")

    def __str__(self) -> str:
        return self.name


class StandardRecord(models.Model):
    """The single-valued parts of a standard assessment: who is responsible, the expert
    panel's verdict, the emergency plan's command and measures, the collective decision."""

    assessment = models.OneToOneField(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="standard_record",
        verbose_name=_("Assessment"),
    )
    responsible_leader = models.CharField(_("Responsible leader"), max_length=60, blank=True)
    third_party = models.CharField(_("Third-party assessor"), max_length=100, blank=True)
    expert_date = models.DateField(_("Date of the expert review"), null=True, blank=True)
    expert_level = models.ForeignKey(
        "assessments.RiskLevel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Level found by the panel"),
    )
    expert_recommendation = models.CharField(
        _("Panel's recommendation"),
        max_length=10,
        blank=True,
        choices=[
            ("approve", _("Approve implementation")),
            ("defer", _("Defer implementation")),
            ("reject", _("Do not implement")),
        ],
    )
    expert_opinion = models.TextField(_("Panel's opinion"), max_length=5000, blank=True)
    emergency_triggers = models.TextField(_("Trigger conditions"), max_length=2000, blank=True)
    emergency_command_leader = models.CharField(_("Commander"), max_length=60, blank=True)
    emergency_command_units = models.CharField(_("Responsible units"), max_length=300, blank=True)
    emergency_measures = models.TextField(_("Response measures"), max_length=5000, blank=True)
    meeting_kind = models.CharField(_("Meeting"), max_length=60, blank=True)
    meeting_date = models.DateField(_("Meeting date"), null=True, blank=True)
    meeting_chair = models.CharField(_("Chaired by"), max_length=60, blank=True)
    meeting_attendance = models.CharField(_("Attendance"), max_length=300, blank=True)
    decision = models.ForeignKey(
        DecisionOption,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Decision"),
    )

    class Meta:
        verbose_name = _("Standard-mode record")
        verbose_name_plural = _("Standard-mode records")

    def __str__(self) -> str:
        return str(self.assessment)


# --- mode rules (data) ---------------------------------------------------------------------


class Measure(models.TextChoices):
    """The project figures a threshold can be set on (the project step asks for them)."""

    HOUSEHOLDS = "households_relocated", _("Households relocated")
    RESETTLED = "people_resettled", _("People resettled")
    FARMLAND = "farmland_mu", _("Farmland occupied (mu)")
    ENVIRONMENT = "environmental_category", _("Environmental assessment category")
    INVESTMENT = "investment_wan", _("Investment (10,000 yuan)")
    AFFECTED = "people_affected", _("People directly affected")


class ModeThreshold(models.Model):
    """A project at or above this figure should be assessed in standard mode."""

    measure = models.CharField(_("Figure"), max_length=30, choices=Measure.choices, unique=True)
    minimum = models.DecimalField(_("At or above"), max_digits=14, decimal_places=2)
    source = models.CharField(_("Source of the rule"), max_length=200)

    class Meta:
        verbose_name = _("Standard-mode threshold")
        verbose_name_plural = _("Standard-mode thresholds")
        ordering = ["measure"]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} ≥ {self.minimum}"


class RuleKind(models.TextChoices):
    ACTIVITY_REQUIRED = "activity_required", _("An activity of this kind is required")
    OTHER_KINDS = "other_kinds", _("At least this many other kinds of activity")
    EXPERT_PANEL = "expert_panel", _("An expert panel of at least this many")


class ProcedureRule(models.Model):
    """One part of the minimum procedure of a standard assessment, with where it comes from.

    `activity_required` needs one activity of `activity_kind`; `other_kinds` needs `number`
    distinct kinds besides the required ones; `expert_panel` needs `number` experts — only
    for projects whose investment is at or above `min_investment_wan`, when it is set (the
    rule with the highest applicable minimum wins).
    """

    kind = models.CharField(_("Rule"), max_length=30, choices=RuleKind.choices)
    activity_kind = models.ForeignKey(
        ActivityKind,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Kind of activity"),
    )
    number = models.PositiveSmallIntegerField(_("Number"), default=1)
    min_investment_wan = models.DecimalField(
        _("Applies from an investment of (10,000 yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    source = models.CharField(_("Source of the rule"), max_length=200)

    class Meta:
        verbose_name = _("Minimum procedure rule")
        verbose_name_plural = _("Minimum procedure of standard mode")
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RuleKind.values), name="procedure_rule_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="activity_required") | Q(activity_kind__isnull=False),
                name="procedure_rule_names_its_activity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.number})"


# --- evidence ------------------------------------------------------------------------------


def attachment_storage() -> Storage:
    """The storage alias "attachments" when configured, else the default storage."""
    try:
        return storages["attachments"]
    except InvalidStorageError:
        return default_storage


class AttachmentSection(models.TextChoices):
    ACTIVITY = "activity", _("Consultation activity")
    EXPERT = "expert", _("Expert review")
    DECISION = "decision", _("Collective decision")


class Attachment(models.Model):
    """An evidence file (PDF, JPEG or PNG), kept in Django's storage under its SHA-256.

    Never executed and never rendered into the report: the report lists it by name and hash.
    """

    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("Assessment"),
    )
    section = models.CharField(_("Evidence of"), max_length=20, choices=AttachmentSection.choices)
    activity = models.ForeignKey(
        ConsultationActivity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("Consultation activity"),
    )
    name = models.CharField(_("File name"), max_length=150)
    content_type = models.CharField(_("Type"), max_length=30)
    size = models.PositiveIntegerField(_("Size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(
        _("File"), upload_to="attachments/", storage=attachment_storage, max_length=200
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("Uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("Attachment")
        verbose_name_plural = _("Attachments")
        ordering = ["assessment", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(section__in=AttachmentSection.values), name="attachment_section_valid"
            ),
            models.CheckConstraint(
                condition=Q(section="activity", activity__isnull=False)
                | (~Q(section="activity") & Q(activity__isnull=True)),
                name="attachment_activity_iff_section",
            ),
        ]

    def __str__(self) -> str:
        return self.name


__all__ = [
    "ActivityKind",
    "Adoption",
    "Attachment",
    "AttachmentSection",
    "BasisDocument",
    "ConsultationActivity",
    "DecisionOption",
    "EmergencyContact",
    "ExpertMember",
    "Measure",
    "ModeThreshold",
    "Opinion",
    "OpinionSource",
    "ProcedureRule",
    "RuleKind",
    "StandardRecord",
    "WorkingGroupMember",
]
