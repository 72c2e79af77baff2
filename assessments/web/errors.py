"""Refusals answered by the project itself: every 403 and every CSRF failure is audited.

The app's own denials (assessments.views.access.deny and friends) write their audit row where they
know the object and the reason, and mark the request; `permission_denied` audits the rest
(Django's admin, a PermissionDenied raised anywhere else) and never the same refusal twice.
"""

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from ..models import AuditAction
from ..services.audit import audit_record, audit_request_failure


def permission_denied(request, exception):
    """handler403: the product's 403 page, and an audit row unless one was written."""
    if not getattr(request, "_zhoucun_denial_audited", False):
        reason = str(exception) or "permission denied"
        audit_request_failure(request, AuditAction.PERMISSION_DENIED, None, reason)
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a forged or stale form post, refused and audited.

    On the login form the user is not known yet; the username typed is recorded instead
    (it is what a lockout investigation looks for).
    """
    user = getattr(request, "user", None)
    username = ""
    if request.path == reverse("login"):
        username = str(request.POST.get("username", ""))
    audit_record(
        action=AuditAction.PERMISSION_DENIED,
        user=user,
        username=username,
        request=request,
        success=False,
        detail=f"CSRF: {reason}: {request.method} {request.path}",
    )
    # Most often an honest user's page was open too long (the token changes at login):
    # say what to do, beside the 403 page's general text.
    messages.warning(
        request,
        _(
            "The form was refused because its security token was missing or out of date. "
            "Reload the page and try again."
        ),
    )
    return render(request, "403.html", {"csrf_failure": True}, status=403)
