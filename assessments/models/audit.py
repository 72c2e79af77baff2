"""The audit log (DESIGN §7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Log in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Log out")
    LOCKED_OUT = "locked_out", _("Account locked")
    TRANSITION = "transition", _("Status change")
    REFUSED = "refused", _("Action refused")
    PERMISSION_DENIED = "permission_denied", _("Permission denied")
    DOWNLOAD = "download", _("Download")
    EXPORT = "export", _("Export")
    EDIT = "edit", _("Edit")
    CREATE = "create", _("Create")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_WITHDRAWN = "role_withdrawn", _("Role withdrawn")
    SELF_GRANT_REFUSED = "self_grant_refused", _("Role for oneself refused")
    USER_CREATED = "user_created", _("User created")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    USER_REACTIVATED = "user_reactivated", _("User reactivated")
    PASSWORD_RESET = "password_reset", _("Password reset")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    UNLOCKED = "unlocked", _("Login unlocked")
    UNIT_CHANGED = "unit_changed", _("Unit settings changed")
    ADMIN_CHANGE = "admin_change", _("Changed in system administration")


class AuditEvent(models.Model):
    """Append-only record of a security-relevant action (DESIGN §7). Kept ≥ 180 days."""

    # Stored in UTC (USE_TZ); shown in the reader's time zone.
    created_at = models.DateTimeField(_("Time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("User"),
    )
    # Kept as text too: a failed login names a user who may not exist.
    username = models.CharField(_("Username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("Action"), max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(_("Object type"), max_length=50, blank=True)
    object_id = models.CharField(_("Object ID"), max_length=50, blank=True)
    object_repr = models.CharField(_("Object"), max_length=200, blank=True)
    old_state = models.CharField(_("Old state"), max_length=30, blank=True)
    new_state = models.CharField(_("New state"), max_length=30, blank=True)
    success = models.BooleanField(_("Success"), default=True)
    detail = models.TextField(_("Detail"), blank=True)

    class Meta:
        verbose_name = _("Audit log")
        verbose_name_plural = _("Audit log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["action", "created_at"], name="audit_action_time"),
            # One object's trail (an assessment's, for its archive package).
            models.Index(fields=["object_type", "object_id", "created_at"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"
