"""The list's filter form: it parses the query and shows it; `assessments.lists.queries`
selects the rows (and offers the choices, read once per page)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..lists.queries import ORDER_LABELS
from ..models import Mode, Status


class AssessmentFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Project, entity, report number or contact; terms apart")}
        ),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    mode = forms.ChoiceField(label=_("Evaluation mode"), required=False)
    # Plain choices read with one query each: a ModelChoiceField reads its options through
    # a server-side cursor (three round trips) every time the form is drawn.
    risk_level = forms.TypedChoiceField(
        label=_("Risk level"), required=False, coerce=int, empty_value=None
    )
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    ordering = forms.ChoiceField(label=_("Order by"), required=False)

    def __init__(self, *args, units: list[tuple[int, str]], levels: list[tuple[int, str]], **kw):
        super().__init__(*args, **kw)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-control" if name == "q" else "form-select"
        everything = [("", _("All"))]
        self.fields["status"].choices = everything + Status.choices
        self.fields["mode"].choices = everything + Mode.choices
        self.fields["unit"].choices = everything + units
        self.fields["risk_level"].choices = everything + levels
        self.fields["ordering"].choices = list(ORDER_LABELS.items())

    def criteria(self) -> dict[str, Any]:
        """What the user asked for; nothing (the whole list) when the query is malformed."""
        return self.cleaned_data if self.is_valid() else {}
