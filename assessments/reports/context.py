"""What the report template shows, built from content only — live, or a frozen Version's of
any schema — so the preview, the draft PDF and the signed PDF read the same data."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from ..common.text import paragraphs
from ..content import assessment_content, free_texts, level_scheme, outline_for, upgrade
from ..models import FREE, Assessment, Dimension, Mode, Recommendation, RiskCategory, Verdict
from .standard import project_facts, standard_report_context
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


BLOCKS = "reports/blocks/_%s.html"
# Headings and their levels: 一、 is the section's h2, and each level below one step down.
HEADING_TAGS = {1: "h2", 2: "h3", 3: "h4", 4: "h5"}


def outline_sections(
    outline: dict[str, Any], content: dict[str, Any], findings: list[dict]
) -> list[dict]:
    """The outline's headings as the report walks them: one section per top-level heading,
    the headings below it in order, each with the block it prints (nothing for a heading
    that only groups those below it)."""
    by_dimension = {finding["dimension"]: finding for finding in findings}
    texts = free_texts(content)
    sections: list[dict] = []
    for heading in outline["headings"]:
        binding = heading["binding"]
        item = {
            **heading,
            "tag": HEADING_TAGS[heading["level"]],
            "block": "",
            "finding": None,
            "free_paragraphs": [],
        }
        if binding.startswith("finding:"):
            item["block"] = BLOCKS % "finding"
            item["finding"] = by_dimension[binding.removeprefix("finding:")]
        elif binding == FREE:
            item["block"] = BLOCKS % "free"
            item["free_paragraphs"] = paragraphs(texts.get(heading["key"], ""))
        elif binding:
            item["block"] = BLOCKS % binding
        if heading["level"] == 1 or not sections:
            sections.append({"heading": item, "below": []})
        else:
            sections[-1]["below"].append(item)
    return sections


def report_context(
    content: dict[str, Any], outline: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Turn content (live, or a frozen Version's of any schema) into what the report
    template shows, under the headings of `outline` (a snapshot, `content.outline_snapshot`:
    the version's own, or the unit's now). Without one, the default outline of the content's
    mode — the headings every report had before outlines were data."""
    content = upgrade(content)
    if outline is None:
        outline = outline_for(None, content["mode"])
    levels = level_scheme(content)
    with translation.override(REPORT_LANGUAGE):
        findings = [
            {
                "number": number,
                "dimension": item["dimension"],
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
                "level_before_name": (
                    level_name(levels[point["level_before"]]["name"])
                    if point["level_before"]
                    else ""
                ),
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
            "facts": project_facts(content),
            "findings": findings,
            "risk_paragraphs": paragraphs(content["risk_narrative"]),
            "risk_points": risk_points,
            "risk_level": level,
            "risk_level_name": level_name(level["name"]) if level else "",
            "recommendation_label": recommendation,
            "conclusion_paragraphs": paragraphs(content["conclusion"]),
            "body_template": "reports/_body.html",
            "conclusion_statement": conclusion_statement(level, content["recommendation"]),
            "outline_code": outline["code"],
            "sections": outline_sections(outline, content, findings),
            # The statement closes the conclusion; when the conclusion ends the report it
            # is kept with the 落款, so the 落款 never stands alone on a page (GB/T 9704).
            "statement_in_signoff": _last_binding(outline) == "conclusion",
            # A simple report names its evidence files before the 落款 (GB/T 9704 附件说明);
            # the standard report lists them in its own 附件清单.
            "attachments": content["standard"]["attachments"],
        }
        if context["is_standard"]:
            context.update(standard_report_context(content, levels, context["risk_points"]))
        return context


def _last_binding(outline: dict[str, Any]) -> str:
    bound = [heading["binding"] for heading in outline["headings"] if heading["binding"]]
    return bound[-1] if bound else ""


def render_report_body(content: dict[str, Any], outline: dict[str, Any] | None = None) -> str:
    """The report as an HTML fragment, for the preview inside a page."""
    with translation.override(REPORT_LANGUAGE):
        context = report_context(content, outline)
        return keep_paragraph_ends(render_to_string(context["body_template"], context))


def live_outline(assessment: Assessment) -> dict[str, Any]:
    """The outline a draft follows now: its unit's for its mode, inherited down the tree."""
    return outline_for(assessment.owner_unit, assessment.mode)


def preview_html(assessment: Assessment) -> str:
    return render_report_body(assessment_content(assessment), live_outline(assessment))
