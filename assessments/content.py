"""The content of an assessment as a document with a schema version — and the rules about it.

`assessment_content` is what a Version freezes at submission and what the report is rendered
from, so the preview, the diff and the signed PDF all read one shape. A Version is read years
after it was written: every reader passes stored content through `upgrade`, which brings an
older schema up to the current one, so old versions still preview, diff and verify.

The rules about content live here too, next to its shape: when each part is complete, what
the rules still require before submission, and which characters the report cannot print.
The wizard, the workflow and the preview ask this module; it asks nobody above it.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import fonts
from .models import Assessment, Dimension, RiskLevel, RiskPoint, Side

# 1: the simple report's content (no "schema" key).
# 2: a "schema" key, the mode thresholds and the standard-mode records ("standard"), and a
#    resolution state on every risk point; the never-edited prose fields basis_documents
#    and emergency_plan are gone (the records replace them).
SCHEMA_VERSION = 2

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
]

# The project step's threshold inputs (mode rules, DESIGN §5); None when not given.
THRESHOLD_FIELDS = [
    "households_relocated",
    "people_resettled",
    "farmland_mu",
    "environmental_category",
    "investment_wan",
    "people_affected",
]


def empty_standard() -> dict[str, Any]:
    """The standard-mode records of an assessment that has none."""
    return {
        "basis_documents": [],
        "responsible_leader": "",
        "third_party": "",
        "working_group": [],
        "activities": [],
        "opinions": [],
        "experts": [],
        "expert_review": {"date": None, "level": None, "recommendation": "", "opinion": ""},
        "emergency": {"triggers": "", "command_leader": "", "command_units": "", "measures": ""},
        "emergency_contacts": [],
        "decision": {
            "meeting_kind": "",
            "date": None,
            "chair": "",
            "attendance": "",
            "decision": "",
            "decision_name": "",
        },
        "attachments": [],
    }


def assessment_content(assessment: Assessment) -> dict[str, Any]:
    """Everything the report shows, as JSON-serialisable data of the current schema.

    Uses prefetched relations when the caller has prefetched them.
    """
    findings = {finding.dimension: finding for finding in assessment.findings.all()}
    contacts = sorted(assessment.contacts.all(), key=lambda c: (c.side, c.order))
    risk_points = sorted(assessment.risk_points.all(), key=lambda r: r.order)
    data: dict[str, Any] = {"schema": SCHEMA_VERSION}
    data.update({field: getattr(assessment, field) for field in CONTENT_FIELDS})
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
            "resolution_state": getattr(r, "resolution_state", ""),
            "resolution": getattr(r, "resolution", ""),
        }
        for r in risk_points
    ]
    data["thresholds"] = {
        name: _plain(getattr(assessment, name, None)) for name in THRESHOLD_FIELDS
    }
    data["mode_reason"] = getattr(assessment, "mode_reason", "")
    data["standard"] = standard_content(assessment)
    return data


def _plain(value):
    """Numbers as JSON has them (Decimal → str keeps the exact figure)."""
    if value is None or isinstance(value, int | str):
        return value
    return str(value)


def standard_content(assessment: Assessment) -> dict[str, Any]:
    """The standard-mode records (filled in by `models_standard` once it exists)."""
    return empty_standard()


# --- reading stored content ----------------------------------------------------------------


class UnknownSchema(ValueError):
    """Stored content of a schema newer than this code knows: refuse rather than guess."""


def upgrade(content: dict[str, Any]) -> dict[str, Any]:
    """Stored content of any known schema, as the current schema. Never changes `content`."""
    version = content.get("schema", 1)
    if version > SCHEMA_VERSION:
        raise UnknownSchema(f"content schema {version} is newer than {SCHEMA_VERSION}")
    if version == SCHEMA_VERSION:
        return content
    data = copy.deepcopy(content)
    if version == 1:
        data = _upgrade_1_to_2(data)
    return data


def _upgrade_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    # The two prose fields were never editable or printed: nothing of them can be lost.
    data.pop("basis_documents", None)
    data.pop("emergency_plan", None)
    for point in data.get("risk_points", []):
        point.setdefault("resolution_state", "")
        point.setdefault("resolution", "")
    data["thresholds"] = dict.fromkeys(THRESHOLD_FIELDS)
    data["mode_reason"] = ""
    data["standard"] = empty_standard()
    data["schema"] = 2
    return data


# --- completeness --------------------------------------------------------------------------

# The parts of the content, by the wizard step that edits them; their names in messages.
PART_TITLES = {
    "project": gettext_lazy("Project"),
    "contacts": gettext_lazy("Contacts"),
    "basic": gettext_lazy("Basic situation"),
    "findings": gettext_lazy("Four dimensions"),
    "risks": gettext_lazy("Risks and mitigation"),
    "conclusion": gettext_lazy("Conclusion"),
}


@dataclass(frozen=True)
class Missing:
    """One thing the rules still require: a message and the wizard step where it is fixed."""

    step: str
    message: str


def suggested_level_code(content: dict[str, Any], ranks: dict[str, int]) -> str | None:
    """The overall level the risk points suggest: the most serious level after measures."""
    codes = [point["level_after"] for point in content["risk_points"]]
    return max(codes, key=lambda code: ranks[code]) if codes else None


def deviates(
    *, level_code: str, recommendation: str, suggested_code: str | None, implied: str
) -> bool:
    """The one rule for "a choice that differs from the suggestion needs a reason": the level
    differs from the risk points' suggestion, or the recommendation from the one the chosen
    level implies in the scheme."""
    return (suggested_code is not None and suggested_code != level_code) or (
        recommendation != implied
    )


def _scheme() -> dict[str, RiskLevel]:
    return {level.code: level for level in RiskLevel.objects.all()}


def step_completeness(content: dict[str, Any], scheme=None) -> dict[str, bool]:
    """Whether each of the simple report's parts is complete, by wizard step."""
    content = upgrade(content)
    scheme = _scheme() if scheme is None else scheme
    project = all(
        content[name]
        for name in (
            "title",
            "project_name",
            "responsible_entity",
            "mode",
            "evaluating_unit",
            "report_date",
        )
    )
    contacts = all(content["contacts"][side] for side in Side.values)
    findings = all(f["text"].strip() and f["verdict"] for f in content["findings"])
    return {
        "project": bool(project),
        "contacts": contacts,
        "basic": bool(content["basic_situation"].strip()),
        "findings": findings,
        "risks": bool(content["risk_narrative"].strip()),
        "conclusion": _conclusion_complete(content, scheme),
    }


def _conclusion_complete(content: dict[str, Any], scheme: dict[str, RiskLevel]) -> bool:
    level = scheme.get(content["risk_level"] or "")
    if level is None or not content["recommendation"] or not content["conclusion"].strip():
        return False
    ranks = {code: item.rank for code, item in scheme.items()}
    needs_reason = deviates(
        level_code=level.code,
        recommendation=content["recommendation"],
        suggested_code=suggested_level_code(content, ranks),
        implied=level.recommendation,
    )
    return not needs_reason or bool(content["deviation_reason"].strip())


def missing_requirements(content: dict[str, Any], scheme=None) -> list[Missing]:
    """What must still be done before the content may be submitted, in the wizard's order."""
    complete = step_completeness(content, scheme)
    return [Missing(slug, str(PART_TITLES[slug])) for slug, done in complete.items() if not done]


# --- printability --------------------------------------------------------------------------


def unprintable_characters(text: str) -> list[str]:
    """Characters the report's body font cannot draw: they would print blank."""
    covered = fonts.font_characters(fonts.BODY_FONT)
    return sorted({ch for ch in text if ch.isprintable() and ord(ch) not in covered})


def unprintable_message(characters: list[str]) -> str:
    return _(
        "The report cannot print these characters: %(chars)s. Please remove or replace them."
    ) % {"chars": " ".join(characters[:10])}


def uncovered_characters(content: dict[str, Any]) -> list[str]:
    return unprintable_characters(json.dumps(content, ensure_ascii=False))


def printing_problem(content: dict[str, Any]) -> str | None:
    """Why the report could not print this content, or None. With no report font installed
    at all it says nothing: that is a start-up error (checks.py), not the author's."""
    if not fonts.font_characters(fonts.BODY_FONT):
        return None
    missing = uncovered_characters(content)
    return unprintable_message(missing) if missing else None
