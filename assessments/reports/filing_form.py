"""The 报备表 (issue 18, point 1): the form an issued report is filed with, as PDF, by the
report's layout rules (`render.render_html_pdf`: its fetcher, fonts and print CSS).

Every field is read from what was recorded: the issued version's content (the report as
signed), what the clerk added when filing, and the oversight units' steps. A field nobody
gave stays empty — the form prints blank lines, never a default or a guess.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..content import upgrade
from ..models import Filing, FilingAction, FilingStep
from .context import REPORT_LANGUAGE, report_context
from .render import render_html_pdf


def _level(unit, steps: list[FilingStep]) -> dict[str, Any]:
    """One oversight unit's sign-off: its latest written opinion and the date of its last
    approval, else of its opinion (a receipt alone signs nothing, so it dates nothing)."""
    by_action: dict[str, FilingStep] = {}
    for step in steps:
        by_action[step.action] = step  # in order: the latest of each act wins
    dated = next(
        (
            by_action[action]
            for action in (FilingAction.APPROVED, FilingAction.OPINION)
            if action in by_action
        ),
        None,
    )
    opinion = by_action.get(FilingAction.OPINION)
    return {
        "unit": unit.name,
        "opinion": opinion.text if opinion else "",
        "date": timezone.localdate(dated.created_at) if dated else None,
    }


def _levels(filing: Filing, steps: list[FilingStep]) -> list[dict[str, Any]]:
    """The oversight units in the order the filing reached them, with their sign-offs."""
    owner = filing.assessment.owner_unit_id
    order: list = []
    by_unit: dict[int, list[FilingStep]] = {}
    for step in steps:
        if step.unit_id == owner:
            continue
        if step.unit_id not in by_unit:
            order.append(step.unit)
            by_unit[step.unit_id] = []
        by_unit[step.unit_id].append(step)
    # A unit the filing reached but where nobody has acted yet signs nothing: not listed.
    return [_level(unit, by_unit[unit.pk]) for unit in order]


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def filing_form_context(filing: Filing) -> dict[str, Any]:
    """What the 报备表 prints, from the issued version and the filing's records."""
    assessment = filing.assessment
    report = assessment.signed_report
    version = report.version
    content = upgrade(version.content)
    steps = list(filing.steps.select_related("unit").order_by("created_at", "id"))
    with translation.override(REPORT_LANGUAGE):
        report_data = report_context(content, version.outline)
        standard = content["standard"]
        decision = standard["decision"]
        contacts = content["contacts"]["responsible"]
        leader = standard["responsible_leader"] if content["mode"] == "standard" else ""
        if filing.decision_opinion:
            decision_text, decision_date = filing.decision_opinion, filing.decision_opinion_date
        elif decision["decision_name"]:
            decision_text = decision["decision_name"]  # the decision as recorded, no more
            decision_date = _date(decision["date"])
        else:
            decision_text, decision_date = "", filing.decision_opinion_date
        levels = _levels(filing, steps)
        points = report_data["risk_points"]
        return {
            "filing_unit": assessment.owner_unit.name,
            "risk_level_name": report_data["risk_level_name"],
            "report_number": report.report_number,
            "project_name": content["project_name"],
            "responsible_people": [leader]
            if leader
            else [c["name"] + (f"（{c['position']}）" if c["position"] else "") for c in contacts],
            "responsible_entity": content["responsible_entity"],
            "contact_lines": [f"{c['name']} {c['phone']}" for c in contacts if c["phone"]],
            "basic_paragraphs": report_data["basic_paragraphs"],
            "risks": [p["description"] for p in points],
            "risk_paragraphs": [] if points else report_data["risk_paragraphs"],
            "measures": [p["mitigation"] for p in points],
            "result_use": filing.result_use,
            "conclusion_statement": report_data["conclusion_statement"],
            "conclusion_paragraphs": report_data["conclusion_paragraphs"],
            "remarks": filing.remarks,
            "evaluating_unit": content["evaluating_unit"],
            "report_date": report_data["report_date"],
            "decision_text": decision_text,
            "decision_date": decision_date,
            "local": levels[0] if levels else None,
            "upper": levels[1] if len(levels) > 1 else None,
        }


def filing_form_html(filing: Filing) -> str:
    with translation.override(REPORT_LANGUAGE):
        return render_to_string("reports/filing_form.html", filing_form_context(filing))


def filing_form_pdf(filing: Filing) -> bytes:
    """The 报备表 of `filing` as PDF/A-2b bytes (for the download and the archive package)."""
    return render_html_pdf(filing_form_html(filing))
