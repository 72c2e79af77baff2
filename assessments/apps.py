from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    default = True
    name = "assessments"
    verbose_name = _("Social stability risk assessment")

    def ready(self) -> None:
        # Logins, logouts, failures and lockouts are announced by Django and django-axes as
        # signals; the audit log listens. No business rule hangs on these.
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from .ops import checks  # noqa: F401 - registers the start-up checks
        from .services import audit

        user_logged_in.connect(audit.on_logged_in, dispatch_uid="audit-login")
        user_logged_out.connect(audit.on_logged_out, dispatch_uid="audit-logout")
        user_login_failed.connect(audit.on_login_failed, dispatch_uid="audit-login-failed")
        user_locked_out.connect(audit.on_locked_out, dispatch_uid="audit-locked-out")
        # Whether a temporary password must be changed is read once, at login, into the
        # session; the rule itself is ForcePasswordChangeMiddleware's.
        from .web.middleware import remember_password_check

        user_logged_in.connect(remember_password_check, dispatch_uid="password-check-login")
        self.validate_usernames_everywhere()

    @staticmethod
    def validate_usernames_everywhere() -> None:
        """Django's user model is not ours to redeclare, but its username field's validators
        are asked by every path that validates a username — `createsuperuser`, the admin's
        forms, `full_clean()` — so the one-script, nothing-hidden rule is added to them.
        Added to the field's validator list, not to its declared `_validators`: the field's
        definition (and so the auth app's migrations) stays Django's."""
        from django.contrib.auth import get_user_model

        from .common.names import validate_username

        validators = get_user_model()._meta.get_field("username").validators
        if validate_username not in validators:
            validators.append(validate_username)


class OperatorAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the operator-only site (assessments.web.admin_site)."""

    default = False

    default_site = "assessments.web.admin_site.OperatorAdminSite"
