"""The guided form (填报向导): the step list, each step's forms, completeness and preconditions.

A step knows how to build its forms (bound or not), what saving them changes, and when it
is complete. The view in `views.py` is the same for every step.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from django.forms import BaseFormSet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import content, services
from .content import CONTENT_PREFETCH
from .forms import (
    BasicSituationForm,
    ConclusionForm,
    ContactFormSet,
    FindingsForm,
    ProjectInfoForm,
    RiskNarrativeForm,
    RiskPointFormSet,
)
from .models import Assessment, Mode, RiskLevel, RiskPoint, Side

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
        cached = content.step_completeness(content.assessment_content(assessment))
        assessment.__dict__["_wizard_completeness"] = cached
    return cached


def _contacts(assessment: Assessment, side: str) -> list:
    return sorted((c for c in assessment.contacts.all() if c.side == side), key=lambda c: c.order)


def _risk_points(assessment: Assessment) -> list[RiskPoint]:
    return sorted(assessment.risk_points.all(), key=lambda r: r.order)


def _scratch(assessment: Assessment) -> Assessment:
    """A copy for a ModelForm to validate into: validation writes the input onto its
    instance, and the page around the form must keep showing what is saved."""
    return copy.copy(assessment)


def suggested_level(assessment: Assessment):
    return services.suggested_risk_level(_risk_points(assessment))


@dataclass(frozen=True)
class Step:
    slug: str
    title: Promise
    template: str
    requires: tuple[str, ...] = field(default=())
    # Whether a half-valid post stores what is valid (the simple steps) or nothing (steps
    # whose rows reference one another are stored whole).
    saves_partial = True

    def is_complete(self, assessment: Assessment) -> bool:
        """Asked of the content rules, which know when each part is complete."""
        return completeness(assessment).get(self.slug, False)

    def forms(self, assessment: Assessment, data=None, add_row: str | None = None) -> dict:
        return {}

    def apply(self, forms: dict) -> Apply:
        """What saving the (bound, validated) forms changes: whatever is valid in them —
        a draft may be half filled; what is wrong is marked and not stored."""
        raise NotImplementedError

    def extra_context(self, assessment: Assessment) -> dict:
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

    def apply(self, forms):
        return lambda a: services.assessment_update_fields(a, forms["form"].valid_data())


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
                services.contacts_replace(assessment=assessment, side=side, rows=formset.rows())

        return apply


class TextStep(Step):
    form_class = None

    def forms(self, assessment, data=None, add_row=None):
        return {"form": self.form_class(data, instance=_scratch(assessment))}

    def apply(self, forms):
        return lambda a: services.assessment_update_fields(a, forms["form"].valid_data())


class BasicSituationStep(TextStep):
    form_class = BasicSituationForm


class FindingsStep(Step):
    def forms(self, assessment, data=None, add_row=None):
        return {"form": FindingsForm(data, initial=FindingsForm.initial_for(assessment))}

    def apply(self, forms):
        return lambda a: services.findings_update(assessment=a, findings=forms["form"].findings())


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
        return {"form": RiskNarrativeForm(data, instance=_scratch(assessment)), "risks": formset}

    def apply(self, forms):
        levels = {level.code: level for level in RiskLevel.objects.all()}

        def saved_row(initial: dict) -> dict:
            return {**initial, "level_after": levels[initial["level_after"]]}

        def apply(assessment):
            services.assessment_update_fields(assessment, forms["form"].valid_data())
            services.risk_points_replace(
                assessment=assessment, rows=forms["risks"].rows(saved_row=saved_row)
            )

        return apply


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
        return lambda a: services.assessment_update_fields(a, forms["form"].valid_data())


class PreviewStep(Step):
    def is_complete(self, assessment):
        return False


STEPS: list[Step] = [
    ProjectStep("project", _("Project"), "assessments/steps/project.html"),
    ContactsStep("contacts", _("Contacts"), "assessments/steps/contacts.html", ("project",)),
    BasicSituationStep("basic", _("Basic situation"), "assessments/steps/basic.html", ("project",)),
    FindingsStep("findings", _("Four dimensions"), "assessments/steps/findings.html", ("project",)),
    RisksStep("risks", _("Risks and mitigation"), "assessments/steps/risks.html", ("project",)),
    ConclusionStep(
        "conclusion", _("Conclusion"), "assessments/steps/conclusion.html", ("project", "risks")
    ),
    PreviewStep(
        "preview",
        _("Preview and submit"),
        "assessments/steps/preview.html",
        ("project", "contacts", "basic", "findings", "risks", "conclusion"),
    ),
]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
FORM_STEPS = [step for step in STEPS if step.slug != "preview"]

# Standard mode's steps, which build on the classes above.
from .wizard_standard import standard_steps  # noqa: E402

STANDARD_STEPS: list[Step] = standard_steps(STEPS)


def steps_for(assessment: Assessment | None) -> list[Step]:
    """The steps of the assessment's mode (a new assessment starts with the simple list).
    Switching mode changes the steps shown, never the data: each mode's records stay."""
    if assessment is not None and assessment.mode == Mode.STANDARD:
        return STANDARD_STEPS
    return STEPS


def get_step(slug: str, assessment: Assessment | None = None) -> Step | None:
    return next((step for step in steps_for(assessment) if step.slug == slug), None)


def neighbours(step: Step, assessment: Assessment | None = None) -> tuple[Step | None, Step | None]:
    steps = steps_for(assessment)
    index = next(n for n, item in enumerate(steps) if item.slug == step.slug)
    previous = steps[index - 1] if index > 0 else None
    following = steps[index + 1] if index + 1 < len(steps) else None
    return previous, following


def progress(assessment: Assessment | None, current: Step) -> list[dict]:
    """What the step indicator shows: every step, whether it is done, which is current."""
    return [
        {
            "step": step,
            "number": number,
            "complete": assessment is not None and step.is_complete(assessment),
            "current": step.slug == current.slug,
            "reachable": assessment is not None,
        }
        for number, step in enumerate(steps_for(assessment), start=1)
    ]


def incomplete_steps(assessment: Assessment) -> list[Step]:
    return [
        step
        for step in steps_for(assessment)
        if step.slug != "preview" and not step.is_complete(assessment)
    ]


def first_missing_requirement(step: Step, assessment: Assessment) -> Step | None:
    for slug in step.requires:
        required = get_step(slug, assessment)
        if required is not None and not required.is_complete(assessment):
            return required
    return None


def resume_step(assessment: Assessment) -> Step:
    """Where a returning user continues: the first incomplete step, else the preview."""
    missing = incomplete_steps(assessment)
    return missing[0] if missing else get_step("preview", assessment)


def checklist(assessment: Assessment) -> list[dict]:
    """What the rules still require before submission, each with the step that fixes it."""
    data = content.assessment_content(assessment)
    return [
        {"message": item.message, "step": get_step(item.step, assessment)}
        for item in content.missing_requirements(data)
    ]


def mode_suggestion(assessment: Assessment) -> list:
    """The thresholds the saved project figures reach (any suggests standard mode)."""
    data = content.assessment_content(assessment)
    return content.mode_suggestion(data["thresholds"])
