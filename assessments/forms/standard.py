"""Forms of the standard-mode steps (一般评估): rows of records and the single-valued parts.

Forms parse and show errors beside the field; what is required before submission is decided
by the content rules (`assessments.content`), not here.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import (
    TEXT_LIMITS,
    ActivityKind,
    Adoption,
    ConsultationActivity,
    OpinionSource,
    StandardRecord,
)
from .base import BaseRowFormSet, RowForm, require_printable, validate_phone
from .marks import add_marks, merged, split_marks

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordRowForm(RowForm):
    """A row that keeps its identity across saves (hidden id), so what refers to it stays."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)


def row_formset(form, max_num: int = 50):
    return forms.formset_factory(
        form,
        formset=BaseRowFormSet,
        extra=0,
        can_delete=True,
        can_order=True,
        max_num=max_num,
        validate_max=True,
    )


class BasisDocumentForm(RecordRowForm):
    title = forms.CharField(
        label=_("Document title"),
        max_length=200,
        help_text=_("e.g. 《重大行政决策程序暂行条例》 or the project's approval."),
    )
    number = forms.CharField(
        label=_("Document number"),
        max_length=60,
        required=False,
        help_text=_("文号, e.g. 发改投资〔2012〕2492号."),
    )
    issuer = forms.CharField(
        label=_("Issuing body"),
        max_length=100,
        required=False,
        help_text=_("Who issued it, e.g. 国务院, 省发展改革委."),
    )


class WorkingGroupForm(RecordRowForm):
    name = forms.CharField(label=_("Name"), max_length=30, help_text=_("The member's name."))
    unit = forms.CharField(
        label=_("Unit"), max_length=100, help_text=_("The unit the member works for.")
    )
    role = forms.CharField(
        label=_("Role in the group"), max_length=50, help_text=_("e.g. 组长, 副组长, 成员.")
    )


class ActivityForm(RecordRowForm):
    """One activity, or a summary-level line ("座谈会1次"): the kind and how many times are
    enough; date, place and the rest are given where the source states them."""

    MARKS = ("occasions", "start_date", "place", "participants")

    kind = forms.ChoiceField(label=_("Kind"), help_text=_("How the public was consulted."))
    occasions = forms.IntegerField(
        label=_("Times held"),
        min_value=1,
        required=False,
        help_text=_(
            'How many times, where the source gives a number ("座谈会2次"). Empty on a '
            "dated row: one activity."
        ),
    )
    start_date = forms.DateField(
        label=_("Date (from)"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("When it took place, if the source says."),
    )
    end_date = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("For a public notice: the last day it was posted."),
    )
    place = forms.CharField(
        label=_("Place or channel"),
        max_length=200,
        required=False,
        help_text=_("Where, or through which channel (a website, a notice board)."),
    )
    participants = forms.IntegerField(
        label=_("Participants"),
        min_value=0,
        required=False,
        help_text=_("How many took part, if the source says."),
    )
    questionnaires_issued = forms.IntegerField(
        label=_("Questionnaires issued"),
        min_value=0,
        required=False,
        help_text=_("A questionnaire survey: how many were handed out."),
    )
    questionnaires_returned = forms.IntegerField(
        label=_("Questionnaires returned"),
        min_value=0,
        required=False,
        help_text=_("How many came back."),
    )
    questionnaires_in_favour = forms.IntegerField(
        label=_("Returned in favour"),
        min_value=0,
        required=False,
        help_text=_("How many of those returned were in favour; gives the support rate."),
    )
    summary = forms.CharField(
        label=_("What was heard"),
        max_length=TEXT_LIMITS["activity_summary"],
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("The main opinions heard, if the source gives them."),
    )

    def __init__(self, *args, kinds: dict[str, ActivityKind], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["kind"].choices = [("", "—")] + [
            (str(pk), kind.name) for pk, kind in kinds.items()
        ]
        add_marks(self, self.MARKS, self.initial.get("not_stated"))

    def clean_kind(self) -> ActivityKind:
        return self.kinds[self.cleaned_data["kind"]]

    def clean(self):
        cleaned = super().clean()
        cleaned["not_stated"] = split_marks(self, cleaned)
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if end and not start:
            self.add_error("start_date", _("Give the first day as well as the last."))
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        issued = cleaned.get("questionnaires_issued")
        returned = cleaned.get("questionnaires_returned")
        in_favour = cleaned.get("questionnaires_in_favour")
        if issued is not None and returned is not None and returned > issued:
            self.add_error(
                "questionnaires_returned", _("More questionnaires returned than issued.")
            )
        if returned is not None and in_favour is not None and in_favour > returned:
            self.add_error(
                "questionnaires_in_favour", _("More in favour than questionnaires returned.")
            )
        return cleaned


class OpinionForm(RecordRowForm):
    activity = forms.ChoiceField(
        label=_("Source activity"),
        required=False,
        help_text=_("The activity where it was heard, if known."),
    )
    raised_by = forms.ChoiceField(
        label=_("Raised by"),
        choices=[("", "—"), *OpinionSource.choices],
        help_text=_("A category; never a private person's name."),
    )
    content = forms.CharField(
        label=_("Opinion"),
        max_length=TEXT_LIMITS["opinion_content"],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was said, in a sentence."),
    )
    adoption = forms.ChoiceField(
        label=_("Adoption"),
        choices=[("", "—"), *Adoption.choices],
        help_text=_("Whether the opinion was taken up."),
    )
    response = forms.CharField(
        label=_("Response or reason"),
        max_length=TEXT_LIMITS["opinion_response"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How it was taken up, or why not."),
    )

    def __init__(self, *args, activities: dict[str, ConsultationActivity], **kwargs):
        super().__init__(*args, **kwargs)
        self.activities = activities
        self.fields["activity"].choices = [("", "—")] + [
            (pk, f"{n}. {a.kind.name} {a.start_date or ''}".strip())
            for n, (pk, a) in enumerate(activities.items(), start=1)
        ]

    def clean_activity(self) -> ConsultationActivity | None:
        value = self.cleaned_data["activity"]
        return self.activities[value] if value else None

    def clean(self):
        cleaned = super().clean()
        adoption = cleaned.get("adoption")
        if adoption and adoption != Adoption.ADOPTED and not cleaned.get("response", "").strip():
            self.add_error(
                "response", _("Say why an opinion was not adopted, or only partly adopted.")
            )
        return cleaned


class ExpertForm(RecordRowForm):
    """An expert whose name is known; when the source gives only a number, it goes in
    "Number of experts" above instead."""

    name = forms.CharField(label=_("Name"), max_length=30, help_text=_("The expert's name."))
    title = forms.CharField(
        label=_("Professional title"),
        max_length=50,
        required=False,
        help_text=_("e.g. 高级工程师, 教授. Leave empty if the source does not say."),
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=100,
        required=False,
        help_text=_("Where the expert works, if the source says."),
    )
    opinion = forms.CharField(
        label=_("This expert's opinion"),
        max_length=TEXT_LIMITS["expert_member_opinion"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The expert's own opinion, when the source records it."),
    )


class EmergencyContactForm(RecordRowForm):
    name = forms.CharField(label=_("Name"), max_length=30, help_text=_("Who to call."))
    role = forms.CharField(
        label=_("Duty"), max_length=100, help_text=_("Their duty in the response.")
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        validators=[validate_phone],
        help_text=_("Mobile, or landline with area code."),
    )


BasisDocumentFormSet = row_formset(BasisDocumentForm)
WorkingGroupFormSet = row_formset(WorkingGroupForm)
ActivityFormSet = row_formset(ActivityForm)
OpinionFormSet = row_formset(OpinionForm, max_num=200)
ExpertFormSet = row_formset(ExpertForm, max_num=30)
EmergencyContactFormSet = row_formset(EmergencyContactForm, max_num=30)


class RecordForm(forms.ModelForm):
    """Single-valued parts of the standard record. Blank is allowed while drafting; the
    content rules say what is still missing before submission. Each long text's limit is
    the model's (TEXT_LIMITS), which the form and the browser's counter take from it.
    The parts named in `MARKS` may be marked 未载明 instead (forms.marks)."""

    MARKS: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_printable(self)
        add_marks(self, self.MARKS, self.instance.not_stated)

    def clean(self):
        cleaned = super().clean()
        cleaned["not_stated"] = merged(
            self.instance.not_stated, self.MARKS, split_marks(self, cleaned)
        )
        return cleaned


class SubjectForm(RecordForm):
    MARKS = ("responsible_leader", "working_group")

    class Meta:
        model = StandardRecord
        fields = ["responsible_leader", "third_party"]
        help_texts = {
            "responsible_leader": _("The leader who answers for the assessment, with post."),
            "third_party": _("The third-party assessor, if one was engaged; else leave empty."),
        }


class OpinionFiguresForm(RecordForm):
    """The opinions as a published report counts them, when the register of opinions below
    is not known; and the satisfaction rate the source states."""

    MARKS = ("opinions_count",)

    class Meta:
        model = StandardRecord
        fields = ["opinions_count", "opinions_adopted_count", "satisfaction_rate"]
        help_texts = {
            "opinions_count": _(
                "How many opinions were collected, as the source counts them. Leave empty "
                "when the opinions are listed below: they are counted from the list."
            ),
            "opinions_adopted_count": _("How many of them were adopted, if the source says."),
            "satisfaction_rate": _(
                "The satisfaction rate the source states, in %. With questionnaire figures "
                "on the consultation step the support rate is computed from them instead."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        count, adopted = cleaned.get("opinions_count"), cleaned.get("opinions_adopted_count")
        if count is not None and adopted is not None and adopted > count:
            self.add_error("opinions_adopted_count", _("More adopted than collected."))
        return cleaned


class ExpertReviewForm(RecordForm):
    MARKS = ("expert_count", "expert_date", "expert_opinion")

    class Meta:
        model = StandardRecord
        fields = [
            "expert_count",
            "expert_date",
            "expert_level",
            "expert_recommendation",
            "expert_opinion",
        ]
        widgets = {
            "expert_date": DATE_WIDGET,
            "expert_opinion": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "expert_count": _(
                "How many experts, when the source gives a number but not their names. "
                "Leave empty when the panel is listed below: it is counted from the list."
            ),
            "expert_date": _("When the panel met, if the source says."),
            "expert_level": _("The risk level the panel found."),
            "expert_recommendation": _("What the panel recommended."),
            "expert_opinion": _("The panel's opinion as a whole. One paragraph per line."),
        }


class EmergencyPlanForm(RecordForm):
    MARKS = (
        "emergency_triggers",
        "emergency_command_leader",
        "emergency_measures",
        "emergency_contacts",
    )

    class Meta:
        model = StandardRecord
        fields = [
            "emergency_triggers",
            "emergency_command_leader",
            "emergency_command_units",
            "emergency_measures",
        ]
        widgets = {
            "emergency_triggers": forms.Textarea(attrs={"rows": 3}),
            "emergency_measures": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "emergency_triggers": _("What starts the plan, e.g. 群众聚集上访."),
            "emergency_command_leader": _("Who commands the response, with post."),
            "emergency_command_units": _("The units that respond, separated by 、."),
            "emergency_measures": _("What is done when the plan starts. One step per line."),
        }


class DecisionForm(RecordForm):
    MARKS = ("meeting_kind", "meeting_date", "meeting_chair")

    class Meta:
        model = StandardRecord
        fields = [
            "meeting_kind",
            "meeting_date",
            "meeting_chair",
            "meeting_attendance",
            "decision",
        ]
        widgets = {"meeting_date": DATE_WIDGET}
        help_texts = {
            "meeting_kind": _("e.g. 区政府常务会议, 局党组会议."),
            "meeting_attendance": _("Who attended, e.g. 区长、副区长及相关部门负责人共15人."),
            "meeting_date": _("When the meeting decided, if the source says."),
            "meeting_chair": _("Who chaired the meeting, if the source says."),
            "decision": _("What the meeting decided."),
        }
