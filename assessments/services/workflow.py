"""The assessment workflow (DESIGN §4). The only place an assessment's status changes.

    draft ──submit──▶ submitted ──approve──▶ approved ──issue──▶ issued
      ▲                   │
      └──────return───────┘   (returned behaves as draft for editing and resubmission)

Each transition is one function: it locks the row, checks the actor's permission and the
source state, changes the status, writes a ReviewEvent and an AuditEvent, all in one durable
transaction (never nested in a caller's, so no outer rollback can take the audit row away).
A refusal raises `TransitionRefused` with a message for the user and leaves an audit row
behind, written after the rollback with the status the row really had.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..content import (
    CONTENT_PREFETCH,
    assessment_content,
    deadlines,
    frozen,
    missing_requirements,
    outline_for,
    printing_problem,
    rules_for,
)
from ..models import Assessment, AuditAction, ReviewEvent, Status, Version
from . import notifications, numbers
from .audit import audit_record

NO_PREFIX_MESSAGE = _(
    "This unit has no report-number prefix of its own yet, so no report can be issued. "
    "Ask the unit administrator to set one under Unit administration, then approve."
)


class TransitionRefused(Exception):
    """A transition that may not happen now; `message` is shown to the user."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class Incomplete(TransitionRefused):
    """Submission refused because the rules still require something: `missing` says what,
    item by item, so the page can list each with a link to its step."""

    def __init__(self, message, missing) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[Status]
    target: Status
    allowed: Callable[[object, Assessment], bool]
    label: str


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit",
            frozenset({Status.DRAFT, Status.RETURNED}),
            Status.SUBMITTED,
            permissions.can_submit,
            _("submit for review"),
        ),
        Transition(
            "return",
            frozenset({Status.SUBMITTED}),
            Status.RETURNED,
            permissions.can_review,
            _("return for revision"),
        ),
        Transition(
            "approve",
            frozenset({Status.SUBMITTED}),
            Status.APPROVED,
            permissions.can_review,
            _("approve"),
        ),
        # Issuing is done by the system on behalf of the approver once the PDF is signed:
        # the approval was the decision, so it does not depend on the approver still being
        # a member of the unit when the report is (re)issued.
        Transition(
            "issue",
            frozenset({Status.APPROVED}),
            Status.ISSUED,
            lambda user, assessment: True,
            _("issue"),
        ),
    ]
}


def _run(
    name: str,
    *,
    assessment: Assessment,
    actor,
    request=None,
    comment: str = "",
    check: Callable[[Assessment], None] | None = None,
    then: Callable[[Assessment], None] | None = None,
    durable: bool = True,
) -> Assessment:
    transition = TRANSITIONS[name]
    seen_status = None
    try:
        with transaction.atomic(durable=durable):
            locked = (
                Assessment.objects.select_for_update(of=("self",))
                .select_related("owner_unit")
                .get(pk=assessment.pk)
            )
            if name == "submit":
                # The snapshot and the checks read every row of the content: fetch them
                # in a fixed number of queries.
                prefetch_related_objects([locked], *CONTENT_PREFETCH)
            old_status = seen_status = locked.status
            if old_status not in transition.sources:
                raise TransitionRefused(
                    _(
                        "Cannot %(action)s: the assessment is now “%(status)s”; "
                        "someone else may have acted on it."
                    )
                    % {"action": transition.label, "status": locked.get_status_display()}
                )
            if not transition.allowed(actor, locked):
                raise TransitionRefused(
                    _("You may not %(action)s this assessment.") % {"action": transition.label}
                )
            if check is not None:
                check(locked)
            version = _take_version(locked, actor) if name == "submit" else _latest_version(locked)
            locked.status = transition.target
            changed = ["status", "updated_at"]
            if name == "submit":
                # The locality's deadline for the review runs from this submission.
                locked.review_due = deadlines.review_due(locked, timezone.localdate())
                changed.append("review_due")
            locked.save(update_fields=changed)
            if then is not None:
                then(locked)
            ReviewEvent.objects.create(
                assessment=locked,
                version=version,
                actor=actor,
                from_status=old_status,
                to_status=transition.target,
                comment=comment,
            )
            audit_record(
                action=AuditAction.TRANSITION,
                user=actor,
                request=request,
                obj=locked,
                old_state=old_status,
                new_state=transition.target,
                detail=name,
            )
            notifications.on_transition(name, locked, actor, comment=comment)
    except TransitionRefused as refusal:
        audit_record(
            action=AuditAction.REFUSED,
            user=actor,
            request=request,
            obj=assessment,
            # What the row held when it was refused, not the caller's possibly stale copy.
            old_state=seen_status or assessment.status,
            new_state=transition.target,
            success=False,
            detail=f"{name}: {refusal}",
        )
        raise
    assessment.status = locked.status
    assessment.updated_at = locked.updated_at
    return locked


def _take_version(assessment: Assessment, actor) -> Version:
    previous = _latest_version(assessment)
    return Version.objects.create(
        assessment=assessment,
        number=(previous.number + 1) if previous else 1,
        # Frozen with the scheme's words of today, so the version reads the same for good.
        content=frozen(assessment_content(assessment)),
        # And with the headings its unit's reports follow today (issue 16).
        outline=outline_for(assessment.owner_unit, assessment.mode),
        created_by=actor,
        created_at=timezone.now(),
    )


def _latest_version(assessment: Assessment) -> Version | None:
    return assessment.versions.order_by("-number").first()


def _require_reviewed_version(expected: int | None):
    """Refuse a decision taken on a page showing an older version than the one submitted."""

    def check(locked: Assessment) -> None:
        latest = _latest_version(locked)
        if expected is not None and (latest is None or latest.number != expected):
            raise TransitionRefused(
                _(
                    "A newer version was submitted after you opened this page. "
                    "Read the latest version before deciding."
                )
            )

    return check


def assessment_submit(
    *,
    assessment: Assessment,
    actor,
    request=None,
    expected_lock_version: int | None = None,
    reply: str = "",
) -> Assessment:
    """Submit; with `expected_lock_version`, only if nobody saved since the author's preview.
    `reply` answers the reviewer's comments on a resubmission (kept on the review event)."""

    def require_complete(locked: Assessment) -> None:
        if expected_lock_version is not None and locked.lock_version != expected_lock_version:
            raise TransitionRefused(
                _("The content changed after your preview. Preview it again, then submit.")
            )
        content = assessment_content(locked)
        missing = missing_requirements(
            content,
            rules=rules_for(locked.owner_unit),
            outline=outline_for(locked.owner_unit, locked.mode),
        )
        if missing:
            raise Incomplete(
                _("The assessment is not complete. Still to do: %(steps)s.")
                % {"steps": "、".join(item.message for item in missing)},
                missing,
            )
        problem = printing_problem(content)
        if problem:
            raise TransitionRefused(problem)

    return _run(
        "submit",
        assessment=assessment,
        actor=actor,
        request=request,
        comment=(reply or "").strip(),
        check=require_complete,
    )


def assessment_return(
    *,
    assessment: Assessment,
    actor,
    comment: str,
    request=None,
    expected_version: int | None = None,
) -> Assessment:
    comment = (comment or "").strip()
    reviewed = _require_reviewed_version(expected_version)

    def require_comment(locked: Assessment) -> None:
        reviewed(locked)
        if not comment:
            raise TransitionRefused(_("A comment is required to return an assessment."))

    return _run(
        "return",
        assessment=assessment,
        actor=actor,
        request=request,
        comment=comment,
        check=require_comment,
    )


def assessment_approve(
    *,
    assessment: Assessment,
    actor,
    comment: str = "",
    request=None,
    expected_version: int | None = None,
) -> Assessment:
    """Approve the submitted version; with `expected_version`, only if it is the one the
    reviewer read. A unit without its own report-number prefix cannot issue, so it cannot
    approve either: the reviewer is told now, not by a failed issue afterwards. Issuing the
    report follows: `assessments.issuing.approve_and_issue` is what callers use."""
    reviewed = _require_reviewed_version(expected_version)

    def require_issuable(locked: Assessment) -> None:
        reviewed(locked)
        if not locked.owner_unit.report_prefix:
            raise TransitionRefused(NO_PREFIX_MESSAGE)

    return _run(
        "approve",
        assessment=assessment,
        actor=actor,
        request=request,
        comment=comment.strip(),
        check=require_issuable,
        # The report number is the approval's: taken now, in this short transaction, so the
        # issuing that follows renders and signs without holding the unit's counter.
        then=numbers.reserve_number,
    )


def assessment_issue(*, assessment: Assessment, actor, request=None) -> Assessment:
    """The last step of issuing, inside the issuing task's own durable transaction."""
    return _run("issue", assessment=assessment, actor=actor, request=request, durable=False)
