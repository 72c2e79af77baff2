"""The records of a standard assessment (一般评估), after DESIGN §3 and §5."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .fields import bounded_text, length_limit
from .scheme import ActivityKind, DecisionOption, Recommendation


def not_stated_field():
    """The names of this row's optional figures the user marked 未载明 (the source does not
    state them): given, marked, or empty are three different answers (content.figures)."""
    return models.JSONField(_("Marked not stated"), default=list, blank=True)


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
    """One activity of public participation: when, where, who, how many, what was heard.
    A summary-level record (a published report that says only "座谈会1次") gives the kind and
    how many times, and no date or place."""

    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("Assessment"),
    )
    kind = models.ForeignKey(
        ActivityKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("Kind")
    )
    occasions = models.PositiveIntegerField(
        _("Times held"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    start_date = models.DateField(_("Date (from)"), null=True, blank=True)
    end_date = models.DateField(_("Until"), null=True, blank=True)
    place = models.CharField(_("Place or channel"), max_length=200, blank=True)
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
    summary = bounded_text(_("What was heard"), "activity_summary", blank=True)
    not_stated = not_stated_field()

    class Meta(Row.Meta):
        verbose_name = _("Consultation activity")
        verbose_name_plural = _("Consultation activities")
        constraints = [
            length_limit("summary", "activity_summary", "activity_summary_length"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="activity_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(questionnaires_returned__isnull=True)
                | Q(questionnaires_issued__isnull=True)
                | Q(questionnaires_returned__lte=models.F("questionnaires_issued")),
                name="activity_returned_le_issued",
            ),
            models.CheckConstraint(
                condition=Q(occasions__isnull=True) | Q(occasions__gte=1),
                name="activity_occasions_positive",
            ),
            models.CheckConstraint(
                condition=Q(questionnaires_in_favour__isnull=True)
                | Q(questionnaires_returned__isnull=True)
                | Q(questionnaires_in_favour__lte=models.F("questionnaires_returned")),
                name="activity_favour_le_returned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.start_date or ''}".strip()


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
    content = bounded_text(_("Opinion"), "opinion_content")
    adoption = models.CharField(_("Adoption"), max_length=20, choices=Adoption.choices)
    response = bounded_text(_("Response or reason"), "opinion_response", blank=True)

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
            length_limit("content", "opinion_content", "opinion_content_length"),
            length_limit("response", "opinion_response", "opinion_response_length"),
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
    title = models.CharField(_("Professional title"), max_length=50, blank=True)
    organisation = models.CharField(_("Organisation"), max_length=100, blank=True)
    opinion = bounded_text(_("This expert's opinion"), "expert_member_opinion", blank=True)

    class Meta(Row.Meta):
        verbose_name = _("Panel expert")
        verbose_name_plural = _("Expert panel")
        constraints = [
            length_limit("opinion", "expert_member_opinion", "expert_member_opinion_length")
        ]

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
    panel's verdict, the emergency plan's command and measures, the collective decision —
    and the summary-level figures a published report gives without the rows behind them
    (how many opinions, how many adopted, how many experts, the satisfaction rate)."""

    assessment = models.OneToOneField(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="standard_record",
        verbose_name=_("Assessment"),
    )
    responsible_leader = models.CharField(_("Responsible leader"), max_length=60, blank=True)
    third_party = models.CharField(_("Third-party assessor"), max_length=100, blank=True)
    opinions_count = models.PositiveIntegerField(_("Opinions collected"), null=True, blank=True)
    opinions_adopted_count = models.PositiveIntegerField(
        _("Opinions adopted"), null=True, blank=True
    )
    satisfaction_rate = models.DecimalField(
        _("Satisfaction rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    expert_count = models.PositiveSmallIntegerField(_("Number of experts"), null=True, blank=True)
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
        choices=Recommendation.choices,
    )
    expert_opinion = bounded_text(_("Panel's opinion"), "expert_opinion", blank=True)
    emergency_triggers = bounded_text(_("Trigger conditions"), "emergency_triggers", blank=True)
    emergency_command_leader = models.CharField(_("Commander"), max_length=60, blank=True)
    emergency_command_units = models.CharField(_("Responsible units"), max_length=300, blank=True)
    emergency_measures = bounded_text(_("Response measures"), "emergency_measures", blank=True)
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
    not_stated = not_stated_field()

    class Meta:
        verbose_name = _("Standard-mode record")
        verbose_name_plural = _("Standard-mode records")
        constraints = [
            *(
                length_limit(field, field, f"standard_record_{field}_length")
                for field in ("expert_opinion", "emergency_triggers", "emergency_measures")
            ),
            models.CheckConstraint(
                condition=Q(opinions_adopted_count__isnull=True)
                | Q(opinions_count__isnull=True)
                | Q(opinions_adopted_count__lte=models.F("opinions_count")),
                name="standard_record_adopted_le_collected",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction_rate__isnull=True)
                | Q(satisfaction_rate__gte=0, satisfaction_rate__lte=100),
                name="standard_record_rate_0_to_100",
            ),
        ]

    def __str__(self) -> str:
        return str(self.assessment)
