"""The figures the standard report states, computed from the records — never typed."""

from __future__ import annotations

from typing import Any

from .snapshot import upgrade


def figures(content: dict[str, Any]) -> dict[str, Any]:
    """The numbers the standard report states, computed from the records — never typed.

    The support rate is the share in favour among questionnaires returned, over every
    questionnaire activity; None when no questionnaire was returned.
    """
    standard = upgrade(content)["standard"]
    by_kind: dict[str, dict[str, Any]] = {}
    for activity in standard["activities"]:
        entry = by_kind.setdefault(
            activity["kind"], {"name": activity["kind_name"], "count": 0, "participants": 0}
        )
        entry["count"] += 1
        entry["participants"] += activity["participants"] or 0
    returned = sum(a["questionnaires_returned"] or 0 for a in standard["activities"])
    in_favour = sum(a["questionnaires_in_favour"] or 0 for a in standard["activities"])
    issued = sum(a["questionnaires_issued"] or 0 for a in standard["activities"])
    opinions = standard["opinions"]
    points = upgrade(content)["risk_points"]
    return {
        "activities": len(standard["activities"]),
        "activities_by_kind": list(by_kind.values()),
        "participants": sum(a["participants"] or 0 for a in standard["activities"]),
        "questionnaires_issued": issued,
        "questionnaires_returned": returned,
        "questionnaires_in_favour": in_favour,
        "support_rate": round(100 * in_favour / returned, 1) if returned else None,
        "opinions": len(opinions),
        "opinions_adopted": sum(1 for o in opinions if o["adoption"] == "adopted"),
        "opinions_partly": sum(1 for o in opinions if o["adoption"] == "partly"),
        "opinions_not_adopted": sum(1 for o in opinions if o["adoption"] == "not_adopted"),
        "risks": len(points),
        "risks_resolved": sum(1 for p in points if p["resolution_state"] == "resolved"),
        "risks_in_progress": sum(1 for p in points if p["resolution_state"] == "in_progress"),
        "risks_unresolved": sum(1 for p in points if p["resolution_state"] == "unresolved"),
        "experts": len(standard["experts"]),
        "measures": sum(1 for p in points if p["mitigation"].strip()),
    }
