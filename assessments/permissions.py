"""One place that answers "may this user do X to this assessment?".

Views and templates ask these functions; they never test roles or units themselves.
"""

from __future__ import annotations

from django.http import Http404

from .audit import audit_request_failure
from .models import Assessment, AuditAction, Role, Status

EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})


def roles_of(user) -> frozenset[str]:
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_zhoucun_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._zhoucun_roles = cached
    return cached


def has_role(user, role: Role) -> bool:
    return role in roles_of(user)


def unit_ids_of(user) -> frozenset[int]:
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_zhoucun_unit_ids", None)
    if cached is None:
        cached = frozenset(user.units.values_list("pk", flat=True))
        user._zhoucun_unit_ids = cached
    return cached


def is_member(user, assessment: Assessment) -> bool:
    return assessment.owner_unit_id in unit_ids_of(user)


def get_assessment_or_404(request, pk: int, queryset=None) -> Assessment:
    """The assessment if the user's units own it; 404 otherwise, never a hint it exists.

    Asking for another unit's assessment is recorded as a permission denial: the user sees
    the same 404 as for a number that does not exist, the audit log sees the probe.
    """
    queryset = Assessment.objects.all() if queryset is None else queryset
    assessment = queryset.visible_to(request.user).filter(pk=pk).first()
    if assessment is None:
        other = Assessment.objects.filter(pk=pk).first()
        if other is not None:
            audit_request_failure(
                request, AuditAction.PERMISSION_DENIED, other, "another unit's assessment"
            )
        raise Http404
    return assessment


def can_create(user) -> bool:
    return has_role(user, Role.ASSESSOR) and bool(unit_ids_of(user))


def can_edit(user, assessment: Assessment) -> bool:
    return (
        is_member(user, assessment)
        and has_role(user, Role.ASSESSOR)
        and assessment.status in EDITABLE_STATUSES
    )


def can_submit(user, assessment: Assessment) -> bool:
    return can_edit(user, assessment) and assessment.author_id == user.pk


def can_review(user, assessment: Assessment) -> bool:
    """Return or approve: a reviewer of the unit who did not write it (separation of duties)."""
    return (
        is_member(user, assessment)
        and has_role(user, Role.REVIEWER)
        and assessment.author_id != user.pk
        and assessment.status == Status.SUBMITTED
    )


def can_download_report(user, assessment: Assessment) -> bool:
    if not is_member(user, assessment) or assessment.status != Status.ISSUED:
        return False
    return (
        has_role(user, Role.CLERK)
        or has_role(user, Role.REVIEWER)
        or assessment.author_id == user.pk
    )


def can_retry_issue(user, assessment: Assessment) -> bool:
    return is_member(user, assessment) and (
        has_role(user, Role.REVIEWER) or has_role(user, Role.ADMIN) or user.is_staff
    )
