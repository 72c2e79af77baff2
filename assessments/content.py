"""The content of an assessment as plain data.

`assessment_content` is what a Version freezes at submission and what the report is rendered
from, so the preview, the diff and the signed PDF all read one shape.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from .models import Assessment, Dimension, RiskPoint, Side

# What `assessment_content` reads, for callers to prefetch.
CONTENT_PREFETCH = [
    "risk_level",
    "contacts",
    "findings",
    Prefetch(
        "risk_points", queryset=RiskPoint.objects.select_related("level_before", "level_after")
    ),
]

CONTENT_FIELDS = [
    "title",
    "project_name",
    "responsible_entity",
    "mode",
    "evaluating_unit",
    "basic_situation",
    "risk_narrative",
    "recommendation",
    "deviation_reason",
    "conclusion",
    "basis_documents",
    "emergency_plan",
]


def assessment_content(assessment: Assessment) -> dict[str, Any]:
    """Everything the report shows, as JSON-serialisable data.

    Uses prefetched relations when the caller has prefetched them.
    """
    findings = {finding.dimension: finding for finding in assessment.findings.all()}
    contacts = sorted(assessment.contacts.all(), key=lambda c: (c.side, c.order))
    risk_points = sorted(assessment.risk_points.all(), key=lambda r: r.order)
    data: dict[str, Any] = {field: getattr(assessment, field) for field in CONTENT_FIELDS}
    data["report_date"] = assessment.report_date.isoformat() if assessment.report_date else None
    data["risk_level"] = assessment.risk_level.code if assessment.risk_level else None
    data["findings"] = [
        {
            "dimension": dimension,
            "text": findings[dimension].text if dimension in findings else "",
            "verdict": findings[dimension].verdict if dimension in findings else "",
        }
        for dimension in Dimension.values
    ]
    data["contacts"] = {
        side: [
            {"name": c.name, "position": c.position, "phone": c.phone}
            for c in contacts
            if c.side == side
        ]
        for side in Side.values
    }
    data["risk_points"] = [
        {
            "description": r.description,
            "category": r.category,
            "likelihood": r.likelihood,
            "impact": r.impact,
            "level_before": r.level_before.code,
            "level_after": r.level_after.code,
            "mitigation": r.mitigation,
            "responsible_party": r.responsible_party,
        }
        for r in risk_points
    ]
    return data
