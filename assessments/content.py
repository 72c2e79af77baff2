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
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import fonts
from .models import (
    Assessment,
    ConsultationActivity,
    Dimension,
    Measure,
    ModeThreshold,
    ProcedureRule,
    RiskLevel,
    RiskPoint,
    RuleKind,
    Side,
    StandardRecord,
)

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
            "resolution_state": r.resolution_state,
            "resolution": r.resolution,
        }
        for r in risk_points
    ]
    data["thresholds"] = {name: _plain(getattr(assessment, name)) for name in THRESHOLD_FIELDS}
    data["mode_reason"] = assessment.mode_reason
    data["standard"] = standard_content(assessment)
    return data


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
            "start_date": _date(a.start_date),
            "end_date": _date(a.end_date),
            "place": a.place,
            "participants": a.participants,
            "questionnaires_issued": a.questionnaires_issued,
            "questionnaires_returned": a.questionnaires_returned,
            "questionnaires_in_favour": a.questionnaires_in_favour,
            "summary": a.summary,
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
        {"name": e.name, "title": e.title, "organisation": e.organisation}
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
SIMPLE_ORDER = ["project", "contacts", "basic", "findings", "risks", "conclusion"]
# The procedure's order, which the standard wizard's steps follow.
STANDARD_ORDER = [
    "project",
    "contacts",
    "basis",
    "subject",
    "basic",
    "consultation",
    "opinions",
    "expert",
    "findings",
    "risks",
    "emergency",
    "conclusion",
    "decision",
]


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
    """Whether each part of the content is complete, by the wizard step that edits it."""
    return {slug: not problems for slug, problems in part_problems(content, scheme).items()}


def part_problems(content: dict[str, Any], scheme=None) -> dict[str, list[str]]:
    """What is still missing in each part, by wizard step (an empty list: complete). A
    standard assessment has more parts, and stricter ones, than a simple one."""
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
    parts = {
        "project": [] if project else [str(PART_TITLES["project"])],
        "contacts": [] if contacts else [str(PART_TITLES["contacts"])],
        "basic": [] if content["basic_situation"].strip() else [str(PART_TITLES["basic"])],
        "findings": [] if findings else [str(PART_TITLES["findings"])],
        "risks": [] if content["risk_narrative"].strip() else [str(PART_TITLES["risks"])],
        "conclusion": []
        if _conclusion_complete(content, scheme)
        else [str(PART_TITLES["conclusion"])],
    }
    if parts["project"] == [] and _mode_reason_missing(content):
        parts["project"] = [
            _("Project: the figures suggest a standard assessment; say why simple mode is used.")
        ]
    if content["mode"] == "standard":
        parts.update(_standard_problems(content, parts))
    return parts


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


def _mode_reason_missing(content: dict[str, Any]) -> bool:
    return mode_reason_required(
        mode=content["mode"],
        thresholds=content["thresholds"],
        reason=content["mode_reason"],
    )


# --- mode rules (data: ModeThreshold, ProcedureRule) ----------------------------------------

# The environmental-assessment document as a number a threshold can compare, lightest first.
ENVIRONMENTAL_RANK = {"registration": 1, "report_form": 2, "report_book": 3}


@dataclass(frozen=True)
class Exceeded:
    """A project figure at or above the locality's threshold for standard mode."""

    measure: str
    label: str
    value: Any
    minimum: Decimal
    source: str


def mode_suggestion(thresholds: dict[str, Any], rules=None) -> list[Exceeded]:
    """The thresholds the project's figures reach; any one suggests standard mode."""
    rules = list(ModeThreshold.objects.all()) if rules is None else rules
    found = []
    for rule in rules:
        value = thresholds.get(rule.measure)
        if value in (None, ""):
            continue
        number = (
            ENVIRONMENTAL_RANK.get(value, 0)
            if rule.measure == Measure.ENVIRONMENT
            else Decimal(str(value))
        )
        if number >= rule.minimum:
            found.append(
                Exceeded(
                    rule.measure, str(rule.get_measure_display()), value, rule.minimum, rule.source
                )
            )
    return found


def mode_reason_required(*, mode: str, thresholds: dict[str, Any], reason: str, rules=None) -> bool:
    """The one rule for "the lighter mode against the suggestion needs a reason"."""
    if mode != "simple" or (reason or "").strip():
        return False
    return bool(mode_suggestion(thresholds, rules))


def _standard_problems(content: dict[str, Any], parts: dict) -> dict[str, list[str]]:
    record = content["standard"]
    expert = record["expert_review"]
    emergency = record["emergency"]
    decision = record["decision"]
    risks = list(parts["risks"])
    if not content["risk_points"]:
        risks.append(_("Risks: list the risk points found, each with its resolution."))
    elif not all(point["resolution_state"] for point in content["risk_points"]):
        risks.append(_("Risks: say for every risk point whether it is resolved."))
    problems = {
        "basis": [] if record["basis_documents"] else [_("Basis: list at least one document.")],
        "subject": [],
        "consultation": []
        if record["activities"]
        else [_("Consultation: record the consultation activities.")],
        "opinions": [] if record["opinions"] else [_("Opinions: record the opinions heard.")],
        "expert": [],
        "risks": risks,
        "emergency": [],
        "decision": [],
    }
    if not record["responsible_leader"].strip():
        problems["subject"].append(_("Who assessed: name the responsible leader."))
    if not record["working_group"]:
        problems["subject"].append(_("Who assessed: list the working group."))
    if any(o["adoption"] != "adopted" and not o["response"].strip() for o in record["opinions"]):
        problems["opinions"].append(
            _("Opinions: give the reason for every opinion not fully adopted.")
        )
    if not (expert["date"] and expert["level"] and expert["recommendation"]):
        problems["expert"].append(
            _("Expert review: give its date, the level found and the recommendation.")
        )
    if not expert["opinion"].strip():
        problems["expert"].append(_("Expert review: record the panel's opinion."))
    if not record["experts"]:
        problems["expert"].append(_("Expert review: list the panel's members."))
    if not (emergency["triggers"].strip() and emergency["measures"].strip()):
        problems["emergency"].append(
            _("Emergency plan: give the trigger conditions and the response measures.")
        )
    if not emergency["command_leader"].strip():
        problems["emergency"].append(_("Emergency plan: name who commands the response."))
    if not record["emergency_contacts"]:
        problems["emergency"].append(_("Emergency plan: list the emergency contacts."))
    if not (decision["meeting_kind"].strip() and decision["date"] and decision["chair"].strip()):
        problems["decision"].append(
            _("Collective decision: give the meeting, its date and who chaired it.")
        )
    if not decision["decision"]:
        problems["decision"].append(_("Collective decision: record what was decided."))
    for slug, found in procedure_problems(content).items():
        problems[slug] = problems.get(slug, []) + found
    return problems


def procedure_problems(content: dict[str, Any], rules=None) -> dict[str, list[str]]:
    """The minimum procedure of standard mode, read from the rules data: a change to the
    rules changes what is required, without code."""
    content = upgrade(content)
    rules = list(ProcedureRule.objects.select_related("activity_kind")) if rules is None else rules
    record = content["standard"]
    kinds_held = {activity["kind"] for activity in record["activities"]}
    investment = content["thresholds"].get("investment_wan")
    investment = Decimal(str(investment)) if investment not in (None, "") else None
    problems: dict[str, list[str]] = {"consultation": [], "expert": []}
    required = {r.activity_kind.code for r in rules if r.kind == RuleKind.ACTIVITY_REQUIRED}
    for rule in rules:
        if rule.kind == RuleKind.ACTIVITY_REQUIRED and rule.activity_kind.code not in kinds_held:
            problems["consultation"].append(
                _("Consultation: a %(kind)s is required (%(source)s).")
                % {"kind": rule.activity_kind.name, "source": rule.source}
            )
        elif rule.kind == RuleKind.OTHER_KINDS and len(kinds_held - required) < rule.number:
            problems["consultation"].append(
                _(
                    "Consultation: at least %(number)s other kinds of activity are required "
                    "(%(source)s)."
                )
                % {"number": rule.number, "source": rule.source}
            )
    panel_rules = [
        r
        for r in rules
        if r.kind == RuleKind.EXPERT_PANEL
        and (
            r.min_investment_wan is None
            or (investment is not None and investment >= r.min_investment_wan)
        )
    ]
    if panel_rules:
        strictest = max(panel_rules, key=lambda r: r.number)
        if len(record["experts"]) < strictest.number:
            problems["expert"].append(
                _("Expert review: a panel of at least %(number)s experts is required (%(source)s).")
                % {"number": strictest.number, "source": strictest.source}
            )
    return {slug: found for slug, found in problems.items() if found}


def missing_requirements(content: dict[str, Any], scheme=None) -> list[Missing]:
    """What must still be done before the content may be submitted, in the wizard's order."""
    problems = part_problems(content, scheme)
    order = STANDARD_ORDER if upgrade(content)["mode"] == "standard" else SIMPLE_ORDER
    return [Missing(slug, message) for slug in order for message in problems.get(slug, [])]


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
