"""The unit's choice of report outline per mode. The form parses; `services.outlines`
decides and records."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from ..models import Mode, Outline


class UnitOutlineForm(forms.Form):
    """One choice per mode; empty inherits the parent's outline (named in the empty label)."""

    def __init__(self, *args, inherited: dict[str, Outline], **kwargs):
        super().__init__(*args, **kwargs)
        for mode in Mode:
            self.fields[mode.value] = forms.ModelChoiceField(
                label=_("Outline of %(mode)s reports") % {"mode": mode.label},
                queryset=Outline.objects.filter(mode=mode).order_by("name"),
                required=False,
                empty_label=_("Inherited from the parent unit or the default: %(outline)s")
                % {"outline": inherited[mode.value].name},
                error_messages={
                    "invalid_choice": _("Choose one of the outlines written for this mode.")
                },
            )
