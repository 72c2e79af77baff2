"""The 公示 (publicity) period of an assessment (issue 18, point 2)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Enter a date such as 2026-03-01.")}


class PublicityForm(forms.Form):
    """Start and end of the period. With a start and no end, the end follows from the
    locality's default length for the kind of matter (`default_days`), when it sets one."""

    start = forms.DateField(
        label=_("Publicity starts"),
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
    )
    end = forms.DateField(
        label=_("Publicity ends (last day)"),
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
    )

    def __init__(self, *args, default_days: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_days = default_days
        if default_days:
            self.fields["end"].help_text = _(
                "Left empty: %(days)s days from the start, the length this locality sets."
            ) % {"days": default_days}
        else:
            self.fields["end"].help_text = _(
                "This locality sets no default length for this kind of matter: enter the last day."
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if end and not start:
            self.add_error("start", _("Enter the day the publicity starts."))
        elif start and not end:
            if self.default_days:
                data["end"] = start + datetime.timedelta(days=self.default_days - 1)
            else:
                self.add_error(
                    "end",
                    _("Enter the last day: no default length is set for this kind of matter."),
                )
        elif start and end and end < start:
            self.add_error("end", _("The publicity cannot end before it starts."))
        return data
