"""The three states of a figure, and the figures the standard report states.

Every optional figure or date is in one of three states: **given** (the user entered it),
**not stated** (the user marked it 未载明: the source does not state it) or **empty** (not
answered yet). The report prints a sentence only from what was given; a figure nobody gave
is never printed as 0. A requirement of the rules is *answered* by a given figure or by the
mark, which the preview's checklist and the reviewer see as 未载明.

The figures the report states are computed from the records when there are records, and
taken from the summary-level counts the user entered otherwise (a published report that
says only "座谈会1次，收集意见5条，采纳3条").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..models import Assessment, ConsultationActivity, StandardRecord
from .snapshot import upgrade

GIVEN = "given"
NOT_STATED = "not_stated"
EMPTY = "empty"


def state_of(value: Any, *, marked: bool = False) -> str:
    """GIVEN, NOT_STATED or EMPTY. What was entered wins over a mark left beside it."""
    if (
        value is not None
        and value != ""
        and value != []
        and not (isinstance(value, str) and not value.strip())
    ):
        return GIVEN
    return NOT_STATED if marked else EMPTY


def state_in(entry: dict[str, Any], name: str, value: Any) -> str:
    """The state of `value`, the figure `name` of `entry` (content with a "not_stated" list:
    the assessment, the standard record, an activity row)."""
    return state_of(value, marked=name in (entry.get("not_stated") or ()))


def answered(entry: dict[str, Any], name: str, value: Any) -> bool:
    """Whether a requirement on the figure is met: given, or marked 未载明."""
    return state_in(entry, name, value) != EMPTY


def _sum_known(values: list) -> int | None:
    """The total of the given values; None when none was given or one is not stated."""
    if not values or any(v is NOT_STATED for v in values):
        return None
    given = [v for v in values if v is not None]
    return sum(given) if given else None


def _occasions(activity: dict[str, Any]):
    """How many times an activity row was held: as given; a dated row without the figure is
    one activity (it took place on that date); otherwise unknown (NOT_STATED)."""
    if state_in(activity, "occasions", activity.get("occasions")) == GIVEN:
        return activity["occasions"]
    return 1 if activity["start_date"] else NOT_STATED


def _participants(activity: dict[str, Any]):
    if state_in(activity, "participants", activity["participants"]) == NOT_STATED:
        return NOT_STATED
    return activity["participants"]


def figures(content: dict[str, Any]) -> dict[str, Any]:
    """The numbers the standard report states; None where nobody gave the figure.

    The support rate is the share in favour among questionnaires returned, over every
    questionnaire activity; without returned questionnaires the satisfaction rate the user
    entered (a figure the source states) is taken instead.
    """
    content = upgrade(content)
    standard = content["standard"]
    activities = standard["activities"]
    by_kind: dict[str, dict[str, Any]] = {}
    for activity in activities:
        entry = by_kind.setdefault(
            activity["kind"], {"name": activity["kind_name"], "times": [], "participants": []}
        )
        entry["times"].append(_occasions(activity))
        entry["participants"].append(_participants(activity))
    kinds = [
        {
            "name": entry["name"],
            "count": _sum_known(entry["times"]),
            "participants": _sum_known(entry["participants"]),
        }
        for entry in by_kind.values()
    ]
    issued = _sum_known([a["questionnaires_issued"] for a in activities])
    returned = _sum_known([a["questionnaires_returned"] for a in activities])
    in_favour = _sum_known([a["questionnaires_in_favour"] for a in activities])
    support_rate = (
        round(100 * in_favour / returned, 1) if returned and in_favour is not None else None
    )
    entered_rate = standard["satisfaction_rate"]
    opinions = standard["opinions"]
    points = content["risk_points"]
    if opinions:
        opinion_figures = {
            "opinions": len(opinions),
            "opinions_adopted": sum(1 for o in opinions if o["adoption"] == "adopted"),
            "opinions_partly": sum(1 for o in opinions if o["adoption"] == "partly"),
            "opinions_not_adopted": sum(1 for o in opinions if o["adoption"] == "not_adopted"),
            "opinions_from_rows": True,
        }
    else:
        opinion_figures = {
            "opinions": standard["opinions_count"],
            "opinions_adopted": standard["opinions_adopted_count"],
            "opinions_partly": None,
            "opinions_not_adopted": None,
            "opinions_from_rows": False,
        }
    measures = content["measures_count"]
    if measures is None and points:
        measures = sum(1 for p in points if p["mitigation"].strip()) or None
    return {
        "activities": _sum_known([_occasions(a) for a in activities]),
        "activities_by_kind": kinds,
        "participants": _sum_known([_participants(a) for a in activities]),
        "questionnaires_issued": issued,
        "questionnaires_returned": returned,
        "questionnaires_in_favour": in_favour,
        "support_rate": support_rate,
        "satisfaction_rate": (
            None if support_rate is not None or entered_rate is None else Decimal(entered_rate)
        ),
        **opinion_figures,
        "risks": len(points),
        "risks_resolved": sum(1 for p in points if p["resolution_state"] == "resolved"),
        "risks_in_progress": sum(1 for p in points if p["resolution_state"] == "in_progress"),
        "risks_unresolved": sum(1 for p in points if p["resolution_state"] == "unresolved"),
        "experts": len(standard["experts"]) or standard["expert_count"],
        "measures": measures,
    }


# The part (wizard step) where each mark of the standard record is set.
_RECORD_MARK_PARTS = {
    "responsible_leader": "subject",
    "working_group": "subject",
    "opinions_count": "opinions",
    "expert_count": "expert",
    "expert_date": "expert",
    "expert_opinion": "expert",
    "emergency_triggers": "emergency",
    "emergency_command_leader": "emergency",
    "emergency_measures": "emergency",
    "emergency_contacts": "emergency",
    "meeting_kind": "decision",
    "meeting_date": "decision",
    "meeting_chair": "decision",
}
_LIST_LABELS = {
    "working_group": _("Working group"),
    "emergency_contacts": _("Emergency contacts"),
}


def _label(model, name: str) -> str:
    if name in _LIST_LABELS:
        return str(_LIST_LABELS[name])
    return str(model._meta.get_field(name).verbose_name)


def not_stated_items(content: dict[str, Any]) -> list[dict[str, str]]:
    """Every figure marked 未载明, with the part that holds it, for the preview's checklist
    and the reviewer: what the source does not state is shown as such, never as a number."""
    content = upgrade(content)
    items = [
        {"part": "project", "label": _label(Assessment, name)}
        for name in content["not_stated"]
        if state_in(content, name, _fact(content, name)) == NOT_STATED
    ]
    for number, activity in enumerate(content["standard"]["activities"], start=1):
        items += [
            {
                "part": "consultation",
                "label": f"{number}. {activity['kind_name']}：{_label(ConsultationActivity, name)}",
            }
            for name in activity["not_stated"]
            if state_in(activity, name, activity.get(name)) == NOT_STATED
        ]
    record = content["standard"]
    values = {
        **record,
        "expert_date": record["expert_review"]["date"],
        "expert_opinion": record["expert_review"]["opinion"],
        "emergency_triggers": record["emergency"]["triggers"],
        "emergency_command_leader": record["emergency"]["command_leader"],
        "emergency_measures": record["emergency"]["measures"],
        "meeting_kind": record["decision"]["meeting_kind"],
        "meeting_date": record["decision"]["date"],
        "meeting_chair": record["decision"]["chair"],
    }
    items += [
        {"part": _RECORD_MARK_PARTS.get(name, "subject"), "label": _label(StandardRecord, name)}
        for name in record["not_stated"]
        if state_in(record, name, values.get(name)) == NOT_STATED
    ]
    return items


def _fact(content: dict[str, Any], name: str):
    return {**content["facts"], **content["thresholds"]}.get(name)
