"""Tracking after the decision and post-evaluations (issue 18, point 3): the only writes to
them. Each save is one transaction, refused unless the assessment is issued, and audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..models import (
    Assessment,
    AuditAction,
    MeasureCheck,
    PostEvaluation,
    Status,
    TrackingRecord,
)
from .audit import audit_record

NOT_ISSUED = _("Tracking and post-evaluation start once the report is issued.")


class TrackingRefused(Exception):
    """The assessment is not (or no longer) in a state that takes tracking; `message` says
    so to the user."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def refusal(assessment: Assessment):
    """Why `assessment` takes no tracking now (a message), or None: the one rule the views
    ask before showing a form and the saves ask again under the row lock."""
    return None if assessment.status == Status.ISSUED else NOT_ISSUED


def _issued(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    refused = refusal(locked)
    if refused is not None:
        raise TrackingRefused(refused)
    return locked


def _audit(obj, *, created: bool, actor, request, detail: str) -> None:
    audit_record(
        action=AuditAction.CREATE if created else AuditAction.EDIT,
        user=actor,
        request=request,
        obj=obj,
        detail=detail,
    )


@transaction.atomic
def tracking_save(
    *,
    assessment: Assessment,
    record: TrackingRecord | None,
    data: dict,
    measures: dict[int, str],
    actor,
    request=None,
) -> TrackingRecord:
    """Create (`record` None) or update a tracking record of `assessment`, with what it
    found for each risk point's measures ({risk point id: Carried value}; only the
    assessment's own risk points count)."""
    locked = _issued(assessment)
    created = record is None
    if created:
        record = TrackingRecord(assessment=locked, created_by=actor)
    for name, value in data.items():
        setattr(record, name, value)
    record.full_clean(exclude=["assessment", "created_by"])
    record.save()
    points = set(locked.risk_points.filter(pk__in=list(measures)).values_list("pk", flat=True))
    existing = {check.risk_point_id: check for check in record.measure_checks.all()}
    new, changed = [], []
    for point_id, state in measures.items():
        if point_id not in points:
            continue
        check = existing.get(point_id)
        if check is None:
            new.append(MeasureCheck(record=record, risk_point_id=point_id, carried_out=state))
        elif check.carried_out != state:
            check.carried_out = state
            changed.append(check)
    for check in [*new, *changed]:
        check.full_clean(exclude=["record", "risk_point"], validate_constraints=False)
    MeasureCheck.objects.bulk_create(new)
    MeasureCheck.objects.bulk_update(changed, ["carried_out"])
    _audit(
        record,
        created=created,
        actor=actor,
        request=request,
        detail=f"tracking record of assessment {locked.pk}, due {record.due_date:%Y-%m-%d}",
    )
    return record


@transaction.atomic
def post_evaluation_save(
    *,
    assessment: Assessment,
    evaluation: PostEvaluation | None,
    data: dict,
    actor,
    request=None,
) -> PostEvaluation:
    """Create (`evaluation` None) or update a post-evaluation of `assessment`."""
    locked = _issued(assessment)
    created = evaluation is None
    if created:
        evaluation = PostEvaluation(assessment=locked, created_by=actor)
    for name, value in data.items():
        setattr(evaluation, name, value)
    evaluation.full_clean(exclude=["assessment", "created_by"])
    evaluation.save()
    _audit(
        evaluation,
        created=created,
        actor=actor,
        request=request,
        detail=f"post-evaluation of assessment {locked.pk} ({evaluation.trigger})",
    )
    return evaluation
