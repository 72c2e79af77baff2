"""备案 (issue 18, point 1): the only writes to filings. Each act is one transaction on the
locked filing, refused with a message when the filing is not in the state it needs, and
audited; every act is also a FilingStep row (the filing's append-only history).

The clerk of the owning unit files an issued report with the unit above (the nearest
ancestor); the oversight there receives it, records its written opinion, approves it (审定)
and may forward it to its own parent, where the same steps start again — or returns it, and
the clerk may file again. Who may act is asked by the views (`permissions`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..content.deadlines import filing_due_days
from ..lists.filings import issued_on
from ..models import (
    Assessment,
    AuditAction,
    Filing,
    FilingAction,
    FilingState,
    FilingStep,
    NotificationKind,
    Role,
    SignedReport,
    Status,
    filing_due_date,
)
from .audit import audit_record
from .notifications import notify, unit_people

NOT_ISSUED = _("Only an issued report can be filed.")
ALREADY_FILED = _("This report is already filed; it can be filed again only if it is returned.")
NO_UNIT_ABOVE = _("This unit has no unit above it to file the report with.")
NOT_SENT = _("This filing was already received.")
NOT_RECEIVED = _("Receive the filing before recording an opinion.")
NO_OPINION = _("Record the written opinion before approving.")
NOT_APPROVED = _("Only an approved filing can be forwarded.")
TOP_UNIT = _("This unit has no unit above it to forward the filing to.")
CLOSED = _("This filing is no longer open at this unit.")
TEXT_REQUIRED = _("Write the text: it is what the filing records.")


class FilingRefused(Exception):
    """The filing (or assessment) is not in the state the act needs; `message` says so."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def _audit(filing: Filing, *, action, old: str, actor, request, detail: str) -> None:
    audit_record(
        action=action,
        user=actor,
        request=request,
        obj=filing,
        old_state=old,
        new_state=filing.state,
        detail=f"filing {filing.pk} of assessment {filing.assessment_id}: {detail}",
    )


def _step(filing: Filing, unit_id: int, action: str, actor, text: str = "") -> FilingStep:
    step = FilingStep(filing=filing, unit_id=unit_id, action=action, text=text, user=actor)
    step.full_clean(exclude=["filing", "unit", "user"])
    step.save()
    return step


@transaction.atomic
def file_report(*, assessment: Assessment, data: dict, actor, request=None) -> Filing:
    """File the issued report with the unit above its owner unit. `data`: what the clerk
    adds for the 报备表 (result_use, decision_opinion, decision_opinion_date, remarks)."""
    locked = (
        # Only the assessment's row: PostgreSQL locks no row of an outer join's nullable
        # side (a unit without a parent).
        Assessment.objects.select_for_update(of=("self",))
        .select_related("owner_unit__parent")
        .get(pk=assessment.pk)
    )
    if locked.status != Status.ISSUED or not SignedReport.objects.filter(assessment=locked):
        raise FilingRefused(NOT_ISSUED)
    if Filing.objects.filter(assessment=locked).exclude(state=FilingState.RETURNED).exists():
        raise FilingRefused(ALREADY_FILED)
    above = locked.owner_unit.parent
    if above is None:
        raise FilingRefused(NO_UNIT_ABOVE)
    days = filing_due_days(locked.owner_unit, locked.mode)
    issued = issued_on(locked)
    now = timezone.now()
    filing = Filing(
        assessment=locked,
        current_unit=above,
        state=FilingState.SENT,
        filed_by=actor,
        filed_at=now,
        updated_at=now,
        due_date=filing_due_date(issued, days) if issued else None,
        **data,
    )
    filing.full_clean(exclude=["assessment", "current_unit", "filed_by"])
    filing.save()
    _step(filing, locked.owner_unit_id, FilingAction.FILED, actor)
    _audit(
        filing,
        action=AuditAction.CREATE,
        old="",
        actor=actor,
        request=request,
        detail=f"filed by unit {locked.owner_unit_id} with unit {above.pk}"
        + (f", due {filing.due_date:%Y-%m-%d}" if filing.due_date else ""),
    )
    return filing


def _tell_the_bureau(filing: Filing, kind: str) -> None:
    """The clerks of the owning unit and who filed it learn that the unit the filing is
    with received or answered it (inside the act's transaction: no act, no notification)."""
    assessment = filing.assessment
    people = [*unit_people(assessment.owner_unit_id, (Role.CLERK,)), filing.filed_by]
    notify(
        people,
        kind,
        assessment=assessment,
        params={
            "title": assessment.title or assessment.project_name,
            "unit": filing.current_unit.name,
        },
    )


def _locked(filing: Filing) -> Filing:
    """The filing, locked — refused if it moved on to another unit since `filing` was read:
    who may act was asked of that unit (a concurrent forward would otherwise let them act
    at a unit they do not oversee)."""
    locked = (
        Filing.objects.select_for_update(of=("self",))
        .select_related("current_unit", "assessment", "filed_by")
        .get(pk=filing.pk)
    )
    if locked.current_unit_id != filing.current_unit_id:
        raise FilingRefused(CLOSED)
    return locked


def _advance(locked: Filing, *, state: str, action: str, actor, request, text: str = "") -> Filing:
    old = locked.state
    _step(locked, locked.current_unit_id, action, actor, text)
    locked.state = state
    locked.updated_at = timezone.now()
    locked.save(update_fields=["state", "updated_at", "current_unit"])
    _audit(
        locked,
        action=AuditAction.TRANSITION,
        old=old,
        actor=actor,
        request=request,
        detail=f"{action} at unit {locked.current_unit_id}",
    )
    return locked


@transaction.atomic
def receive(*, filing: Filing, actor, request=None) -> Filing:
    locked = _locked(filing)
    if locked.state != FilingState.SENT:
        raise FilingRefused(NOT_SENT if locked.is_open else CLOSED)
    received = _advance(
        locked,
        state=FilingState.RECEIVED,
        action=FilingAction.RECEIVED,
        actor=actor,
        request=request,
    )
    _tell_the_bureau(received, NotificationKind.FILING_RECEIVED)
    return received


@transaction.atomic
def record_opinion(*, filing: Filing, text: str, actor, request=None) -> Filing:
    """The unit's written opinion; recorded again before approval, the later one counts."""
    text = text.strip()
    if not text:
        raise FilingRefused(TEXT_REQUIRED)
    locked = _locked(filing)
    if locked.state not in (FilingState.RECEIVED, FilingState.OPINION):
        raise FilingRefused(NOT_RECEIVED if locked.state == FilingState.SENT else CLOSED)
    return _advance(
        locked,
        state=FilingState.OPINION,
        action=FilingAction.OPINION,
        actor=actor,
        request=request,
        text=text,
    )


@transaction.atomic
def approve(*, filing: Filing, actor, request=None) -> Filing:
    """审定: the unit approves the filing with the opinion it recorded."""
    locked = _locked(filing)
    if locked.state != FilingState.OPINION:
        raise FilingRefused(NO_OPINION if locked.is_open else CLOSED)
    approved = _advance(
        locked,
        state=FilingState.APPROVED,
        action=FilingAction.APPROVED,
        actor=actor,
        request=request,
    )
    _tell_the_bureau(approved, NotificationKind.FILING_ANSWERED)
    return approved


@transaction.atomic
def forward(*, filing: Filing, actor, request=None) -> Filing:
    """File the approved filing on with this unit's own parent: the next level's steps."""
    locked = _locked(filing)
    if locked.state != FilingState.APPROVED:
        raise FilingRefused(NOT_APPROVED)
    above = locked.current_unit.parent_id
    if above is None:
        raise FilingRefused(TOP_UNIT)
    old = locked.state
    _step(locked, locked.current_unit_id, FilingAction.FORWARDED, actor)
    below = locked.current_unit_id
    locked.current_unit_id = above
    locked.state = FilingState.SENT
    locked.updated_at = timezone.now()
    locked.save(update_fields=["state", "updated_at", "current_unit"])
    _audit(
        locked,
        action=AuditAction.TRANSITION,
        old=old,
        actor=actor,
        request=request,
        detail=f"forwarded from unit {below} to unit {above}",
    )
    return locked


@transaction.atomic
def return_filing(*, filing: Filing, reason: str, actor, request=None) -> Filing:
    """Send the filing back to the bureau, with the reason; it may file again."""
    reason = reason.strip()
    if not reason:
        raise FilingRefused(TEXT_REQUIRED)
    locked = _locked(filing)
    if not locked.is_open:
        raise FilingRefused(CLOSED)
    returned = _advance(
        locked,
        state=FilingState.RETURNED,
        action=FilingAction.RETURNED,
        actor=actor,
        request=request,
        text=reason,
    )
    _tell_the_bureau(returned, NotificationKind.FILING_ANSWERED)
    return returned
