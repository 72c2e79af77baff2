"""Lookups that refuse: every view finds its object here, or is refused here.

Another unit's assessment (or unit) is a 404, exactly as one that does not exist, and the
probe is audited; a permission the user lacks on what they may see is a 403, audited once.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .. import permissions
from ..models import Assessment, AuditAction, Role, Unit
from ..services.audit import audit_request_failure


def get_assessment_or_404(request: HttpRequest, pk: int, queryset=None) -> Assessment:
    """The assessment if the user may see it; 404 otherwise, never a hint it exists.

    Asking for an assessment one may not see is recorded as a permission denial: the user
    sees the same 404 as for a number that does not exist, the audit log sees the probe.
    """
    queryset = Assessment.objects.all() if queryset is None else queryset
    assessment = queryset.visible_to(request.user).filter(pk=pk).first()
    if assessment is None:
        other = Assessment.objects.filter(pk=pk).first()
        if other is not None:
            audit_request_failure(
                request, AuditAction.PERMISSION_DENIED, other, "assessment not visible"
            )
        raise Http404
    return assessment


def deny(request: HttpRequest, obj, reason: str) -> PermissionDenied:
    """Record a permission denial and return the exception to raise."""
    audit_request_failure(request, AuditAction.PERMISSION_DENIED, obj, reason)
    return PermissionDenied(reason)


def edit_guard(request: HttpRequest, assessment: Assessment) -> HttpResponse | None:
    """None if the user may edit now; otherwise the refusal (403, or a redirect saying the
    assessment cannot be edited in its status)."""
    if permissions.can_edit(request.user, assessment):
        return None
    if not permissions.has_role(request.user, assessment.owner_unit_id, Role.ASSESSOR):
        raise deny(request, assessment, "edit")
    return not_editable(request, assessment)


def not_editable(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Content is read-only in this status: say so; a refused write is also audited."""
    if request.method == "POST":
        audit_request_failure(
            request, AuditAction.REFUSED, assessment, f"edit while {assessment.status}"
        )
    messages.warning(
        request,
        _("This assessment is “%(status)s” and cannot be edited now.")
        % {"status": assessment.get_status_display()},
    )
    return redirect(assessment.get_absolute_url())


def unit_or_404(request: HttpRequest, unit_id: int) -> Unit:
    """The unit if the user administers it; 404 otherwise, and the probe is audited."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    if not permissions.can_administer_unit(request.user, unit):
        audit_request_failure(request, AuditAction.PERMISSION_DENIED, unit, "unit not administered")
        raise Http404
    return unit


def posted_int(request: HttpRequest, name: str) -> int | None:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        return None
