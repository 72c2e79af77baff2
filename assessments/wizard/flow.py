"""The step lists of each mode, built from the content's parts in their order
(`content.parts`), and moving through them: neighbours, the indicator, where to resume."""

from __future__ import annotations

from ..content import SIMPLE_ORDER, STANDARD_ORDER
from ..models import Assessment, Mode
from .outline_sections import FreeSectionsStep, has_free_sections
from .standard import (
    TEMPLATE,
    BasisStep,
    ConsultationStep,
    DecisionStep,
    EmergencyStep,
    ExpertStep,
    OpinionsStep,
    SubjectStep,
)
from .steps import (
    BasicSituationStep,
    ConclusionStep,
    ContactsStep,
    FindingsStep,
    PreviewStep,
    ProjectStep,
    RisksStep,
    Step,
)

AFTER_PROJECT = ("project",)
# The steps both modes share; standard mode puts its records between them.
SHARED: dict[str, Step] = {
    step.slug: step
    for step in [
        ProjectStep("project", "assessments/steps/project.html"),
        ContactsStep("contacts", "assessments/steps/contacts.html", AFTER_PROJECT),
        BasicSituationStep("basic", "assessments/steps/basic.html", AFTER_PROJECT),
        FindingsStep("findings", "assessments/steps/findings.html", AFTER_PROJECT),
        RisksStep("risks", "assessments/steps/risks.html", AFTER_PROJECT),
        ConclusionStep("conclusion", "assessments/steps/conclusion.html", ("project", "risks")),
    ]
}
RECORDS: dict[str, Step] = {
    step.slug: step
    for step in [
        BasisStep("basis", TEMPLATE, AFTER_PROJECT),
        SubjectStep("subject", TEMPLATE, AFTER_PROJECT),
        ConsultationStep("consultation", TEMPLATE, AFTER_PROJECT),
        OpinionsStep("opinions", TEMPLATE, AFTER_PROJECT),
        ExpertStep("expert", TEMPLATE, AFTER_PROJECT),
        EmergencyStep("emergency", TEMPLATE, AFTER_PROJECT),
        DecisionStep("decision", TEMPLATE, AFTER_PROJECT),
    ]
}
PREVIEW_TEMPLATE = "assessments/steps/preview.html"

STEPS: list[Step] = [
    *(SHARED[slug] for slug in SIMPLE_ORDER),
    # A simple assessment is previewed once every part is complete.
    PreviewStep("preview", PREVIEW_TEMPLATE, tuple(SIMPLE_ORDER)),
]
STANDARD_STEPS: list[Step] = [
    *({**SHARED, **RECORDS}[slug] for slug in STANDARD_ORDER),
    # The preview opens as soon as the project is known: it is where the checklist of what
    # the rules still require is shown, each item a link to its step.
    PreviewStep("preview", PREVIEW_TEMPLATE, AFTER_PROJECT),
]


SECTIONS = FreeSectionsStep("sections", "assessments/steps/sections.html", AFTER_PROJECT)


def _with_sections(steps: list[Step]) -> list[Step]:
    """The steps with the outline's free sections written before the conclusion; a simple
    assessment's preview then waits for them too."""
    at = next(n for n, step in enumerate(steps) if step.slug == "conclusion")
    preview = steps[-1]
    if preview.requires != AFTER_PROJECT:
        preview = PreviewStep(preview.slug, preview.template, (*preview.requires, "sections"))
    return [*steps[:at], SECTIONS, *steps[at:-1], preview]


STEPS_WITH_SECTIONS = _with_sections(STEPS)
STANDARD_STEPS_WITH_SECTIONS = _with_sections(STANDARD_STEPS)


def steps_for(assessment: Assessment | None) -> list[Step]:
    """The steps of the assessment's mode (a new assessment starts with the simple list),
    with a step for the free sections where its unit's outline has some. Switching mode
    changes the steps shown, never the data: each mode's records stay."""
    if assessment is None:
        return STEPS
    sections = has_free_sections(assessment)
    if assessment.mode == Mode.STANDARD:
        return STANDARD_STEPS_WITH_SECTIONS if sections else STANDARD_STEPS
    return STEPS_WITH_SECTIONS if sections else STEPS


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
        if not isinstance(step, PreviewStep) and not step.is_complete(assessment)
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
