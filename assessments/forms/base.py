"""What every form of the product shares: text checked where it is typed (line breaks counted
once, no invisible characters, only what the report can print), phone numbers, a draft
step's partial save, and rows the user adds, removes and reorders.

Forms only parse and validate input; saving goes through `assessments.services`, and what
the content still needs is decided by `assessments.content`.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..common.text import one_newline_each, validate_printable, validate_visible

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def _counting_newlines_once(to_python):
    def convert(value):
        return one_newline_each(to_python(value))

    return convert


def require_printable(form: forms.BaseForm) -> None:
    """Every text field of the form: line breaks counted once, no invisible characters,
    only characters the report can print."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            field.to_python = _counting_newlines_once(field.to_python)
            field.validators.extend([validate_visible, validate_printable])


def validate_phone(value: str) -> None:
    compact = value.replace(" ", "")
    if not (MOBILE.match(compact) or LANDLINE.match(compact)):
        raise ValidationError(
            _(
                "Enter an 11-digit mobile number (e.g. 13800000001) or a landline with its "
                "area code (e.g. 0533-6400001)."
            ),
            code="invalid_phone",
        )


def valid_data(form: forms.BaseForm) -> dict:
    """The fields of a (possibly invalid) bound form whose input is valid: a draft save
    stores these and marks only the others."""
    cleaned = getattr(form, "cleaned_data", {})
    return {name: value for name, value in cleaned.items() if name not in form.errors}


class DraftStepForm(forms.ModelForm):
    """A wizard step's model form. A draft may leave a text empty — completeness is checked
    before submission, not on every save — so a field is required only where the model
    cannot store it empty (the project's names, set when it was created)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_printable(self)

    def valid_data(self) -> dict:
        return valid_data(self)


class RowForm(forms.Form):
    """A row in an editable list. Moving a blank row (ORDER) does not make it filled in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        require_printable(self)

    def has_changed(self) -> bool:
        return any(name not in ("ORDER", "DELETE") for name in self.changed_data)


class BaseRowFormSet(forms.BaseFormSet):
    """Rows the user adds, removes (DELETE) and reorders (ORDER); order is kept on save."""

    def rows(self, saved_row=dict) -> list[dict]:
        """The rows to store, in the chosen order: every valid row; for a row with errors
        its saved version if it had one (`saved_row(initial)` turns that into a row), so a
        mistake is marked but never deletes what was stored. Rows marked for removal and
        untouched blank rows are dropped. Call after `is_valid()`."""
        kept = []
        for index, form in enumerate(self.forms):
            cleaned = getattr(form, "cleaned_data", {})
            if cleaned.get("DELETE"):
                continue
            if form.errors:
                if not form.initial:
                    continue
                row = saved_row(form.initial)
            elif not form.has_changed() and not form.initial:
                continue
            else:
                row = {k: v for k, v in cleaned.items() if k not in ("ORDER", "DELETE")}
            order = cleaned.get("ORDER") or index + 1
            kept.append((order, index, row))
        return [row for _order, _index, row in sorted(kept, key=lambda item: item[:2])]
