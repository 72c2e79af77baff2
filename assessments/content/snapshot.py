"""The content of an assessment as a document with a schema version.

`assessment_content` is what a Version freezes at submission and what the report is rendered
from, so the preview, the diff and the signed PDF all read one shape. A Version is read years
after it was written: every reader passes stored content through `upgrade`, which brings an
older schema up to the current one, so old versions still preview, diff and verify.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import Prefetch

from ..models import (
    Assessment,
    ConsultationActivity,
    Dimension,
    MatterKind,
    Measure,
    RiskLevel,
    RiskPoint,
    Side,
    StandardRecord,
)

# 1: the simple report's content (no "schema" key).
# 2: a "schema" key, the mode thresholds and the standard-mode records ("standard"), and a
#    resolution state on every risk point; the never-edited prose fields basis_documents
#    and emergency_plan are gone (the records replace them).
# 3: "levels", the risk-level scheme as it stood when the version was frozen (code → name,
#    rank, definition, recommendation, note), so an old version reads in the words it was
#    submitted with after a locality rewords its scheme. None in live content, which reads
#    the scheme as it is now (`level_scheme`).
# 4: the matter's kind and facts ("matter_kind", "facts"), the summary-level figures
#    ("measures_count"; in "standard": opinions_count, opinions_adopted_count,
#    satisfaction_rate, expert_count), how many times an activity was held ("occasions"),
#    each expert's own opinion, and the 未载明 marks ("not_stated" lists on the content, the
#    standard record and each activity). Dates, places, likelihood and impact may be None.
SCHEMA_VERSION = 4

# What `assessment_content` reads, for callers to prefetch.
CONTENT_PREFETCH = [
    "risk_level",
    "contacts",
    "findings",
    Prefetch(
        "risk_points", queryset=RiskPoint.objects.select_related("level_before", "level_after")
    ),
    # Standard mode's records (a simple assessment has none: each is one empty query).
    "basis_documents",
    "working_group",
    Prefetch("activities", queryset=ConsultationActivity.objects.select_related("kind")),
    "opinions",
    "experts",
    "emergency_contacts",
    Prefetch(
        "standard_record",
        queryset=StandardRecord.objects.select_related("expert_level", "decision"),
    ),
    "attachments",
    "free_sections",
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
THRESHOLD_FIELDS = list(Measure.values)

# The matter's own facts that are not mode figures (content.matters orders them all).
OWN_FACT_FIELDS = [
    "project_unit",
    "location",
    "scale_content",
    "schedule",
    "funding_sources",
    "area_sqm",
    "households_affected",
    "document_title",
    "drafting_unit",
    "scope",
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
        "opinions_count": None,
        "opinions_adopted_count": None,
        "satisfaction_rate": None,
        "expert_count": None,
        "not_stated": [],
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
            "level_before": r.level_before.code if r.level_before else None,
            "level_after": r.level_after.code,
            "mitigation": r.mitigation,
            "responsible_party": r.responsible_party,
            "resolution_state": r.resolution_state,
            "resolution": r.resolution,
        }
        for r in risk_points
    ]
    data["thresholds"] = {name: _plain(getattr(assessment, name)) for name in THRESHOLD_FIELDS}
    data["mode_reason"] = assessment.mode_reason
    data["matter_kind"] = assessment.matter_kind
    data["facts"] = {name: _plain(getattr(assessment, name)) for name in OWN_FACT_FIELDS}
    data["measures_count"] = assessment.measures_count
    data["not_stated"] = sorted(assessment.not_stated)
    data["standard"] = standard_content(assessment)
    # The texts of the free sections of outlines, by key (content.outline.free_texts).
    data["free_sections"] = {f.key: f.text for f in assessment.free_sections.all()}
    data["levels"] = None
    return data


def scheme_snapshot() -> dict[str, dict[str, Any]]:
    """The risk-level scheme as data, by level code."""
    return {
        level.code: {
            "name": level.name,
            "rank": level.rank,
            "definition": level.definition,
            "recommendation": level.recommendation,
            "recommendation_note": level.recommendation_note,
        }
        for level in RiskLevel.objects.all()
    }


def frozen(content: dict[str, Any]) -> dict[str, Any]:
    """Content as a Version keeps it: with the scheme's words of today."""
    return {**content, "levels": scheme_snapshot()}


def level_scheme(content: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The levels `content` is read in: those frozen with it, else the scheme as it is now
    (live content, and versions older than schema 3)."""
    return upgrade(content)["levels"] or scheme_snapshot()


def level_names(content: dict[str, Any]) -> dict[str, str]:
    return {code: level["name"] for code, level in level_scheme(content).items()}


def _plain(value):
    """Numbers as JSON has them (Decimal → str keeps the exact figure)."""
    if value is None or isinstance(value, int | str):
        return value
    return str(value)


def _ordered(rows) -> list:
    return sorted(rows, key=lambda row: (row.order, row.pk))


def _date(value) -> str | None:
    return value.isoformat() if value else None


def standard_content(assessment: Assessment) -> dict[str, Any]:
    """The standard-mode records. Kept whatever the mode, so switching a draft's mode loses
    nothing; the report and the rules read them only in standard mode.

    Rows refer to each other by position (an opinion's source is activity number n), and
    the names of data a locality may change (kinds of activity, decision options) are frozen
    beside their codes, so a version reads the same after the lists change.
    """
    data = empty_standard()
    activities = _ordered(assessment.activities.all())
    position = {activity.pk: n for n, activity in enumerate(activities, start=1)}
    data["basis_documents"] = [
        {"title": d.title, "number": d.number, "issuer": d.issuer}
        for d in _ordered(assessment.basis_documents.all())
    ]
    data["working_group"] = [
        {"name": m.name, "unit": m.unit, "role": m.role}
        for m in _ordered(assessment.working_group.all())
    ]
    data["activities"] = [
        {
            "kind": a.kind.code,
            "kind_name": a.kind.name,
            "occasions": a.occasions,
            "start_date": _date(a.start_date),
            "end_date": _date(a.end_date),
            "place": a.place,
            "participants": a.participants,
            "questionnaires_issued": a.questionnaires_issued,
            "questionnaires_returned": a.questionnaires_returned,
            "questionnaires_in_favour": a.questionnaires_in_favour,
            "summary": a.summary,
            "not_stated": sorted(a.not_stated),
        }
        for a in activities
    ]
    data["opinions"] = [
        {
            "source": position.get(o.activity_id),
            "raised_by": o.raised_by,
            "content": o.content,
            "adoption": o.adoption,
            "response": o.response,
        }
        for o in _ordered(assessment.opinions.all())
    ]
    data["experts"] = [
        {"name": e.name, "title": e.title, "organisation": e.organisation, "opinion": e.opinion}
        for e in _ordered(assessment.experts.all())
    ]
    data["emergency_contacts"] = [
        {"name": c.name, "role": c.role, "phone": c.phone}
        for c in _ordered(assessment.emergency_contacts.all())
    ]
    data["attachments"] = [
        {
            "section": f.section,
            "activity": position.get(f.activity_id),
            "name": f.name,
            "content_type": f.content_type,
            "size": f.size,
            "sha256": f.sha256,
        }
        for f in sorted(assessment.attachments.all(), key=lambda f: (f.uploaded_at, f.pk))
    ]
    try:
        record = assessment.standard_record
    except StandardRecord.DoesNotExist:
        return data
    data["responsible_leader"] = record.responsible_leader
    data["third_party"] = record.third_party
    data["opinions_count"] = record.opinions_count
    data["opinions_adopted_count"] = record.opinions_adopted_count
    data["satisfaction_rate"] = _plain(record.satisfaction_rate)
    data["expert_count"] = record.expert_count
    data["not_stated"] = sorted(record.not_stated)
    data["expert_review"] = {
        "date": _date(record.expert_date),
        "level": record.expert_level.code if record.expert_level else None,
        "recommendation": record.expert_recommendation,
        "opinion": record.expert_opinion,
    }
    data["emergency"] = {
        "triggers": record.emergency_triggers,
        "command_leader": record.emergency_command_leader,
        "command_units": record.emergency_command_units,
        "measures": record.emergency_measures,
    }
    data["decision"] = {
        "meeting_kind": record.meeting_kind,
        "date": _date(record.meeting_date),
        "chair": record.meeting_chair,
        "attendance": record.meeting_attendance,
        "decision": record.decision.code if record.decision else "",
        "decision_name": record.decision.name if record.decision else "",
    }
    return data


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
    if data["schema"] == 2:
        data["levels"] = None
        data["schema"] = 3
    if data["schema"] == 3:
        data = _upgrade_3_to_4(data)
    return data


def _upgrade_3_to_4(data: dict[str, Any]) -> dict[str, Any]:
    # Nothing was marked 未载明 and no summary figure was entered before schema 4; a matter
    # was always a construction project, and every activity row one activity.
    data["matter_kind"] = MatterKind.PROJECT.value
    data["facts"] = {
        name: None if name in ("area_sqm", "households_affected") else ""
        for name in OWN_FACT_FIELDS
    }
    data["measures_count"] = None
    data["not_stated"] = []
    standard = data["standard"]
    for name in ("opinions_count", "opinions_adopted_count", "satisfaction_rate", "expert_count"):
        standard[name] = None
    standard["not_stated"] = []
    for activity in standard["activities"]:
        activity["occasions"] = None
        activity["not_stated"] = []
    for expert in standard["experts"]:
        expert["opinion"] = ""
    data["schema"] = 4
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
