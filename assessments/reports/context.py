"""What the report template shows, built from content only — live, or a frozen Version's of
any schema — so the preview, the draft PDF and the signed PDF read the same data."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from ..common.text import paragraphs
from ..content import assessment_content, level_scheme, upgrade
from ..models import Assessment, Dimension, Mode, Recommendation, RiskCategory, Verdict
from .standard import standard_report_context
from .titles import title_lines
from .typography import keep_paragraph_ends, level_name

# The report is an official Chinese document: always rendered in Chinese, whatever language
# the user interface is in.
REPORT_LANGUAGE = "zh-hans"


def conclusion_statement(level: dict | None, recommendation: str) -> str:
    """四、评估结论 in the scheme's words: "风险等级：低风险。评估建议：准予实施。". `level` is
    one level of the scheme the content is read in (`content.level_scheme`)."""
    if level is None or not recommendation:
        return ""
    if recommendation == level["recommendation"] and level["recommendation_note"]:
        advice = level["recommendation_note"]
    else:
        advice = str(Recommendation(recommendation).label)
    return f"风险等级：{level_name(level['name'])}。评估建议：{advice}。"


def report_context(content: dict[str, Any]) -> dict[str, Any]:
    """Turn content (live, or a frozen Version's of any schema) into what the report
    template shows."""
    content = upgrade(content)
    levels = level_scheme(content)
    with translation.override(REPORT_LANGUAGE):
        findings = [
            {
                "number": number,
                "label": str(Dimension(item["dimension"]).label),
                "paragraphs": paragraphs(item["text"]),
                "verdict_label": str(Verdict(item["verdict"]).label) if item["verdict"] else "",
            }
            for number, item in enumerate(content["findings"], start=1)
        ]
        risk_points = [
            {
                **point,
                "category_label": str(RiskCategory(point["category"]).label),
                "level_before_name": level_name(levels[point["level_before"]]["name"]),
                "level_after_name": level_name(levels[point["level_after"]]["name"]),
            }
            for point in content["risk_points"]
        ]
        level = levels.get(content["risk_level"]) if content["risk_level"] else None
        recommendation = (
            str(Recommendation(content["recommendation"]).label)
            if content["recommendation"]
            else ""
        )
        context = {
            "title": content["title"],
            "title_lines": title_lines(content["title"]),
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
            "basic_paragraphs": paragraphs(content["basic_situation"]),
            "findings": findings,
            "risk_paragraphs": paragraphs(content["risk_narrative"]),
            "risk_points": risk_points,
            "risk_level": level,
            "risk_level_name": level_name(level["name"]) if level else "",
            "recommendation_label": recommendation,
            "conclusion_paragraphs": paragraphs(content["conclusion"]),
            "body_template": "reports/_body.html",
            "conclusion_statement": conclusion_statement(level, content["recommendation"]),
            # A simple report names its evidence files before the 落款 (GB/T 9704 附件说明);
            # the standard report lists them in its own 附件清单.
            "attachments": content["standard"]["attachments"],
        }
        if context["is_standard"]:
            # The 2013 outline: its own body template, the simple one left as it is.
            context.update(standard_report_context(content, levels, context["risk_points"]))
            context["body_template"] = "reports/_body_standard.html"
        return context


def render_report_body(content: dict[str, Any]) -> str:
    """The report as an HTML fragment, for the preview inside a page."""
    with translation.override(REPORT_LANGUAGE):
        context = report_context(content)
        return keep_paragraph_ends(render_to_string(context["body_template"], context))


def preview_html(assessment: Assessment) -> str:
    return render_report_body(assessment_content(assessment))
