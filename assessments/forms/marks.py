"""The 未载明 mark beside an optional figure: a checkbox the user ticks when the source does
not state the figure, so "not stated" is an answer of its own — neither a value invented to
fill the field, nor a field left empty (content.figures has the three states).

A form names the figures it offers the mark for (`mark_fields`); the marks are stored as a
list of names on the row or record (`not_stated`). A name that is not a field of the form
(a whole list, e.g. the working group) gets a checkbox of its own at the end of the form.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..content import GIVEN, state_of

SUFFIX = "__not_stated"

# Marks for a whole list of rows (not a field of the form), by name.
LIST_LABELS = {
    "working_group": _("Working group"),
    "emergency_contacts": _("Emergency contacts"),
}


def add_marks(form: forms.BaseForm, names: tuple[str, ...], marked) -> None:
    """A 未载明 checkbox after each of `names` (ticked if `marked` holds the name)."""
    marked = set(marked or ())
    fields = {}
    for name, field in form.fields.items():
        fields[name] = field
        if name in names:
            fields[name + SUFFIX] = _mark_field(field.label, name in marked)
    for name in names:
        if name not in form.fields:
            fields[name + SUFFIX] = _mark_field(LIST_LABELS[name], name in marked)
    form.fields = fields
    form.mark_names = names


def _mark_field(label, initial: bool) -> forms.BooleanField:
    return forms.BooleanField(
        label=_("%(field)s: not stated in the source (未载明)") % {"field": label},
        required=False,
        initial=initial,
        help_text=_(
            "Tick when the source does not state it. The report then says nothing of it, "
            "the checklist and the reviewer see it marked 未载明, and nothing is invented."
        ),
    )


def split_marks(form: forms.BaseForm, cleaned: dict) -> list[str]:
    """Take the marks out of `cleaned` (refusing a mark beside a value given), and return
    the names marked. Call from the form's `clean`."""
    marked = []
    for name in getattr(form, "mark_names", ()):
        ticked = cleaned.pop(name + SUFFIX, False)
        if not ticked:
            continue
        if name in form.fields and state_of(cleaned.get(name)) == GIVEN:
            form.add_error(
                name + SUFFIX,
                _("Either enter the figure or mark it not stated, not both."),
            )
            continue
        marked.append(name)
    return marked


def merged(existing, form_names: tuple[str, ...], marked: list[str]) -> list[str]:
    """The stored marks after a save of a form that offers `form_names`: the marks of other
    forms kept, this form's as ticked now."""
    return sorted({*(n for n in (existing or ()) if n not in form_names), *marked})
