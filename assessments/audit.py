"""Writing audit events (DESIGN §7). The only code that creates AuditEvent rows."""

from __future__ import annotations

from django.db import models

from .models import AuditAction, AuditEvent


def client_ip(request) -> str | None:
    """The client's address as the server saw it.

    X-Forwarded-For is not trusted: behind a proxy, configure the proxy to set REMOTE_ADDR.
    """
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
