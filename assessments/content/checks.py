"""How to tell whether content meets each requirement of `content.requirements`: one function
per requirement, `check(content, number, in_force)` → the message when the content does not
meet it, else None. Every check is tolerant of a value that is None (a figure or date the
record does not state) and takes a figure marked 未载明 as answered (`content.figures`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .figures import answered
from .mode import mode_reason_required

# A required kind of consultation activity: "activity.<ActivityKind.code>".
ACTIVITY_PREFIX = "activity."

# check(content, number, in_force) → the message when content does not meet it, else None.
# `in_force` holds the other rules in force for the same mode (a rule may depend on another).
Check = Callable[[dict[str, Any], int | None, dict], str | None]


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


def project_names(content, number, in_force):
    names = ("title", "project_name", "responsible_entity", "evaluating_unit")
    if all(_text(content.get(name)) for name in names):
        return None
    return _(
        "Project: give the title, the project, the responsible entity and the evaluating unit."
    )


def report_date(content, number, in_force):
    return None if content.get("report_date") else _("Project: give the report date.")


def mode_reason(content, number, in_force):
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


def contacts(side: str, message: Promise) -> Check:
    def check(content, number, in_force):
        held = len((content.get("contacts") or {}).get(side) or [])
        return None if held >= (number or 0) else str(message) % {"number": number}

    return check


def basic(content, number, in_force):
    return (
        None
        if _text(content.get("basic_situation"))
        else _("Basic situation: describe the project.")
    )


def findings(content, number, in_force):
    findings = content.get("findings") or []
    if findings and all(_text(f.get("text")) and f.get("verdict") for f in findings):
        return None
    return _("Four dimensions: give a finding and a verdict for each dimension.")


def risk_narrative(content, number, in_force):
    return (
        None
        if _text(content.get("risk_narrative"))
        else _("Risks: describe the risks and how they are resolved.")
    )


def conclusion(content, number, in_force):
    if (
        content.get("risk_level")
        and content.get("recommendation")
        and _text(content.get("conclusion"))
    ):
        return None
    return _("Conclusion: choose the risk level and the recommendation, and write the conclusion.")


def risk_points(content, number, in_force):
    if content.get("risk_points"):
        return None
    return _("Risks: list the risk points found, each with its resolution.")


def risk_resolution(content, number, in_force):
    if all(point.get("resolution_state") for point in content.get("risk_points") or []):
        return None
    return _("Risks: say for every risk point whether it is resolved.")


def risk_scores(content, number, in_force):
    points = content.get("risk_points") or []
    if all(
        answered(p, "likelihood", p.get("likelihood")) and answered(p, "impact", p.get("impact"))
        for p in points
    ):
        return None
    return _("Risks: give the likelihood and the impact of every risk point.")


def basis(content, number, in_force):
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


def leader(content, number, in_force):
    if _answered(content, "responsible_leader", _standard(content).get("responsible_leader")):
        return None
    return _("Who assessed: name the responsible leader.")


def working_group(content, number, in_force):
    return (
        None
        if _answered(content, "working_group", _standard(content).get("working_group"))
        else _("Who assessed: list the working group.")
    )


def activities(content, number, in_force):
    if _standard(content).get("activities"):
        return None
    return _("Consultation: record the consultation activities.")


def activity_dates(content, number, in_force):
    activities = _standard(content).get("activities") or []
    if all(_summary_row(a) or answered(a, "start_date", a.get("start_date")) for a in activities):
        return None
    return _("Consultation: give the date of every activity.")


def activity_places(content, number, in_force):
    activities = _standard(content).get("activities") or []
    if all(_summary_row(a) or answered(a, "place", a.get("place")) for a in activities):
        return None
    return _("Consultation: give the place or channel of every activity.")


def questionnaire_figures(content, number, in_force):
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


def other_kinds(content, number, in_force):
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


def opinions(content, number, in_force):
    record = _standard(content)
    if record.get("opinions") or _answered(content, "opinions_count", record.get("opinions_count")):
        return None
    return _("Opinions: record the opinions heard.")


def opinion_texts(content, number, in_force):
    if all(_text(o.get("content")) for o in _standard(content).get("opinions") or []):
        return None
    return _("Opinions: give the text of every opinion.")


def opinion_responses(content, number, in_force):
    opinions = _standard(content).get("opinions") or []
    if all(o.get("adoption") == "adopted" or _text(o.get("response")) for o in opinions):
        return None
    return _("Opinions: give the reason for every opinion not fully adopted.")


def expert_review(content, number, in_force):
    review = _standard(content).get("expert_review") or {}
    if (
        _answered(content, "expert_date", review.get("date"))
        and review.get("level")
        and review.get("recommendation")
    ):
        return None
    return _("Expert review: give its date, the level found and the recommendation.")


def expert_opinion(content, number, in_force):
    review = _standard(content).get("expert_review") or {}
    if _answered(content, "expert_opinion", review.get("opinion")):
        return None
    return _("Expert review: record the panel's opinion.")


def named_experts(content, number, in_force):
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


def expert_count(content, number, in_force):
    large = in_force.get("expert_count_large")
    if _large_panel_applies(content, in_force) and (large.number or 0) >= (number or 0):
        return None  # the larger panel's rule is the stricter one and says it
    return _panel_size(number, content)


def expert_count_large(content, number, in_force):
    small = in_force.get("expert_count")
    if not _large_panel_applies(content, in_force):
        return None
    if small and small.required and (small.number or 0) > (number or 0):
        return None
    return _panel_size(number, content)


def setting_only(content, number, in_force):
    return None


def emergency_plan(content, number, in_force):
    plan = _standard(content).get("emergency") or {}
    if _answered(content, "emergency_triggers", plan.get("triggers")) and _answered(
        content, "emergency_measures", plan.get("measures")
    ):
        return None
    return _("Emergency plan: give the trigger conditions and the response measures.")


def emergency_command(content, number, in_force):
    plan = _standard(content).get("emergency") or {}
    if _answered(content, "emergency_command_leader", plan.get("command_leader")):
        return None
    return _("Emergency plan: name who commands the response.")


def emergency_contacts(content, number, in_force):
    if _answered(content, "emergency_contacts", _standard(content).get("emergency_contacts")):
        return None
    return _("Emergency plan: list the emergency contacts.")


def decision_meeting(content, number, in_force):
    decision = _standard(content).get("decision") or {}
    if _answered(content, "meeting_kind", decision.get("meeting_kind")) and _answered(
        content, "meeting_date", decision.get("date")
    ):
        return None
    return _("Collective decision: give the meeting and its date.")


def meeting_chair(content, number, in_force):
    decision = _standard(content).get("decision") or {}
    if _answered(content, "meeting_chair", decision.get("chair")):
        return None
    return _("Collective decision: name who chaired the meeting (主持人).")


def decision_outcome(content, number, in_force):
    decision = _standard(content).get("decision") or {}
    return None if decision.get("decision") else _("Collective decision: record what was decided.")


def activity_kind(code: str, name: str) -> Check:
    def check(content, number, in_force):
        held = {a.get("kind") for a in _standard(content).get("activities") or []}
        return None if code in held else _("Consultation: a %(kind)s is required.") % {"kind": name}

    return check
