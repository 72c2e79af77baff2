"""Tracking records and post-evaluations of an issued assessment (issue 18, point 3)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Carried, PostEvaluation, TrackingRecord
from .base import require_printable

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOT_IN_FUTURE = _("This date is in the future: enter the day it happened.")


def _not_in_future(form: forms.BaseForm, name: str) -> None:
    value = form.cleaned_data.get(name)
    if value and value > timezone.localdate():
        form.add_error(name, NOT_IN_FUTURE)


class TrackingForm(forms.ModelForm):
    """The record's fields and, for each risk point, whether its measures were carried out
    (a field `measure_<risk point id>`; "not known" unless someone says otherwise)."""

    class Meta:
        model = TrackingRecord
        fields = ["due_date", "tracked_by", "tracked_on", "findings", "new_risks"]
        widgets = {
            "due_date": DATE_WIDGET,
            "tracked_on": DATE_WIDGET,
            "findings": forms.Textarea(attrs={"rows": 4}),
            "new_risks": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "findings": _(
                "Until something found is recorded, a record past its due date is overdue."
            ),
        }

    def __init__(self, *args, risk_points=(), **kwargs):
        super().__init__(*args, **kwargs)
        require_printable(self)
        known = (
            {check.risk_point_id: check.carried_out for check in self.instance.measure_checks.all()}
            if self.instance.pk
            else {}
        )
        self.risk_points = list(risk_points)
        for point in self.risk_points:
            self.fields[self.measure_field(point.pk)] = forms.ChoiceField(
                label=_("Measures for “%(risk)s”: %(measures)s")
                % {"risk": point.description[:60], "measures": point.mitigation[:120]},
                choices=Carried.choices,
                initial=known.get(point.pk, Carried.UNKNOWN),
                required=False,  # nothing said is "not known", never "no"
            )

    @staticmethod
    def measure_field(point_id: int) -> str:
        return f"measure_{point_id}"

    def clean(self):
        cleaned = super().clean()
        _not_in_future(self, "tracked_on")
        if cleaned.get("tracked_on") and not (cleaned.get("findings") or "").strip():
            self.add_error("findings", _("Say what was found on the day of tracking."))
        return cleaned

    def record_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def measures(self) -> dict[int, str]:
        return {
            point.pk: self.cleaned_data[self.measure_field(point.pk)] or Carried.UNKNOWN
            for point in self.risk_points
        }


class PostEvaluationForm(forms.ModelForm):
    class Meta:
        model = PostEvaluation
        fields = ["trigger", "started_on", "evaluated_by", "findings"]
        widgets = {"started_on": DATE_WIDGET, "findings": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_printable(self)

    def clean(self):
        cleaned = super().clean()
        _not_in_future(self, "started_on")
        return cleaned

    def evaluation_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}
