"""Writes to units and their people: accounts, roles in a unit, the unit's own settings.

The services behind unit administration in the product (DESIGN §2, issue 8 point 3). Each is
keyword-only, takes the acting user, checks the actor may do it (the views ask first; this is
the second lock on the door), runs in one transaction and writes one audit row per change,
with the state before and after, in that same transaction.

A refusal the user can do something about (the last administrator, a prefix taken, a user
already deactivated) raises `Refused` with a message for the user; the caller shows it and
records the attempt. An actor without the right gets `PermissionDenied`.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..common.text import normalise_identifier
from ..models import (
    AuditAction,
    Membership,
    Profile,
    Role,
    Seal,
    SignedReport,
    Unit,
    forget_access,
)
from ..reports.seals import SealImage
from .accounts import LOOKS_TAKEN, home_unit_default, profile_claim, username_check
from .audit import audit_record

# Letters and digits that cannot be mistaken for one another when read out or copied by
# hand (no 0/O, 1/l/I): a temporary password is passed on by a person, not by e-mail.
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
TEMPORARY_PASSWORD_LENGTH = 12

PREFIX_TAKEN = _("Another unit already uses this prefix. Choose one of your own.")
PREFIX_ISSUED = _(
    "Another unit has already issued reports numbered with this prefix. Choose another, "
    "so that no two reports can ever carry the same number."
)

LAST_ADMIN = _(
    "This is the unit's last administrator. Make someone else administrator first, so that "
    "the unit is never left without one."
)


SELF_GRANT = _(
    "You cannot give yourself a role. Ask another administrator of this unit (or of the "
    "unit above it) to grant it: a person does not decide alone what they may approve."
)


class Refused(Exception):
    """An action that may not happen now; `message` is shown to the user, `reason` goes to
    the audit log."""

    def __init__(self, message, *, reason: str) -> None:
        super().__init__(reason)
        self.message = message
        self.reason = reason


class SelfGrantRefused(Refused):
    """A unit administrator tried to grant a role to themselves: refused, and recorded
    against the unit so that the unit above sees the attempt."""


def _require_administers(actor, unit: Unit) -> None:
    if not permissions.can_administer_unit(actor, unit):
        raise PermissionDenied(f"unit {unit.pk} is not administered by {actor}")


def _require_manages(actor, target) -> None:
    if not permissions.can_manage_account(actor, target):
        raise PermissionDenied(f"account {target.pk} is not managed by {actor}")


def _who(user) -> str:
    return f"{user.get_username()} (#{user.pk})"


def _where(unit: Unit) -> str:
    return f"{unit.name} (#{unit.pk})"


def temporary_password(user) -> str:
    """A random password that passes the project's password policy, to be shown once.

    At least one lower-case letter, one upper-case letter and one digit, so the policy's
    three character classes always hold; the validators still have the last word.
    """
    alphabet = _LOWER + _UPPER + _DIGITS
    while True:
        chars = [secrets.choice(_LOWER), secrets.choice(_UPPER), secrets.choice(_DIGITS)]
        chars += [secrets.choice(alphabet) for _ in range(TEMPORARY_PASSWORD_LENGTH - 3)]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        try:
            password_validation.validate_password(password, user)
        except ValidationError:  # e.g. by chance close to the username: draw again
            continue
        return password


def _set_temporary_password(user) -> str:
    password = temporary_password(user)
    user.set_password(password)
    return password


def _require_password_change(user) -> None:
    Profile.objects.update_or_create(user=user, defaults={"must_change_password": True})


# --- accounts ----------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor,
    unit: Unit,
    username: str,
    first_name: str,
    last_name: str,
    roles: list[str],
    request=None,
):
    """A new account holding `roles` in `unit`, with a temporary password it must change at
    its first login. Returns (user, temporary password): the password is not kept anywhere,
    so the caller shows it once.

    At least one role: an account in no unit could be managed by no unit administrator.
    The account is never staff or superuser; only the operator makes those, in the admin.
    """
    _require_administers(actor, unit)
    if not roles:
        raise Refused(_("Choose at least one role."), reason="no role given")
    username = username_check(username)
    user = get_user_model()(
        username=username, first_name=first_name, last_name=last_name, is_active=True
    )
    password = _set_temporary_password(user)
    user.full_clean()
    try:
        with transaction.atomic():
            user.save()
            # The account belongs to the unit that made it, whatever roles come later.
            profile_claim(user, home_unit=unit, must_change_password=True)
    except IntegrityError as exc:  # the same (or a look-alike) username a moment ago
        raise ValidationError({"username": LOOKS_TAKEN}) from exc
    audit_record(
        action=AuditAction.USER_CREATED,
        user=actor,
        request=request,
        obj=user,
        new_state="active",
        detail=f"created {_who(user)} for unit {_where(unit)} with a temporary password; "
        "must change it at next login",
    )
    for role in roles:
        _grant(actor=actor, unit=unit, user=user, role=role, request=request)
    return user, password


def user_deactivate(*, actor, user, request=None) -> None:
    """The person can no longer log in; their open sessions stop working at once (Django's
    backend refuses inactive users on every request)."""
    _set_active(actor=actor, user=user, active=False, request=request)


def user_reactivate(*, actor, user, request=None) -> None:
    _set_active(actor=actor, user=user, active=True, request=request)


@transaction.atomic
def _set_active(*, actor, user, active: bool, request=None) -> None:
    _require_manages(actor, user)
    locked = get_user_model().objects.select_for_update().get(pk=user.pk)
    if locked.is_active == active:
        already = (
            _("%(user)s is already active.") if active else _("%(user)s is already deactivated.")
        )
        raise Refused(
            already % {"user": locked.get_username()},
            reason="already active" if active else "already inactive",
        )
    locked.is_active = user.is_active = active
    locked.save(update_fields=["is_active"])
    states = ("inactive", "active") if active else ("active", "inactive")
    audit_record(
        action=AuditAction.USER_REACTIVATED if active else AuditAction.USER_DEACTIVATED,
        user=actor,
        request=request,
        obj=locked,
        old_state=states[0],
        new_state=states[1],
        detail=f"{'reactivated' if active else 'deactivated'} {_who(locked)}",
    )


@transaction.atomic
def password_reset(*, actor, user, request=None) -> str:
    """A new temporary password, returned to be shown once; the person must choose their own
    at next login. Changing the hash ends every session they have open (Django checks the
    session's password hash on each request)."""
    _require_manages(actor, user)
    locked = get_user_model().objects.select_for_update().get(pk=user.pk)
    password = _set_temporary_password(locked)
    locked.save(update_fields=["password"])
    _require_password_change(locked)
    audit_record(
        action=AuditAction.PASSWORD_RESET,
        user=actor,
        request=request,
        obj=locked,
        old_state="own password",
        new_state="temporary password",
        detail=f"reset the password of {_who(locked)}; must change it at next login; "
        "open sessions ended",
    )
    return password


@transaction.atomic
def password_change(*, user, new_password: str, request=None) -> None:
    """The person chose a new password (already checked against the policy by the form);
    a pending 'must change' is cleared."""
    had_to = Profile.objects.filter(user=user, must_change_password=True).exists()
    user.set_password(new_password)
    user.save(update_fields=["password"])
    if had_to:
        Profile.objects.filter(user=user).update(must_change_password=False)
    audit_record(
        action=AuditAction.PASSWORD_CHANGED,
        user=user,
        request=request,
        obj=user,
        old_state="temporary password" if had_to else "own password",
        new_state="own password",
        detail=f"{_who(user)} changed their password",
    )


# --- roles in a unit ---------------------------------------------------------------------


def _grant(*, actor, unit: Unit, user, role: str, request) -> Membership:
    if user.pk == actor.pk:
        # Separation of duties: an administrator who could make themselves reviewer could
        # approve alone. Another administrator grants it, or the operator.
        raise SelfGrantRefused(SELF_GRANT, reason=f"granting {role} to oneself")
    if user.is_superuser:
        raise Refused(
            _("The operator's account cannot be given roles here."),
            reason="target is a superuser",
        )
    already = Refused(
        _("%(user)s already holds the role “%(role)s” in this unit.")
        % {"user": user.get_username(), "role": Role(role).label},
        reason=f"already holds {role}",
    )
    if Membership.objects.filter(user=user, unit=unit, role=role).exists():
        raise already
    membership = Membership(user=user, unit=unit, role=role)
    membership.full_clean()
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:  # the same grant a moment ago (a double click)
        raise already from exc
    home_unit_default(user, unit)
    audit_record(
        action=AuditAction.ROLE_GRANTED,
        user=actor,
        request=request,
        obj=membership,
        old_state="",
        new_state=role,
        detail=f"granted {role} to {_who(user)} in unit {_where(unit)}",
    )
    forget_access(user)
    return membership


@transaction.atomic
def role_grant(*, actor, unit: Unit, user, role: str, request=None) -> Membership:
    """Give an existing account of the installation a role in `unit` (an invitation: the
    person may already work in another unit, which keeps its own roles)."""
    _require_administers(actor, unit)
    return _grant(actor=actor, unit=unit, user=user, role=role, request=request)


@transaction.atomic
def role_withdraw(*, actor, membership: Membership, request=None) -> None:
    """Take one role in one unit away. A unit keeps at least one active administrator, or
    nobody but the operator could manage it any more."""
    unit = membership.unit
    _require_administers(actor, unit)
    target = membership.user
    if target.is_superuser:
        raise Refused(
            _("The operator's account cannot be changed here."), reason="target is a superuser"
        )
    if membership.role == Role.UNIT_ADMIN:
        # Lock the unit's administrator rows: two administrators withdrawing each other at
        # once must not both succeed.
        admins = list(
            Membership.objects.select_for_update()
            .filter(unit=unit, role=Role.UNIT_ADMIN)
            .values_list("pk", "user__is_active")
        )
        if not any(active for pk, active in admins if pk != membership.pk):
            raise Refused(LAST_ADMIN, reason="last unit administrator")
    deleted, _rows = Membership.objects.filter(pk=membership.pk).delete()
    if not deleted:
        raise Refused(_("This role had already been withdrawn."), reason="membership already gone")
    audit_record(
        action=AuditAction.ROLE_WITHDRAWN,
        user=actor,
        request=request,
        obj=membership,
        old_state=membership.role,
        new_state="",
        detail=f"withdrew {membership.role} from {_who(target)} in unit {_where(unit)}",
    )
    forget_access(target)


# --- the unit's own settings -------------------------------------------------------------


@transaction.atomic
def unit_update(
    *, actor, unit: Unit, report_prefix: str, seal: SealImage | None = None, request=None
) -> bool:
    """Set the report-number prefix and, if given, replace the seal image. Returns whether
    anything changed (nothing changed, nothing is recorded).

    A prefix is the unit's own: no other unit uses it now, and no other unit has ever issued
    a number with it — a report number once issued must stay unique for good.
    """
    _require_administers(actor, unit)
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    before = locked.report_prefix
    # Compared and stored in its one form (the field would normalise it anyway).
    report_prefix = normalise_identifier(report_prefix)
    changes = []
    if report_prefix != before:
        if Unit.objects.exclude(pk=locked.pk).filter(report_prefix=report_prefix).exists():
            raise ValidationError({"report_prefix": PREFIX_TAKEN})
        issued = SignedReport.objects.filter(report_number__startswith=f"{report_prefix}〔")
        if issued.exclude(assessment__owner_unit=locked).exists():
            raise ValidationError({"report_prefix": PREFIX_ISSUED})
        locked.report_prefix = report_prefix
        locked.full_clean()
        try:
            with transaction.atomic():
                locked.save(update_fields=["report_prefix"])
        except IntegrityError as exc:  # another unit took it a moment ago
            raise ValidationError({"report_prefix": PREFIX_TAKEN}) from exc
        changes.append(f"report prefix {before!r} → {report_prefix!r}")
    if seal is not None:
        old = Seal.objects.filter(unit=locked).only("content_type", "uploaded_at").first()
        new = Seal(
            pk=old.pk if old else None,
            unit=locked,
            image=seal.data,
            content_type=seal.content_type,
            uploaded_at=timezone.now(),
        )
        new.full_clean(validate_unique=False)
        new.save()
        was = f"{old.content_type} of {old.uploaded_at:%Y-%m-%d %H:%M}" if old else "none"
        changes.append(f"seal image replaced: {was} → {seal.content_type}, {len(seal.data)} bytes")
    if not changes:
        return False
    unit.report_prefix = locked.report_prefix
    audit_record(
        action=AuditAction.UNIT_CHANGED,
        user=actor,
        request=request,
        obj=locked,
        old_state=before[:30],
        new_state=locked.report_prefix[:30],
        detail=f"unit {_where(locked)}: " + "; ".join(changes),
    )
    return True
