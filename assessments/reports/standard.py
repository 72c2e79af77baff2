"""What the standard report (一般评估, after the 2013 outline) shows beyond the simple one.

Built from content only — live or a frozen Version's, upgraded to the current schema — so the
preview and the signed PDF read the same records; every figure it states is computed by
`content.figures`, never typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..common.text import choice_label, paragraphs
from ..content import GIVEN, fields_of, figures, state_in
from ..models import (
    Adoption,
    AttachmentSection,
    EnvironmentalCategory,
    OpinionSource,
    Recommendation,
    Resolution,
)
from .typography import level_name


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def project_facts(content: dict[str, Any]) -> dict[str, Any]:
    """The matter's facts that 基本情况 prints: those of its kind that were given (a fact
    marked 未载明 or left empty prints nothing). Empty when none was given."""
    values = {**content["facts"], **content["thresholds"]}
    facts = {
        name: values[name]
        for name in fields_of(content["matter_kind"])
        if state_in(content, name, values.get(name)) == GIVEN
    }
    if not facts:
        return {}
    if "environmental_category" in facts:
        facts["environmental_category_label"] = choice_label(
            EnvironmentalCategory, facts["environmental_category"]
        )
    facts["scale_paragraphs"] = paragraphs(facts.pop("scale_content", ""))
    return facts


def _nonzero(*parts: tuple[str, int | None]) -> list[tuple[str, int]]:
    return [(name, number) for name, number in parts if number]


def _has_details(activity: dict[str, Any]) -> bool:
    """Whether an activity row says more than its kind and counts (a summary-level row,
    whose figures the sentence above the table already states)."""
    return any(
        activity[name] not in (None, "")
        for name in ("start_date", "place", "participants", "summary")
    )


def standard_report_context(
    content: dict[str, Any], levels: dict, risk_points: list[dict]
) -> dict[str, Any]:
    """The standard report's extra context; call inside the report language. `risk_points`
    are the simple report's rows (with their labels), given their resolution here."""
    record = content["standard"]
    computed = figures(content)
    activities = [
        {
            **activity,
            "number": n,
            "start": _date(activity["start_date"]),
            "end": _date(activity["end_date"]),
        }
        for n, activity in enumerate(record["activities"], start=1)
    ]
    opinions = [
        {
            **opinion,
            "source_label": (
                f"{opinion['source']}. {record['activities'][opinion['source'] - 1]['kind_name']}"
                if opinion["source"]
                else ""
            ),
            "raised_by_label": choice_label(OpinionSource, opinion["raised_by"]),
            "adoption_label": choice_label(Adoption, opinion["adoption"]),
        }
        for opinion in record["opinions"]
    ]
    expert = record["expert_review"]
    expert_level = levels.get(expert["level"]) if expert["level"] else None
    attachments = [
        {
            **item,
            "section_label": choice_label(AttachmentSection, item["section"]),
            "activity_label": (
                f"{item['activity']}. {record['activities'][item['activity'] - 1]['kind_name']}"
                if item["activity"]
                else ""
            ),
        }
        for item in record["attachments"]
    ]
    risks = [
        {
            **point,
            "number": n,
            "resolution_label": choice_label(Resolution, point["resolution_state"]),
        }
        for n, point in enumerate(risk_points, start=1)
    ]
    return {
        "basis_documents": record["basis_documents"],
        "responsible_leader": record["responsible_leader"],
        "third_party": record["third_party"],
        "working_group": record["working_group"],
        "activities": activities,
        "activities_detailed": any(_has_details(a) for a in activities),
        "opinions": opinions,
        "experts": record["experts"],
        "expert_date": _date(expert["date"]),
        "expert_level": expert_level,
        "expert_level_name": level_name(expert_level["name"]) if expert_level else "",
        "expert_recommendation_label": choice_label(Recommendation, expert["recommendation"]),
        "expert_paragraphs": paragraphs(expert["opinion"]),
        "standard_risks": risks,
        "open_risks": [p for p in risks if p["resolution_state"] != "resolved"],
        "emergency": {
            **record["emergency"],
            "trigger_paragraphs": paragraphs(record["emergency"]["triggers"]),
            "measure_paragraphs": paragraphs(record["emergency"]["measures"]),
        },
        "emergency_contacts": record["emergency_contacts"],
        "decision": {**record["decision"], "meeting_date": _date(record["decision"]["date"])},
        "attachments": attachments,
        "figures": {
            **computed,
            # The parts of a total computed from rows, without those no row is in.
            "opinion_parts": _nonzero(
                ("采纳", computed["opinions_adopted"]),
                ("部分采纳", computed["opinions_partly"]),
                ("未采纳", computed["opinions_not_adopted"]),
            ),
            "risk_parts": _nonzero(
                ("已化解", computed["risks_resolved"]),
                ("化解中", computed["risks_in_progress"]),
                ("未化解", computed["risks_unresolved"]),
            ),
        },
    }
