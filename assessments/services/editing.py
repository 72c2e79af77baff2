"""Writes to assessment content. Statuses are not changed here: see `workflow`.

Every function is keyword-only, validates with `full_clean()` before saving and runs in a
transaction, so callers (views, the demo loader, commands) share one set of rules. Whether
the content may be edited now, and moving its edit version on, are decided here once
(`lock_for_edit`, `bump_version`), for the wizard's steps and the evidence files alike.
"""

from __future__ import annotations

from django.db import transaction

from ..content import assessment_content
from ..models import (
    Assessment,
    AuditAction,
    AuditEvent,
    Contact,
    Dimension,
    Finding,
    FreeSectionText,
    RiskMatrixCell,
    RiskPoint,
    StandardRecord,
    Unit,
)
from .audit import audit_record


@transaction.atomic
def assessment_create(
    *, owner_unit: Unit, author, request=None, audit_detail: str = "", **fields
) -> Assessment:
    """A new draft of `owner_unit` by `author`, audited (`audit_detail`: e.g. what it was
    copied from)."""
    assessment = Assessment(owner_unit=owner_unit, author=author, **fields)
    assessment.full_clean()
    assessment.save()
    # One finding row per dimension from the start, so the form and report always see four.
    Finding.objects.bulk_create(
        Finding(assessment=assessment, dimension=dimension) for dimension in Dimension.values
    )
    audit_record(
        action=AuditAction.CREATE,
        user=author,
        request=request,
        obj=assessment,
        detail=audit_detail,
    )
    return assessment


class NotEditable(Exception):
    """The assessment left draft/returned (e.g. it was submitted) while the user edited."""

    def __init__(self, current: Assessment) -> None:
        super().__init__("not editable")
        self.current = current


class StaleEdit(Exception):
    """The user edited an out-of-date copy: someone else saved the assessment meanwhile."""

    def __init__(self, current: Assessment) -> None:
        super().__init__("stale edit")
        self.current = current


# Beyond this many saves since the user's copy, the copy is treated as another person's
# problem without looking at who saved (it also bounds the query below).
OWN_SAVES_LOOKED_AT = 50


def _saved_only_by(assessment: Assessment, since_version: int, user) -> bool:
    """Were all saves after `since_version` made by `user`? (Each save writes an audit row
    naming the version it produced; a version without one — a status change, an operator's
    edit — counts as someone else's.)"""
    versions = range(since_version + 1, assessment.lock_version + 1)
    if not versions or len(versions) > OWN_SAVES_LOOKED_AT or user is None:
        return False
    editors = AuditEvent.objects.filter(
        action=AuditAction.EDIT,
        object_type=assessment._meta.label_lower,
        object_id=str(assessment.pk),
        new_state__in=[str(v) for v in versions],
    ).values_list("new_state", "user_id")
    saved = dict(editors)
    return len(saved) == len(versions) and set(saved.values()) == {user.pk}


def _content_of(assessment: Assessment) -> dict:
    # Read afresh: relation rows may have been replaced in this transaction.
    assessment._prefetched_objects_cache = {}
    return assessment_content(assessment)


@transaction.atomic
def assessment_save_step(
    *,
    assessment: Assessment,
    expected_version: int | None,
    apply,
    actor=None,
    request=None,
    step: str = "",
) -> Assessment:
    """Apply one wizard step's changes unless someone else saved since the user loaded the
    page.

    `apply(locked_assessment)` makes the changes. Under a row lock: a copy older than the
    current version is refused only if another person saved in between (the user's own
    earlier saves — "save and continue", then Back — are not a conflict); a save that
    changes nothing leaves the edit version alone; a save that changes something bumps it
    and writes an audit row naming the new version and its author.
    """
    locked = lock_for_edit(assessment)
    if expected_version is None or (
        locked.lock_version != expected_version
        and not _saved_only_by(locked, expected_version, actor)
    ):
        raise StaleEdit(locked)
    before = _content_of(locked)
    apply(locked)
    locked.full_clean(exclude=["owner_unit", "author", "risk_level"])
    if _content_of(locked) == before:
        return locked
    locked.save()
    bump_version(locked, actor=actor, request=request, detail=f"step {step}" if step else "")
    return locked


def lock_for_edit(assessment: Assessment) -> Assessment:
    """The assessment, locked for the surrounding transaction, if its content may be edited
    now; NotEditable (with the current row) if it left draft/returned meanwhile."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_editable:
        raise NotEditable(locked)
    return locked


def bump_version(locked: Assessment, *, actor, request=None, detail: str = "") -> None:
    """The content of `locked` changed: its edit version moves on (a preview or a page
    taken before no longer saves or submits), and an audit row names the new version and
    who made it — which is how a user's own earlier saves are told from another's."""
    locked.lock_version += 1
    locked.save(update_fields=["lock_version", "updated_at"])
    audit_record(
        action=AuditAction.EDIT,
        user=actor,
        request=request,
        obj=locked,
        old_state=str(locked.lock_version - 1),
        new_state=str(locked.lock_version),
        detail=detail,
    )


def assessment_update_fields(assessment: Assessment, data: dict) -> None:
    for name, value in data.items():
        setattr(assessment, name, value)


@transaction.atomic
def findings_update(*, assessment: Assessment, findings: dict[str, dict]) -> None:
    """Set text and verdict of the given dimensions ({dimension: {text, verdict}})."""
    existing = {f.dimension: f for f in assessment.findings.filter(dimension__in=findings)}
    missing = [Finding(assessment=assessment, dimension=d) for d in findings if d not in existing]
    rows = [*existing.values(), *Finding.objects.bulk_create(missing)]
    for finding in rows:
        finding.text = findings[finding.dimension]["text"]
        finding.verdict = findings[finding.dimension]["verdict"]
        finding.full_clean(exclude=["assessment"])
    Finding.objects.bulk_update(rows, ["text", "verdict"])


@transaction.atomic
def contacts_replace(*, assessment: Assessment, side: str, rows: list[dict]) -> None:
    """Make the side's contacts exactly `rows`, in that order — all of them or, if one row
    is invalid, none: the old rows come back."""
    assessment.contacts.filter(side=side).delete()
    contacts = [
        Contact(assessment=assessment, side=side, order=index, **row)
        for index, row in enumerate(rows)
    ]
    for contact in contacts:
        contact.full_clean(exclude=["assessment"])
    Contact.objects.bulk_create(contacts)


def _matrix_level(cells: dict, likelihood: int | None, impact: int | None):
    """The matrix's level for a likelihood and an impact; none without both (a published
    report often gives only the level after measures)."""
    if likelihood is None or impact is None:
        return None
    return cells[(likelihood, impact)]


@transaction.atomic
def risk_points_replace(*, assessment: Assessment, rows: list[dict]) -> None:
    """Make the risk points exactly `rows`, in order (all or none, like contacts); each
    level before measures comes from the matrix when likelihood and impact are given."""
    cells = {
        (cell.likelihood, cell.impact): cell.level
        for cell in RiskMatrixCell.objects.select_related("level")
    }
    assessment.risk_points.all().delete()
    points = [
        RiskPoint(
            assessment=assessment,
            order=index,
            level_before=_matrix_level(cells, row.get("likelihood"), row.get("impact")),
            **row,
        )
        for index, row in enumerate(rows)
    ]
    for point in points:
        point.full_clean(exclude=["assessment"])
    RiskPoint.objects.bulk_create(points)


@transaction.atomic
def rows_sync(*, assessment: Assessment, model, rows: list[dict]) -> None:
    """Make the assessment's rows of `model` (a standard-mode record list) exactly `rows`, in
    that order. A row carrying the id of one of this assessment's rows updates it, so what
    points at it (opinions, attachments) survives a reorder; rows not sent are deleted; a row
    without a known id is new. All of them or, if one is invalid, none."""
    existing = {row.pk: row for row in model.objects.filter(assessment=assessment)}
    kept = []
    for index, data in enumerate(rows):
        values = dict(data)
        row = existing.get(values.pop("id", None)) or model(assessment=assessment)
        for name, value in values.items():
            setattr(row, name, value)
        row.order = index
        row.full_clean(exclude=["assessment"])
        kept.append(row)
    kept_ids = {row.pk for row in kept if row.pk}
    model.objects.filter(assessment=assessment).exclude(pk__in=kept_ids).delete()
    for row in kept:
        row.save()


@transaction.atomic
def standard_record_update(*, assessment: Assessment, data: dict) -> None:
    """Set single-valued parts of the standard-mode record (created on first use)."""
    record, _created = StandardRecord.objects.get_or_create(assessment=assessment)
    for name, value in data.items():
        setattr(record, name, value)
    record.full_clean(exclude=["assessment"])
    record.save()


@transaction.atomic
def free_sections_update(*, assessment: Assessment, texts: dict[str, str]) -> None:
    """Set the texts of the outline's free sections ({key: text}). A section emptied keeps
    its row with no text (so a reviewer's diff sees it emptied); texts of sections the
    outline no longer has are kept, so switching the outline back loses nothing."""
    existing = {row.key: row for row in assessment.free_sections.filter(key__in=texts)}
    for key, text in texts.items():
        row = existing.get(key) or FreeSectionText(assessment=assessment, key=key)
        if not text and row.pk is None:
            continue
        row.text = text
        row.full_clean(exclude=["assessment"], validate_unique=False)
        row.save()
