"""What the completeness check can require, by key: the catalogue a locality's rules
(`LocalityRule` rows, data) switch on or off, or give a number, per mode.

Each requirement knows the wizard step that fixes it, what it asks for (for the rules page)
and how to tell whether content meets it. Nothing here says *whether* it is required: that is
the rules' data (`content.rules.rules_for`); the checks themselves are in `content.checks`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext, gettext_lazy

from ..models import MatterKind
from . import checks
from .checks import ACTIVITY_PREFIX, Check

SIMPLE, STANDARD = "simple", "standard"
FILING_DUE_DAYS = "filing_due_days"
BOTH = (SIMPLE, STANDARD)


@dataclass(frozen=True)
class Requirement:
    key: str
    step: str
    modes: tuple[str, ...]
    label: Promise
    check: Check
    # Counted: the rule gives a number ("at least N"); otherwise it is only on or off.
    counted: bool = False

    @property
    def days(self) -> bool:
        """A deadline: its number is a number of days, not a minimum."""
        return self.step == "deadlines"


# --- the catalogue, in the order the checklist lists them within a step ----------------------

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "project_names",
        "project",
        BOTH,
        gettext_lazy("Report title, project, responsible entity and evaluating unit"),
        checks.project_names,
    ),
    Requirement("report_date", "project", BOTH, gettext_lazy("Report date"), checks.report_date),
    Requirement(
        "mode_reason",
        "project",
        (SIMPLE,),
        gettext_lazy("A reason for simple mode when the figures suggest standard mode"),
        checks.mode_reason,
    ),
    Requirement(
        "contacts_responsible",
        "contacts",
        BOTH,
        gettext_lazy("Contacts of the responsible entity"),
        checks.contacts(
            "responsible",
            gettext_lazy("Contacts: at least %(number)s contact(s) of the responsible entity."),
        ),
        counted=True,
    ),
    Requirement(
        "contacts_evaluating",
        "contacts",
        BOTH,
        gettext_lazy("Contacts of the evaluating unit"),
        checks.contacts(
            "evaluator",
            gettext_lazy("Contacts: at least %(number)s contact(s) of the evaluating unit."),
        ),
        counted=True,
    ),
    Requirement(
        "basis_documents",
        "basis",
        (STANDARD,),
        gettext_lazy("Basis documents"),
        checks.basis,
        counted=True,
    ),
    Requirement(
        "responsible_leader",
        "subject",
        (STANDARD,),
        gettext_lazy("The responsible leader"),
        checks.leader,
    ),
    Requirement(
        "working_group",
        "subject",
        (STANDARD,),
        gettext_lazy("The working group"),
        checks.working_group,
    ),
    Requirement("basic_situation", "basic", BOTH, gettext_lazy("Basic situation"), checks.basic),
    Requirement(
        "activities",
        "consultation",
        (STANDARD,),
        gettext_lazy("Consultation activities recorded"),
        checks.activities,
    ),
    Requirement(
        "activity_dates",
        "consultation",
        (STANDARD,),
        gettext_lazy("The date of every activity"),
        checks.activity_dates,
    ),
    Requirement(
        "activity_places",
        "consultation",
        (STANDARD,),
        gettext_lazy("The place or channel of every activity"),
        checks.activity_places,
    ),
    Requirement(
        "questionnaire_figures",
        "consultation",
        (STANDARD,),
        gettext_lazy("Questionnaires issued and returned"),
        checks.questionnaire_figures,
    ),
    Requirement(
        "other_activity_kinds",
        "consultation",
        (STANDARD,),
        gettext_lazy("Other kinds of activity besides the required ones"),
        checks.other_kinds,
        counted=True,
    ),
    Requirement(
        "opinions", "opinions", (STANDARD,), gettext_lazy("Opinions recorded"), checks.opinions
    ),
    Requirement(
        "opinion_texts",
        "opinions",
        (STANDARD,),
        gettext_lazy("The text of every opinion"),
        checks.opinion_texts,
    ),
    Requirement(
        "opinion_responses",
        "opinions",
        (STANDARD,),
        gettext_lazy("A reason for every opinion not fully adopted"),
        checks.opinion_responses,
    ),
    Requirement(
        "expert_review",
        "expert",
        (STANDARD,),
        gettext_lazy("Date, level and recommendation of the expert review"),
        checks.expert_review,
    ),
    Requirement(
        "expert_opinion",
        "expert",
        (STANDARD,),
        gettext_lazy("The expert panel's opinion"),
        checks.expert_opinion,
    ),
    Requirement(
        "named_experts",
        "expert",
        (STANDARD,),
        gettext_lazy("The panel's members, by name"),
        checks.named_experts,
    ),
    Requirement(
        "expert_count",
        "expert",
        (STANDARD,),
        gettext_lazy("Experts on the panel"),
        checks.expert_count,
        counted=True,
    ),
    Requirement(
        "expert_count_large",
        "expert",
        (STANDARD,),
        gettext_lazy("Experts on the panel of a large project"),
        checks.expert_count_large,
        counted=True,
    ),
    Requirement(
        "large_investment_wan",
        "expert",
        (STANDARD,),
        gettext_lazy("Investment (10,000 yuan) from which a project is large"),
        checks.setting_only,
        counted=True,
    ),
    Requirement(
        "findings",
        "findings",
        BOTH,
        gettext_lazy("A finding and a verdict for each of the four dimensions"),
        checks.findings,
    ),
    Requirement(
        "risk_narrative",
        "risks",
        BOTH,
        gettext_lazy("The risks and their resolution, described"),
        checks.risk_narrative,
    ),
    Requirement(
        "risk_points", "risks", (STANDARD,), gettext_lazy("Risk points listed"), checks.risk_points
    ),
    Requirement(
        "risk_resolution",
        "risks",
        (STANDARD,),
        gettext_lazy("Whether every risk point is resolved"),
        checks.risk_resolution,
    ),
    Requirement(
        "risk_scores",
        "risks",
        (STANDARD,),
        gettext_lazy("Likelihood and impact of every risk point"),
        checks.risk_scores,
    ),
    Requirement(
        "emergency_plan",
        "emergency",
        (STANDARD,),
        gettext_lazy("Trigger conditions and response measures"),
        checks.emergency_plan,
    ),
    Requirement(
        "emergency_command",
        "emergency",
        (STANDARD,),
        gettext_lazy("Who commands the response"),
        checks.emergency_command,
    ),
    Requirement(
        "emergency_contacts",
        "emergency",
        (STANDARD,),
        gettext_lazy("Emergency contacts"),
        checks.emergency_contacts,
    ),
    Requirement(
        "conclusion",
        "conclusion",
        BOTH,
        gettext_lazy("Risk level, recommendation and conclusion"),
        checks.conclusion,
    ),
    Requirement(
        "decision_meeting",
        "decision",
        (STANDARD,),
        gettext_lazy("The meeting and its date"),
        checks.decision_meeting,
    ),
    Requirement(
        "meeting_chair",
        "decision",
        (STANDARD,),
        gettext_lazy("Who chaired the meeting"),
        checks.meeting_chair,
    ),
    Requirement(
        "decision_outcome",
        "decision",
        (STANDARD,),
        gettext_lazy("What was decided"),
        checks.decision_outcome,
    ),
    # After issue: within how many days the report is filed (备案) with the oversight unit
    # above. A setting, not a check of the content; no national default exists.
    Requirement(
        FILING_DUE_DAYS,
        "filing",
        BOTH,
        gettext_lazy("Days after issue within which the report is filed (备案)"),
        checks.setting_only,
        counted=True,
    ),
)

# --- deadlines (issue 18, point 2): settings, not checks. A locality gives a number of days;
# without a rule in force there is no deadline (no national default exists for either).
REVIEW_DUE_DAYS = "review_due_days"
PUBLICITY_PREFIX = "publicity_days."


def publicity_key(matter_kind: str) -> str:
    """The rule giving the default length of the 公示 period of one kind of matter."""
    return f"{PUBLICITY_PREFIX}{matter_kind}"


def _publicity_text(kind_label) -> str:
    return gettext("Days of publicity for: %(kind)s") % {"kind": kind_label}


# Translated when shown, in the language of the request (not at import).
_publicity_label = lazy(_publicity_text, str)


DEADLINES: tuple[Requirement, ...] = (
    Requirement(
        REVIEW_DUE_DAYS,
        "deadlines",
        BOTH,
        gettext_lazy("Days from submission until the review is due"),
        checks.setting_only,
        counted=True,
    ),
    *(
        Requirement(
            publicity_key(kind),
            "deadlines",
            BOTH,
            _publicity_label(label),
            checks.setting_only,
            counted=True,
        )
        for kind, label in MatterKind.choices
    ),
)
REQUIREMENTS = (*REQUIREMENTS, *DEADLINES)
BY_KEY = {item.key: item for item in REQUIREMENTS}


def activity_requirement(code: str, name: str) -> Requirement:
    """The requirement "an activity of this kind" for one kind of activity (data)."""
    return Requirement(
        f"{ACTIVITY_PREFIX}{code}",
        "consultation",
        (STANDARD,),
        gettext_lazy("A %(kind)s") % {"kind": name},
        checks.activity_kind(code, name),
    )


def catalogue(mode: str, activity_kinds: dict[str, str]) -> list[Requirement]:
    """Every requirement a rule of `mode` may switch on, with one per kind of activity
    (`activity_kinds`: code → name), in the checklist's order."""
    found = [item for item in REQUIREMENTS if mode in item.modes]
    if mode == STANDARD:
        position = next(i for i, item in enumerate(found) if item.key == "other_activity_kinds")
        extra = [activity_requirement(code, name) for code, name in activity_kinds.items()]
        found[position:position] = extra
    return found
