"""Starting a new draft from a past assessment (issue 18, point 6).

The copy is made from the content snapshot (`content.snapshot.assessment_content`), the
same document a Version freezes and the report prints, and written back through the editing
services, so the copy holds exactly what the report of the source shows and passes the same
validation as a typed draft. What is not content is never copied: versions, review events,
signatures, report numbers and the audit trail belong to the source. The report date is
left empty (the new report gets its own), and evidence files are left out: a hash without
its file proves nothing, and the new assessment's evidence is uploaded afresh.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects

from ..content import CONTENT_FIELDS, CONTENT_PREFETCH, THRESHOLD_FIELDS, assessment_content
from ..content.snapshot import OWN_FACT_FIELDS
from ..models import (
    ActivityKind,
    Assessment,
    BasisDocument,
    ConsultationActivity,
    DecisionOption,
    EmergencyContact,
    ExpertMember,
    Opinion,
    RiskLevel,
    StandardRecord,
    WorkingGroupMember,
)
from . import editing

# Standard-mode row lists whose snapshot rows are the model's own fields.
PLAIN_ROWS = {
    "basis_documents": BasisDocument,
    "working_group": WorkingGroupMember,
    "experts": ExpertMember,
    "emergency_contacts": EmergencyContact,
}


def _by_code(model, codes) -> dict[str, Any]:
    wanted = {code for code in codes if code}
    return {row.code: row for row in model.objects.filter(code__in=wanted)} if wanted else {}


def _assessment_fields(content: dict[str, Any], levels: dict) -> dict[str, Any]:
    fields = {name: content[name] for name in CONTENT_FIELDS}
    fields.update({name: content["thresholds"][name] for name in THRESHOLD_FIELDS})
    fields.update({name: content["facts"][name] for name in OWN_FACT_FIELDS})
    fields.update(
        risk_level=levels.get(content["risk_level"]),
        mode_reason=content["mode_reason"],
        matter_kind=content["matter_kind"],
        measures_count=content["measures_count"],
        not_stated=list(content["not_stated"]),
    )
    return fields


def _record_fields(standard: dict[str, Any], levels: dict) -> dict[str, Any]:
    """The standard record's fields from its snapshot (the inverse of `standard_content`)."""
    review, emergency, decision = (
        standard["expert_review"],
        standard["emergency"],
        standard["decision"],
    )
    fields = {
        name: standard[name]
        for name in (
            "responsible_leader",
            "third_party",
            "opinions_count",
            "opinions_adopted_count",
            "satisfaction_rate",
            "expert_count",
            "not_stated",
        )
    }
    fields.update(
        expert_date=review["date"],
        expert_level=levels.get(review["level"]),
        expert_recommendation=review["recommendation"],
        expert_opinion=review["opinion"],
        emergency_triggers=emergency["triggers"],
        emergency_command_leader=emergency["command_leader"],
        emergency_command_units=emergency["command_units"],
        emergency_measures=emergency["measures"],
        meeting_kind=decision["meeting_kind"],
        meeting_date=decision["date"],
        meeting_chair=decision["chair"],
        meeting_attendance=decision["attendance"],
        decision=_by_code(DecisionOption, [decision["decision"]]).get(decision["decision"]),
    )
    return fields


def _has_record(assessment: Assessment) -> bool:
    try:
        assessment.standard_record  # noqa: B018 (prefetched: no query)
    except StandardRecord.DoesNotExist:
        return False
    return True


@transaction.atomic
def assessment_copy(*, source: Assessment, author, request=None) -> Assessment:
    """A new draft of the source's unit by `author`, holding the source's content and
    records; audited as a creation naming the source. The caller checks that `author` may
    create assessments in that unit."""
    prefetch_related_objects([source], *CONTENT_PREFETCH)
    content = assessment_content(source)
    standard = content["standard"]
    levels = {level.code: level for level in RiskLevel.objects.all()}
    copy = editing.assessment_create(
        owner_unit=source.owner_unit,
        author=author,
        request=request,
        audit_detail=f"copied from assessment {source.pk}",
        **_assessment_fields(content, levels),
    )
    editing.findings_update(
        assessment=copy,
        findings={
            f["dimension"]: {"text": f["text"], "verdict": f["verdict"]}
            for f in content["findings"]
        },
    )
    for side, rows in content["contacts"].items():
        if rows:
            editing.contacts_replace(assessment=copy, side=side, rows=rows)
    editing.risk_points_replace(
        assessment=copy,
        rows=[
            {
                **{k: v for k, v in point.items() if k not in ("level_before", "level_after")},
                "level_after": levels[point["level_after"]],
            }
            for point in content["risk_points"]
        ],
    )
    for key, model in PLAIN_ROWS.items():
        if standard[key]:
            editing.rows_sync(assessment=copy, model=model, rows=standard[key])
    kinds = _by_code(ActivityKind, [a["kind"] for a in standard["activities"]])
    if standard["activities"]:
        editing.rows_sync(
            assessment=copy,
            model=ConsultationActivity,
            rows=[
                {**{k: v for k, v in a.items() if k != "kind_name"}, "kind": kinds[a["kind"]]}
                for a in standard["activities"]
            ],
        )
    if standard["opinions"]:
        activities = list(ConsultationActivity.objects.filter(assessment=copy).order_by("order"))
        editing.rows_sync(
            assessment=copy,
            model=Opinion,
            rows=[
                {
                    **{k: v for k, v in o.items() if k != "source"},
                    "activity": activities[o["source"] - 1] if o["source"] else None,
                }
                for o in standard["opinions"]
            ],
        )
    if _has_record(source):
        editing.standard_record_update(assessment=copy, data=_record_fields(standard, levels))
    if content["free_sections"]:
        editing.free_sections_update(assessment=copy, texts=content["free_sections"])
    return copy
