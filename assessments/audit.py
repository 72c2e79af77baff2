"""Writing audit events (DESIGN §7). The only code that creates AuditEvent rows."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db import models

from .models import AuditAction, AuditEvent


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # A dual-stack server may see an IPv4 client as ::ffff:10.0.0.1.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted_proxy(address) -> bool:
    return any(address in network for network in settings.ZHOUCUN_TRUSTED_PROXIES)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the address a trusted proxy forwarded.

    The header (ZHOUCUN_CLIENT_IP_HEADER, X-Forwarded-For by default) is read only when
    REMOTE_ADDR is one of ZHOUCUN_TRUSTED_PROXIES: a client talking to us directly could
    write anything there. Each proxy appends the address it saw, so the header is read from
    the right, skipping our own proxies; the first address that is not one of them is the
    client. Anything to its left was written by the client and is never read. A malformed
    entry where the client should be means the chain cannot be trusted: REMOTE_ADDR is used.

    django-axes uses this function too (AXES_CLIENT_IP_CALLABLE), so the lockout and the
    audit log agree on who the client is.
    """
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    header_key = "HTTP_" + settings.ZHOUCUN_CLIENT_IP_HEADER.upper().replace("-", "_")
    forwarded = request.META.get(header_key, "")
    if not forwarded or not _is_trusted_proxy(remote):
        return str(remote)
    hop = remote
    for text in reversed(forwarded.split(",")):
        hop = _address(text)
        if hop is None:
            return str(remote)
        if not _is_trusted_proxy(hop):
            return str(hop)
    # Every hop is one of our proxies: the request began inside, at the left-most hop.
    return str(hop)


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


def audit_request_failure(request, action: AuditAction, obj, reason: str) -> AuditEvent:
    """A denied or refused request, described by its method and path.

    The request is marked as audited, so the 403 handler (zhoucun_risk.errors) that sees the
    PermissionDenied raised next does not record the same refusal a second time.
    """
    request._zhoucun_denial_audited = True
    return audit_record(
        action=action,
        user=request.user,
        request=request,
        obj=obj,
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
