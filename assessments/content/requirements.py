"""What the completeness check can require, by key: the catalogue a locality's rules
(`LocalityRule` rows, data) switch on or off, or give a number, per mode.

Each requirement knows the wizard step that fixes it, what it asks for (for the rules page)
and how to tell whether content meets it. Nothing here says *whether* it is required: that is
the rules' data (`content.rules.rules_for`). Every check is tolerant of a value that is None
(a figure or date the record does not state).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .figures import answered
from .mode import mode_reason_required

SIMPLE, STANDARD = "simple", "standard"
BOTH = (SIMPLE, STANDARD)
# A required kind of consultation activity: "activity.<ActivityKind.code>".
ACTIVITY_PREFIX = "activity."

# check(content, number, in_force) → the message when content does not meet it, else None.
# `in_force` holds the other rules in force for the same mode (a rule may depend on another).
Check = Callable[[dict[str, Any], int | None, dict], str | None]


@dataclass(frozen=True)
class Requirement:
    key: str
    step: str
    modes: tuple[str, ...]
    label: Promise
    check: Check
    # Counted: the rule gives a number ("at least N"); otherwise it is only on or off.
    counted: bool = False


def _text(value) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value)


def _number(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _standard(content: dict[str, Any]) -> dict[str, Any]:
    return content.get("standard") or {}


# --- the checks ------------------------------------------------------------------------------


def _project_names(content, number, in_force):
    names = ("title", "project_name", "responsible_entity", "evaluating_unit")
    if all(_text(content.get(name)) for name in names):
        return None
    return _(
        "Project: give the title, the project, the responsible entity and the evaluating unit."
    )


def _report_date(content, number, in_force):
    return None if content.get("report_date") else _("Project: give the report date.")


def _mode_reason(content, number, in_force):
    missing = mode_reason_required(
        mode=content["mode"],
        thresholds=content.get("thresholds") or {},
        reason=content.get("mode_reason") or "",
    )
    return (
        _("Project: the figures suggest a standard assessment; say why simple mode is used.")
        if missing
        else None
    )


def _contacts(side: str, message: Promise) -> Check:
    def check(content, number, in_force):
        held = len((content.get("contacts") or {}).get(side) or [])
        return None if held >= (number or 0) else str(message) % {"number": number}

    return check


def _basic(content, number, in_force):
    return (
        None
        if _text(content.get("basic_situation"))
        else _("Basic situation: describe the project.")
    )


def _findings(content, number, in_force):
    findings = content.get("findings") or []
    if findings and all(_text(f.get("text")) and f.get("verdict") for f in findings):
        return None
    return _("Four dimensions: give a finding and a verdict for each dimension.")


def _risk_narrative(content, number, in_force):
    return (
        None
        if _text(content.get("risk_narrative"))
        else _("Risks: describe the risks and how they are resolved.")
    )


def _conclusion(content, number, in_force):
    if (
        content.get("risk_level")
        and content.get("recommendation")
        and _text(content.get("conclusion"))
    ):
        return None
    return _("Conclusion: choose the risk level and the recommendation, and write the conclusion.")


def _risk_points(content, number, in_force):
    if content.get("risk_points"):
        return None
    return _("Risks: list the risk points found, each with its resolution.")


def _risk_resolution(content, number, in_force):
    if all(point.get("resolution_state") for point in content.get("risk_points") or []):
        return None
    return _("Risks: say for every risk point whether it is resolved.")


def _risk_scores(content, number, in_force):
    points = content.get("risk_points") or []
    if all(
        answered(p, "likelihood", p.get("likelihood")) and answered(p, "impact", p.get("impact"))
        for p in points
    ):
        return None
    return _("Risks: give the likelihood and the impact of every risk point.")


def _basis(content, number, in_force):
    held = len(_standard(content).get("basis_documents") or [])
    if held >= (number or 0):
        return None
    if number == 1:
        return _("Basis: list at least one document.")
    return _("Basis: list at least %(number)s documents.") % {"number": number}


# A requirement on a figure is met by the figure given or marked 未载明 (content.figures): a
# summary-level record states counts without the rows, dates and names behind them, and
# the checklist and the reviewer see the mark.
def _answered(content, name: str, value) -> bool:
    return answered(_standard(content), name, value)


def _summary_row(activity) -> bool:
    """A summary-level activity: a kind with its count (occasions, or questionnaires issued)
    and no date — the record of "座谈会1次" or "问卷5份", which names no date or place."""
    return not activity.get("start_date") and (
        activity.get("occasions") is not None or activity.get("questionnaires_issued") is not None
    )


def _leader(content, number, in_force):
    if _answered(content, "responsible_leader", _standard(content).get("responsible_leader")):
        return None
    return _("Who assessed: name the responsible leader.")


def _working_group(content, number, in_force):
    return (
        None
        if _answered(content, "working_group", _standard(content).get("working_group"))
        else _("Who assessed: list the working group.")
    )


def _activities(content, number, in_force):
    if _standard(content).get("activities"):
        return None
    return _("Consultation: record the consultation activities.")


def _activity_dates(content, number, in_force):
    activities = _standard(content).get("activities") or []
    if all(_summary_row(a) or answered(a, "start_date", a.get("start_date")) for a in activities):
        return None
    return _("Consultation: give the date of every activity.")


def _activity_places(content, number, in_force):
    activities = _standard(content).get("activities") or []
    if all(_summary_row(a) or answered(a, "place", a.get("place")) for a in activities):
        return None
    return _("Consultation: give the place or channel of every activity.")


def _questionnaire_figures(content, number, in_force):
    surveys = [
        a for a in _standard(content).get("activities") or [] if a.get("kind") == "questionnaire"
    ]
    if all(
        answered(a, "questionnaires_issued", a.get("questionnaires_issued"))
        and (
            _summary_row(a)
            or answered(a, "questionnaires_returned", a.get("questionnaires_returned"))
        )
        for a in surveys
    ):
        return None
    return _("Consultation: give how many questionnaires were issued and returned.")


def _other_kinds(content, number, in_force):
    activities = _standard(content).get("activities") or []
    held = {a.get("kind") for a in activities}
    required = {
        key.removeprefix(ACTIVITY_PREFIX)
        for key, rule in in_force.items()
        if key.startswith(ACTIVITY_PREFIX) and rule.required
    }
    if len(held - required) >= (number or 0):
        return None
    return _("Consultation: at least %(number)s other kinds of activity are required.") % {
        "number": number
    }


def _opinions(content, number, in_force):
    record = _standard(content)
    if record.get("opinions") or _answered(content, "opinions_count", record.get("opinions_count")):
        return None
    return _("Opinions: record the opinions heard.")


def _opinion_texts(content, number, in_force):
    if all(_text(o.get("content")) for o in _standard(content).get("opinions") or []):
        return None
    return _("Opinions: give the text of every opinion.")


def _opinion_responses(content, number, in_force):
    opinions = _standard(content).get("opinions") or []
    if all(o.get("adoption") == "adopted" or _text(o.get("response")) for o in opinions):
        return None
    return _("Opinions: give the reason for every opinion not fully adopted.")


def _expert_review(content, number, in_force):
    review = _standard(content).get("expert_review") or {}
    if (
        _answered(content, "expert_date", review.get("date"))
        and review.get("level")
        and review.get("recommendation")
    ):
        return None
    return _("Expert review: give its date, the level found and the recommendation.")


def _expert_opinion(content, number, in_force):
    review = _standard(content).get("expert_review") or {}
    if _answered(content, "expert_opinion", review.get("opinion")):
        return None
    return _("Expert review: record the panel's opinion.")


def _named_experts(content, number, in_force):
    record = _standard(content)
    experts = record.get("experts") or []
    if experts and all(_text(e.get("name")) for e in experts):
        return None
    if not experts and _answered(content, "expert_count", record.get("expert_count")):
        return None  # experts as a number when their names are not known
    return _("Expert review: list the panel's members.")


def _large_panel_applies(content, in_force) -> bool:
    threshold = in_force.get("large_investment_wan")
    large = in_force.get("expert_count_large")
    if not (threshold and threshold.required and large and large.required):
        return False
    investment = _number((content.get("thresholds") or {}).get("investment_wan"))
    return investment is not None and investment >= (threshold.number or 0)


def _panel_size(number: int | None, content) -> str | None:
    record = _standard(content)
    if (len(record.get("experts") or []) or record.get("expert_count") or 0) >= (number or 0):
        return None
    return _("Expert review: a panel of at least %(number)s experts is required.") % {
        "number": number
    }


def _expert_count(content, number, in_force):
    large = in_force.get("expert_count_large")
    if _large_panel_applies(content, in_force) and (large.number or 0) >= (number or 0):
        return None  # the larger panel's rule is the stricter one and says it
    return _panel_size(number, content)


def _expert_count_large(content, number, in_force):
    small = in_force.get("expert_count")
    if not _large_panel_applies(content, in_force):
        return None
    if small and small.required and (small.number or 0) > (number or 0):
        return None
    return _panel_size(number, content)


def _setting_only(content, number, in_force):
    return None


def _emergency_plan(content, number, in_force):
    plan = _standard(content).get("emergency") or {}
    if _answered(content, "emergency_triggers", plan.get("triggers")) and _answered(
        content, "emergency_measures", plan.get("measures")
    ):
        return None
    return _("Emergency plan: give the trigger conditions and the response measures.")


def _emergency_command(content, number, in_force):
    plan = _standard(content).get("emergency") or {}
    if _answered(content, "emergency_command_leader", plan.get("command_leader")):
        return None
    return _("Emergency plan: name who commands the response.")


def _emergency_contacts(content, number, in_force):
    if _answered(content, "emergency_contacts", _standard(content).get("emergency_contacts")):
        return None
    return _("Emergency plan: list the emergency contacts.")


def _decision_meeting(content, number, in_force):
    decision = _standard(content).get("decision") or {}
    if _answered(content, "meeting_kind", decision.get("meeting_kind")) and _answered(
        content, "meeting_date", decision.get("date")
    ):
        return None
    return _("Collective decision: give the meeting and its date.")


def _meeting_chair(content, number, in_force):
    decision = _standard(content).get("decision") or {}
    if _answered(content, "meeting_chair", decision.get("chair")):
        return None
    return _("Collective decision: name who chaired the meeting (主持人).")


def _decision_outcome(content, number, in_force):
    decision = _standard(content).get("decision") or {}
    return None if decision.get("decision") else _("Collective decision: record what was decided.")


def _activity_kind(code: str, name: str) -> Check:
    def check(content, number, in_force):
        held = {a.get("kind") for a in _standard(content).get("activities") or []}
        return None if code in held else _("Consultation: a %(kind)s is required.") % {"kind": name}

    return check


# --- the catalogue, in the order the checklist lists them within a step ----------------------

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "project_names",
        "project",
        BOTH,
        gettext_lazy("Report title, project, responsible entity and evaluating unit"),
        _project_names,
    ),
    Requirement("report_date", "project", BOTH, gettext_lazy("Report date"), _report_date),
    Requirement(
        "mode_reason",
        "project",
        (SIMPLE,),
        gettext_lazy("A reason for simple mode when the figures suggest standard mode"),
        _mode_reason,
    ),
    Requirement(
        "contacts_responsible",
        "contacts",
        BOTH,
        gettext_lazy("Contacts of the responsible entity"),
        _contacts(
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
        _contacts(
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
        _basis,
        counted=True,
    ),
    Requirement(
        "responsible_leader",
        "subject",
        (STANDARD,),
        gettext_lazy("The responsible leader"),
        _leader,
    ),
    Requirement(
        "working_group", "subject", (STANDARD,), gettext_lazy("The working group"), _working_group
    ),
    Requirement("basic_situation", "basic", BOTH, gettext_lazy("Basic situation"), _basic),
    Requirement(
        "activities",
        "consultation",
        (STANDARD,),
        gettext_lazy("Consultation activities recorded"),
        _activities,
    ),
    Requirement(
        "activity_dates",
        "consultation",
        (STANDARD,),
        gettext_lazy("The date of every activity"),
        _activity_dates,
    ),
    Requirement(
        "activity_places",
        "consultation",
        (STANDARD,),
        gettext_lazy("The place or channel of every activity"),
        _activity_places,
    ),
    Requirement(
        "questionnaire_figures",
        "consultation",
        (STANDARD,),
        gettext_lazy("Questionnaires issued and returned"),
        _questionnaire_figures,
    ),
    Requirement(
        "other_activity_kinds",
        "consultation",
        (STANDARD,),
        gettext_lazy("Other kinds of activity besides the required ones"),
        _other_kinds,
        counted=True,
    ),
    Requirement("opinions", "opinions", (STANDARD,), gettext_lazy("Opinions recorded"), _opinions),
    Requirement(
        "opinion_texts",
        "opinions",
        (STANDARD,),
        gettext_lazy("The text of every opinion"),
        _opinion_texts,
    ),
    Requirement(
        "opinion_responses",
        "opinions",
        (STANDARD,),
        gettext_lazy("A reason for every opinion not fully adopted"),
        _opinion_responses,
    ),
    Requirement(
        "expert_review",
        "expert",
        (STANDARD,),
        gettext_lazy("Date, level and recommendation of the expert review"),
        _expert_review,
    ),
    Requirement(
        "expert_opinion",
        "expert",
        (STANDARD,),
        gettext_lazy("The expert panel's opinion"),
        _expert_opinion,
    ),
    Requirement(
        "named_experts",
        "expert",
        (STANDARD,),
        gettext_lazy("The panel's members, by name"),
        _named_experts,
    ),
    Requirement(
        "expert_count",
        "expert",
        (STANDARD,),
        gettext_lazy("Experts on the panel"),
        _expert_count,
        counted=True,
    ),
    Requirement(
        "expert_count_large",
        "expert",
        (STANDARD,),
        gettext_lazy("Experts on the panel of a large project"),
        _expert_count_large,
        counted=True,
    ),
    Requirement(
        "large_investment_wan",
        "expert",
        (STANDARD,),
        gettext_lazy("Investment (10,000 yuan) from which a project is large"),
        _setting_only,
        counted=True,
    ),
    Requirement(
        "findings",
        "findings",
        BOTH,
        gettext_lazy("A finding and a verdict for each of the four dimensions"),
        _findings,
    ),
    Requirement(
        "risk_narrative",
        "risks",
        BOTH,
        gettext_lazy("The risks and their resolution, described"),
        _risk_narrative,
    ),
    Requirement(
        "risk_points", "risks", (STANDARD,), gettext_lazy("Risk points listed"), _risk_points
    ),
    Requirement(
        "risk_resolution",
        "risks",
        (STANDARD,),
        gettext_lazy("Whether every risk point is resolved"),
        _risk_resolution,
    ),
    Requirement(
        "risk_scores",
        "risks",
        (STANDARD,),
        gettext_lazy("Likelihood and impact of every risk point"),
        _risk_scores,
    ),
    Requirement(
        "emergency_plan",
        "emergency",
        (STANDARD,),
        gettext_lazy("Trigger conditions and response measures"),
        _emergency_plan,
    ),
    Requirement(
        "emergency_command",
        "emergency",
        (STANDARD,),
        gettext_lazy("Who commands the response"),
        _emergency_command,
    ),
    Requirement(
        "emergency_contacts",
        "emergency",
        (STANDARD,),
        gettext_lazy("Emergency contacts"),
        _emergency_contacts,
    ),
    Requirement(
        "conclusion",
        "conclusion",
        BOTH,
        gettext_lazy("Risk level, recommendation and conclusion"),
        _conclusion,
    ),
    Requirement(
        "decision_meeting",
        "decision",
        (STANDARD,),
        gettext_lazy("The meeting and its date"),
        _decision_meeting,
    ),
    Requirement(
        "meeting_chair",
        "decision",
        (STANDARD,),
        gettext_lazy("Who chaired the meeting"),
        _meeting_chair,
    ),
    Requirement(
        "decision_outcome",
        "decision",
        (STANDARD,),
        gettext_lazy("What was decided"),
        _decision_outcome,
    ),
)
BY_KEY = {item.key: item for item in REQUIREMENTS}


def activity_requirement(code: str, name: str) -> Requirement:
    """The requirement "an activity of this kind" for one kind of activity (data)."""
    return Requirement(
        f"{ACTIVITY_PREFIX}{code}",
        "consultation",
        (STANDARD,),
        gettext_lazy("A %(kind)s") % {"kind": name},
        _activity_kind(code, name),
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
