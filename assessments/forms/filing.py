"""备案 (issue 18, point 1): what the clerk adds when filing, and the oversight unit's
written opinion or reason for returning."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import TEXT_LIMITS, Filing
from .base import require_printable
from .tracking import DATE_WIDGET, _not_in_future


class FilingForm(forms.ModelForm):
    """All optional: the 报备表 prints only what is given here."""

    class Meta:
        model = Filing
        fields = ["result_use", "decision_opinion", "decision_opinion_date", "remarks"]
        widgets = {
            "result_use": forms.Textarea(attrs={"rows": 3}),
            "decision_opinion": forms.Textarea(attrs={"rows": 3}),
            "decision_opinion_date": DATE_WIDGET,
            "remarks": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "decision_opinion": _(
                "Left empty in standard mode, the form prints the collective decision recorded."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_printable(self)

    def clean(self):
        cleaned = super().clean()
        _not_in_future(self, "decision_opinion_date")
        return cleaned

    def filing_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class FilingTextForm(forms.Form):
    """The oversight unit's written opinion, or why it returns the filing."""

    text = forms.CharField(
        label=_("Written opinion"),
        max_length=TEXT_LIMITS["filing_opinion"],
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write the text: it is what the filing records.")},
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label
        require_printable(self)
