"""The wizard's form for the outline's free sections: one text per section of the locality's
own (issue 16), each headed as the report will print it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import TEXT_LIMITS
from .base import require_printable, valid_data


class FreeSectionsForm(forms.Form):
    def __init__(self, *args, sections: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        for section in sections:
            # Not required: a draft may leave a section for later; submission asks for it.
            self.fields[section["key"]] = forms.CharField(
                label=f"{section['number']}{section['title']}",
                widget=forms.Textarea(attrs={"rows": 8}),
                max_length=TEXT_LIMITS["free_section"],
                required=False,
                help_text=_(
                    "A section of your locality's report outline. Printed under this heading "
                    "as written. One paragraph per line."
                ),
            )
        require_printable(self)

    def texts(self) -> dict[str, str]:
        """The sections whose text is valid (a draft save stores these)."""
        return valid_data(self)
