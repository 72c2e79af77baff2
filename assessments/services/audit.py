"""Writing audit events (DESIGN §7). The only code that creates AuditEvent rows."""

from __future__ import annotations

from django.db import models

from ..common.addresses import client_ip
from ..models import AuditAction, AuditEvent


def audit_record(
    *,
    action: AuditAction,
    user=None,
    username: str = "",
    request=None,
    obj: models.Model | None = None,
    old_state: str = "",
    new_state: str = "",
    success: bool = True,
    detail: str = "",
) -> AuditEvent:
    if user is not None and not user.is_authenticated:
        user = None
    if user is not None and not username:
        username = user.get_username()
    return AuditEvent.objects.create(
        action=action,
        user=user,
        username=username[:150],
        ip_address=client_ip(request),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        old_state=old_state,
        new_state=new_state,
        success=success,
        detail=detail,
    )


def audit_request_failure(
    request, action: AuditAction, obj, reason: str, *, new_state: str = ""
) -> AuditEvent:
    """A denied or refused request, described by its method and path.

    The request is marked as audited, so the 403 handler (assessments.web.errors) that sees the
    PermissionDenied raised next does not record the same refusal a second time.
    """
    request._zhoucun_denial_audited = True
    return audit_record(
        action=action,
        user=request.user,
        request=request,
        obj=obj,
        new_state=new_state,
        success=False,
        detail=f"{request.method} {request.path}: {reason}",
    )


def on_logged_in(sender, request, user, **kwargs) -> None:
    audit_record(action=AuditAction.LOGIN, user=user, request=request)


def on_logged_out(sender, request, user, **kwargs) -> None:
    audit_record(action=AuditAction.LOGOUT, user=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        username=str(credentials.get("username", "")),
        request=request,
        success=False,
    )


def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    audit_record(
        action=AuditAction.LOCKED_OUT,
        username=username or "",
        request=request,
        success=False,
        detail=f"locked out after repeated failed logins from {ip_address}",
    )
