"""Django's admin, for the operator (superuser) alone.

Staff flags and Django's model permissions play no part: a unit administrator manages their
unit in the product (/units/), never here. Anyone else who reaches /admin/ is refused with
the product's 403 and an audit row; anonymous visitors are sent to the one login page.
"""

from __future__ import annotations

from functools import update_wrapper
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from .. import permissions
from ..models import AuditAction
from ..services.audit import audit_request_failure


class OperatorAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return permissions.can_use_admin(request.user)

    def _refuse(self, request):
        audit_request_failure(request, AuditAction.PERMISSION_DENIED, None, "admin site")
        raise PermissionDenied

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                self._refuse(request)
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def login(self, request, extra_context=None):
        """One login page for the whole product (with its lockout and audit)."""
        if request.user.is_authenticated and not self.has_permission(request):
            self._refuse(request)
        if request.user.is_authenticated:
            return redirect("admin:index")
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('login')}?{urlencode({'next': target})}")
