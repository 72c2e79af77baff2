"""The guided form's steps (填报向导): each step builds its forms (bound or not), says what
saving them changes — and whether a half-valid post may store anything —, what else its page
shows, and when it is complete (asked of the content rules). The view is the same for every
step; the step lists of each mode are in `flow`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from django.forms import BaseFormSet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .. import content, permissions
from ..content import CONTENT_PREFETCH, PART_TITLES
from ..forms.review import SubmitForm
from ..forms.steps import (
    BasicSituationForm,
    ConclusionForm,
    ContactFormSet,
    FindingsForm,
    ProjectInfoForm,
    RiskNarrativeForm,
    RiskPointFormSet,
)
from ..models import Assessment, AttachmentSection, Mode, RiskLevel, RiskPoint, Side, Status
from ..reports.context import render_report_body
from ..services import editing
from .attachments import attachment_context

Apply = Callable[[Assessment], None]


def wizard_queryset():
    """Everything the steps, the indicator and the preview read, in a fixed number of
    queries whatever the number of contacts or risk points."""
    return Assessment.objects.select_related("owner_unit", "author").prefetch_related(
        *CONTENT_PREFETCH
    )


def completeness(assessment: Assessment) -> dict[str, bool]:
    """Which parts are complete, from the content rules; read once per assessment object
    (the step indicator asks for every step)."""
    cached = assessment.__dict__.get("_wizard_completeness")
    if cached is None:
        cached = content.step_completeness(
            content.assessment_content(assessment),
            rules=content.rules_for_assessment(assessment),
        )
        assessment.__dict__["_wizard_completeness"] = cached
    return cached


def wizard_outline(assessment: Assessment) -> dict:
    """The outline the draft's report follows now, read once per assessment object (the
    step list, the indicator, the checklist and the preview all ask for it)."""
    cached = assessment.__dict__.get("_wizard_outline")
    if cached is None:
        cached = content.outline_for(assessment.owner_unit, assessment.mode)
        assessment.__dict__["_wizard_outline"] = cached
    return cached


def _contacts(assessment: Assessment, side: str) -> list:
    return sorted((c for c in assessment.contacts.all() if c.side == side), key=lambda c: c.order)


def _risk_points(assessment: Assessment) -> list[RiskPoint]:
    return sorted(assessment.risk_points.all(), key=lambda r: r.order)


def _scratch(assessment: Assessment) -> Assessment:
    """A copy for a ModelForm to validate into: validation writes the input onto its
    instance, and the page around the form must keep showing what is saved."""
    return copy.copy(assessment)


def suggested_level(assessment: Assessment) -> RiskLevel | None:
    """The level the saved risk points suggest, as the scheme's row (the content rule)."""
    code = content.suggested_level_code(
        content.assessment_content(assessment),
        dict(RiskLevel.objects.values_list("code", "rank")),
    )
    return RiskLevel.objects.filter(code=code).first() if code else None


@dataclass(frozen=True)
class Step:
    slug: str
    template: str
    requires: tuple[str, ...] = field(default=())

    @property
    def title(self) -> Promise:
        return PART_TITLES[self.slug]

    def is_complete(self, assessment: Assessment) -> bool:
        """Asked of the content rules, which know when each part is complete."""
        return completeness(assessment).get(self.slug, False)

    def forms(self, assessment: Assessment, data=None, add_row: str | None = None) -> dict:
        return {}

    def apply(self, forms: dict) -> Apply:
        """What saving the (bound, validated) forms changes: whatever is valid in them —
        a draft may be half filled; what is wrong is marked and not stored."""
        raise NotImplementedError

    def changes(self, forms: dict, valid: bool) -> Apply | None:
        """What a post stores: by default whatever is valid (`apply`); None when this step
        stores nothing until the whole step is valid."""
        return self.apply(forms)

    def context(self, assessment: Assessment, user) -> dict:
        """What else the step's page shows besides its forms."""
        return {}

    def differences(self, current: Assessment, forms: dict) -> list[dict]:
        """For an edit conflict: each field where the saved assessment (another person's
        save) and the user's input differ, both shown as text."""
        saved = self.forms(current)
        rows = []
        for key, bound in forms.items():
            if isinstance(bound, BaseFormSet):
                theirs = _formset_text(saved[key], bound=False)
                yours = _formset_text(bound, bound=True)
                if theirs != yours:
                    label = getattr(bound, "title", "") or _("Rows")
                    rows.append({"label": label, "theirs": theirs, "yours": yours})
                continue
            for name, form_field in bound.fields.items():
                theirs = _field_text(form_field, saved[key][name].value())
                yours = _field_text(form_field, bound[name].value())
                if theirs != yours:
                    rows.append({"label": form_field.label, "theirs": theirs, "yours": yours})
        return rows


def _field_text(field, value) -> str:
    if value is None:
        return ""
    choices = getattr(field, "choices", None)
    if choices is not None:
        labels = {str(key): str(label) for key, label in choices}
        return labels.get(str(value), str(value))
    return str(value).replace("\r\n", "\n").strip()


def _formset_text(formset, *, bound: bool) -> str:
    lines = []
    forms_ = formset.forms if bound else formset.initial_forms
    for form in forms_:
        if bound and (form["DELETE"].value() if "DELETE" in form.fields else False):
            continue
        cells = [
            _field_text(field, form[name].value())
            for name, field in form.fields.items()
            if name not in ("ORDER", "DELETE")
        ]
        if any(cells):
            lines.append(" · ".join(cell for cell in cells if cell))
    return "\n".join(lines)


class ProjectStep(Step):
    def forms(self, assessment, data=None, add_row=None):
        return {"form": ProjectInfoForm(data, instance=_scratch(assessment))}

    def context(self, assessment, user):
        # The thresholds the saved project figures reach (any suggests standard mode).
        thresholds = content.assessment_content(assessment)["thresholds"]
        return {"mode_suggestion": content.mode_suggestion(thresholds)}

    def apply(self, forms):
        return lambda a: editing.assessment_update_fields(a, forms["form"].valid_data())


class ContactsStep(Step):
    def forms(self, assessment, data=None, add_row=None):
        formsets = {}
        for side in Side.values:
            rows = [
                {"name": c.name, "position": c.position, "phone": c.phone}
                for c in _contacts(assessment, side)
            ]
            formset = ContactFormSet(data, initial=rows, prefix=side)
            formset.title = Side(side).label
            if data is None and (add_row == side or not rows):
                formset.extra = 1
            formsets[side] = formset
        return formsets

    def apply(self, forms):
        def apply(assessment):
            for side, formset in forms.items():
                editing.contacts_replace(assessment=assessment, side=side, rows=formset.rows())

        return apply


class TextStep(Step):
    form_class = None

    def forms(self, assessment, data=None, add_row=None):
        return {"form": self.form_class(data, instance=_scratch(assessment))}

    def apply(self, forms):
        return lambda a: editing.assessment_update_fields(a, forms["form"].valid_data())


class BasicSituationStep(TextStep):
    form_class = BasicSituationForm


class FindingsStep(Step):
    def forms(self, assessment, data=None, add_row=None):
        return {"form": FindingsForm(data, initial=FindingsForm.initial_for(assessment))}

    def apply(self, forms):
        return lambda a: editing.findings_update(assessment=a, findings=forms["form"].findings())


class RisksStep(Step):
    def forms(self, assessment, data=None, add_row=None):
        rows = [
            {
                "description": r.description,
                "category": r.category,
                "likelihood": r.likelihood,
                "impact": r.impact,
                "level_after": r.level_after.code,
                "mitigation": r.mitigation,
                "responsible_party": r.responsible_party,
                "resolution_state": r.resolution_state,
                "resolution": r.resolution,
            }
            for r in _risk_points(assessment)
        ]
        levels = {level.code: level for level in RiskLevel.objects.all()}
        standard = assessment.mode == Mode.STANDARD
        formset = RiskPointFormSet(
            data,
            initial=rows,
            prefix="risks",
            form_kwargs={"levels": levels, "standard": standard},
        )
        if data is None and add_row == "risks":
            formset.extra = 1
        return {
            "form": RiskNarrativeForm(data, instance=_scratch(assessment), standard=standard),
            "risks": formset,
        }

    def apply(self, forms):
        levels = {level.code: level for level in RiskLevel.objects.all()}

        def saved_row(initial: dict) -> dict:
            return {**initial, "level_after": levels[initial["level_after"]]}

        def apply(assessment):
            editing.assessment_update_fields(assessment, forms["form"].valid_data())
            editing.risk_points_replace(
                assessment=assessment, rows=forms["risks"].rows(saved_row=saved_row)
            )

        return apply

    def context(self, assessment, user):
        # A simple assessment keeps its evidence here; a standard one on its record's steps.
        if assessment.mode == Mode.STANDARD:
            return {}
        return attachment_context(assessment, AttachmentSection.MATERIAL)


class ConclusionStep(Step):
    def forms(self, assessment, data=None, add_row=None):
        suggested = suggested_level(assessment)
        initial = {}
        if not assessment.risk_level_id and suggested:
            initial = {"risk_level": suggested, "recommendation": suggested.recommendation}
        return {
            "form": ConclusionForm(
                data, instance=_scratch(assessment), initial=initial, suggested_level=suggested
            )
        }

    def apply(self, forms):
        return lambda a: editing.assessment_update_fields(a, forms["form"].valid_data())

    def context(self, assessment, user):
        return {"suggested_level": suggested_level(assessment)}


class PreviewStep(Step):
    """The report exactly as it will print, what the rules still require, and submission.
    A simple assessment reaches it once every step is complete (its preconditions); a
    standard one earlier, to see the checklist."""

    def is_complete(self, assessment):
        return False

    def context(self, assessment, user):
        return {
            "report_html": render_report_body(
                content.assessment_content(assessment), wizard_outline(assessment)
            ),
            "checklist": checklist(assessment),
            "not_stated": marked_not_stated(content.assessment_content(assessment)),
            "can_submit": permissions.can_submit(user, assessment),
            "submit_form": SubmitForm(
                initial={"lock_version": assessment.lock_version},
                # After a return the author may answer the reviewer's comments.
                reply=assessment.status == Status.RETURNED,
            ),
        }


def checklist(assessment: Assessment) -> list[dict]:
    """What the rules in force for the assessment's unit still require before submission,
    each with the part (step) that fixes it, the rule's source and the unit that set it."""
    data = content.assessment_content(assessment)
    rules = content.rules_for_assessment(assessment)
    outline = wizard_outline(assessment)
    return [
        {
            "message": item.message,
            "slug": item.step,
            "title": PART_TITLES[item.step],
            "source": item.source,
            "set_by": item.set_by,
        }
        for item in content.missing_requirements(data, rules=rules, outline=outline)
    ]


def marked_not_stated(data: dict) -> list[dict]:
    """The figures marked 未载明 in `data` (live or a version's content), with the name of
    the part that holds each, for the preview and the reviewer."""
    return [
        {**item, "part_title": PART_TITLES[item["part"]]} for item in content.not_stated_items(data)
    ]
