"""The steps standard mode (一般评估) adds to the guided form, in the procedure's order.

Each step edits some rows of records and/or single-valued parts of the standard record; the
view is the same for every step, and completeness is asked of `assessments.content`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..forms.standard import (
    ActivityFormSet,
    BasisDocumentFormSet,
    DecisionForm,
    EmergencyContactFormSet,
    EmergencyPlanForm,
    ExpertFormSet,
    ExpertReviewForm,
    OpinionFiguresForm,
    OpinionFormSet,
    SubjectForm,
    WorkingGroupFormSet,
)
from ..models import (
    ActivityKind,
    Assessment,
    AttachmentSection,
    BasisDocument,
    ConsultationActivity,
    EmergencyContact,
    ExpertMember,
    Opinion,
    StandardRecord,
    WorkingGroupMember,
)
from ..services import editing
from .attachments import attachment_context
from .steps import Step


@dataclass(frozen=True)
class Rows:
    """One editable list on a step: its formset, model, related name and labels."""

    prefix: str
    formset: type
    model: type
    related_name: str
    title: object
    add_label: object

    def initial(self, assessment: Assessment) -> list[dict]:
        rows = sorted(
            getattr(assessment, self.related_name).all(), key=lambda row: (row.order, row.pk)
        )
        names = [
            name for name in self.formset.form.base_fields if name not in ("id", "ORDER", "DELETE")
        ]
        # A row's 未载明 marks go with it (forms.marks reads them from the initial data).
        marks = ("not_stated",) if hasattr(self.model, "not_stated") else ()
        return [
            {"id": row.pk, **{name: _initial(row, name) for name in (*names, *marks)}}
            for row in rows
        ]


def _initial(row, name: str):
    """A form's value for the row's field: a foreign key as its id, as the choices hold it."""
    if f"{name}_id" in row.__dict__:
        value = row.__dict__[f"{name}_id"]
        return str(value) if value is not None else ""
    return getattr(row, name)


def _record(assessment: Assessment) -> StandardRecord:
    """The assessment's standard record, or an unsaved blank one to show empty fields."""
    try:
        return assessment.standard_record
    except StandardRecord.DoesNotExist:
        return StandardRecord(assessment=assessment)


# How wide a row's field is drawn (the rest share what is left of the line).
WIDE_FIELDS = ("summary", "content", "response", "resolution", "title", "opinion")
MEDIUM_FIELDS = ("place", "unit", "organisation", "issuer", "role", "number")


class StandardStep(Step):
    """A step of rows (`rows`) and/or single-valued parts of the record (`record_form`).
    Its rows refer to one another (an opinion to its source activity), so a post stores
    nothing until the whole step is valid."""

    rows: tuple[Rows, ...] = ()
    record_form: type | None = None
    # The kind of evidence files uploaded on this step, if any.
    attachment_section: str | None = None

    def changes(self, forms, valid):
        return self.apply(forms) if valid else None

    def context(self, assessment, user):
        if self.attachment_section is None:
            return {}
        return attachment_context(assessment, self.attachment_section)

    def form_kwargs(self, assessment: Assessment, rows: Rows) -> dict:
        return {}

    def forms(self, assessment, data=None, add_row=None):
        forms = {}
        if self.record_form is not None:
            forms["form"] = self.record_form(data, instance=_record(assessment))
        for spec in self.rows:
            initial = spec.initial(assessment)
            formset = spec.formset(
                data,
                initial=initial,
                prefix=spec.prefix,
                form_kwargs=self.form_kwargs(assessment, spec),
            )
            formset.title = spec.title
            formset.add_label = spec.add_label
            formset.wide_fields, formset.medium_fields = WIDE_FIELDS, MEDIUM_FIELDS
            if data is None and (add_row == spec.prefix or not initial):
                formset.extra = 1
            forms[spec.prefix] = formset
        return forms

    def apply(self, forms):
        def apply(assessment):
            if self.record_form is not None:
                editing.standard_record_update(
                    assessment=assessment, data=forms["form"].cleaned_data
                )
            for spec in self.rows:
                editing.rows_sync(
                    assessment=assessment, model=spec.model, rows=forms[spec.prefix].rows()
                )

        return apply


BASIS = Rows(
    "basis",
    BasisDocumentFormSet,
    BasisDocument,
    "basis_documents",
    _("Basis documents"),
    _("Add a document"),
)
WORKING_GROUP = Rows(
    "group",
    WorkingGroupFormSet,
    WorkingGroupMember,
    "working_group",
    _("Working group"),
    _("Add a member"),
)
ACTIVITIES = Rows(
    "activities",
    ActivityFormSet,
    ConsultationActivity,
    "activities",
    _("Consultation activities"),
    _("Add an activity"),
)
OPINIONS = Rows(
    "opinions",
    OpinionFormSet,
    Opinion,
    "opinions",
    _("Opinions and their adoption"),
    _("Add an opinion"),
)
EXPERTS = Rows(
    "experts", ExpertFormSet, ExpertMember, "experts", _("Expert panel"), _("Add an expert")
)
EMERGENCY_CONTACTS = Rows(
    "emergency_contacts",
    EmergencyContactFormSet,
    EmergencyContact,
    "emergency_contacts",
    _("Emergency contacts"),
    _("Add a contact"),
)


class BasisStep(StandardStep):
    rows = (BASIS,)


class SubjectStep(StandardStep):
    record_form = SubjectForm
    rows = (WORKING_GROUP,)


class ConsultationStep(StandardStep):
    rows = (ACTIVITIES,)
    attachment_section = AttachmentSection.ACTIVITY

    def form_kwargs(self, assessment, rows):
        return {"kinds": {str(kind.pk): kind for kind in ActivityKind.objects.all()}}


class OpinionsStep(StandardStep):
    record_form = OpinionFiguresForm
    rows = (OPINIONS,)

    def form_kwargs(self, assessment, rows):
        activities = sorted(assessment.activities.all(), key=lambda a: (a.order, a.pk))
        return {"activities": {str(a.pk): a for a in activities}}


class ExpertStep(StandardStep):
    record_form = ExpertReviewForm
    rows = (EXPERTS,)
    attachment_section = AttachmentSection.EXPERT


class EmergencyStep(StandardStep):
    record_form = EmergencyPlanForm
    rows = (EMERGENCY_CONTACTS,)


class DecisionStep(StandardStep):
    record_form = DecisionForm
    attachment_section = AttachmentSection.DECISION


TEMPLATE = "assessments/steps/standard.html"
