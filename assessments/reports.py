"""The report: context built from an assessment's content, rendered from one template.

The on-screen preview and the PDF both render `reports/_body.html` from the same context,
so they cannot differ. The report is an official Chinese document: it is always rendered in
Chinese, whatever language the user interface is in.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from .content import assessment_content
from .models import Assessment, Dimension, Mode, Recommendation, RiskCategory, RiskLevel

REPORT_LANGUAGE = "zh-hans"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def report_context(content: dict[str, Any]) -> dict[str, Any]:
    """Turn content (live, or a frozen Version's) into what the report template shows."""
    levels = {level.code: level for level in RiskLevel.objects.all()}
    with translation.override(REPORT_LANGUAGE):
        findings = [
            {
                "number": number,
                "label": str(Dimension(item["dimension"]).label),
                "paragraphs": _paragraphs(item["text"]),
            }
            for number, item in enumerate(content["findings"], start=1)
        ]
        risk_points = [
            {
                **point,
                "category_label": str(RiskCategory(point["category"]).label),
                "level_before_name": levels[point["level_before"]].name,
                "level_after_name": levels[point["level_after"]].name,
            }
            for point in content["risk_points"]
        ]
        level = levels.get(content["risk_level"]) if content["risk_level"] else None
        recommendation = (
            str(Recommendation(content["recommendation"]).label)
            if content["recommendation"]
            else ""
        )
        return {
            "title": content["title"],
            "report_date": date.fromisoformat(content["report_date"])
            if content["report_date"]
            else None,
            "project_name": content["project_name"],
            "responsible_entity": content["responsible_entity"],
            "responsible_contacts": content["contacts"]["responsible"],
            "mode_label": str(Mode(content["mode"]).label),
            "is_standard": content["mode"] == Mode.STANDARD,
            "evaluating_unit": content["evaluating_unit"],
            "evaluator_contacts": content["contacts"]["evaluator"],
            "basic_paragraphs": _paragraphs(content["basic_situation"]),
            "findings": findings,
            "risk_paragraphs": _paragraphs(content["risk_narrative"]),
            "risk_points": risk_points,
            "risk_level": level,
            "recommendation_label": recommendation,
            "conclusion_paragraphs": _paragraphs(content["conclusion"]),
        }


def render_report_body(content: dict[str, Any]) -> str:
    """The report as an HTML fragment, for the preview inside a page."""
    with translation.override(REPORT_LANGUAGE):
        return render_to_string("reports/_body.html", report_context(content))


def preview_html(assessment: Assessment) -> str:
    return render_report_body(assessment_content(assessment))
