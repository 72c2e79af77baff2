"""Unit administration in the product (DESIGN §2): a unit administrator manages the members
of their own units, their roles, accounts, and the unit's report prefix and seal image.

Views parse the request, ask `permissions`, call one service in `memberships`, and redirect
with a message. A unit the user does not administer is a 404 (and an audit row), exactly as
another unit's assessment is; an account the user may not manage is a 403 (and an audit row).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import permissions
from ..common.names import display_name
from ..forms.units import GrantForm, NewUserForm, UnitSettingsForm
from ..models import AuditAction, AuditEvent, Membership, Role, Seal, Unit, descendant_unit_ids
from ..services import lockout, memberships
from ..services.audit import audit_request_failure
from .access import deny, unit_or_404

# --- lookups that refuse --------------------------------------------------------------------


def _account_or_refuse(request: HttpRequest, unit: Unit, user_id: int):
    """A member of this unit whose account the user may manage. Not a member: 404 (this
    page is about this unit's people); a member they may not manage (themselves, the
    operator, someone who also works in a unit they do not administer): 403. Both audited."""
    target = get_user_model().objects.filter(pk=user_id, memberships__unit=unit).first()
    if target is None:
        other = get_user_model().objects.filter(pk=user_id).first()
        if other is not None:
            audit_request_failure(
                request, AuditAction.PERMISSION_DENIED, other, f"not a member of unit {unit.pk}"
            )
        raise Http404
    if not permissions.can_manage_account(request.user, target):
        raise deny(request, target, "manage account")
    return target


def _refused_input(request: HttpRequest, unit: Unit, form) -> None:
    """A form refused: the marked fields say why; the audit log records which fields (a
    look-alike username or prefix is an attempt worth seeing), never what was typed."""
    fields = ", ".join(sorted(form.errors)) or "form"
    audit_request_failure(request, AuditAction.REFUSED, unit, f"input refused: {fields}")


def _refused(request: HttpRequest, obj, refusal: memberships.Refused) -> None:
    audit_request_failure(request, AuditAction.REFUSED, obj, refusal.reason)
    messages.error(request, refusal.message)


# --- pages ------------------------------------------------------------------------------------


@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    unit_ids = permissions.administered_unit_ids(request.user)
    if not unit_ids:
        raise deny(request, None, "unit administration")
    if len(unit_ids) == 1:
        return redirect("units:detail", unit_id=next(iter(unit_ids)))
    units = (
        Unit.objects.filter(pk__in=sorted(unit_ids))
        .select_related("parent")
        .annotate(member_count=Count("memberships__user", distinct=True))
        .order_by("name")
    )
    return render(request, "units/list.html", {"units": units})


@dataclass
class Member:
    """One person on the unit page: their roles here and what the viewer may do to them."""

    user: object
    name: str
    memberships: list[Membership] = field(default_factory=list)
    must_change_password: bool = False
    can_manage: bool = False
    can_withdraw: bool = False
    is_locked: bool = False


def _lock_states(usernames: list[str]) -> dict[str, bool]:
    """Which of these usernames are locked out now, in one query for the whole list."""
    return dict.fromkeys(lockout.locked_out_usernames(usernames), True)


def unit_members(viewer, unit: Unit) -> list[Member]:
    """The unit's people with their roles here, in a fixed number of queries."""
    rows = (
        Membership.objects.filter(unit=unit)
        .select_related("user", "user__profile")
        .order_by("user__username", "role")
    )
    members: dict[int, Member] = {}
    for membership in rows:
        user = membership.user
        member = members.get(user.pk)
        if member is None:
            profile = getattr(user, "profile", None)
            member = members[user.pk] = Member(
                user=user,
                name=display_name(user),
                must_change_password=bool(profile and profile.must_change_password),
                can_withdraw=not user.is_superuser,
            )
        member.memberships.append(membership)
    people = [member.user for member in members.values()]
    manageable = permissions.manageable_account_ids(viewer, people)
    locked = _lock_states([person.get_username() for person in people])
    for member in members.values():
        member.can_manage = member.user.pk in manageable
        member.is_locked = locked.get(member.user.get_username(), False)
    return list(members.values())


SELF_GRANTS_SHOWN = 20


def self_grant_attempts(unit: Unit) -> list[AuditEvent]:
    """The latest attempts of administrators to give themselves a role, in this unit and in
    the units below it: the unit above is who should notice. Read from the audit log (the
    refusal's row names the unit), newest first, by the log's (action, time) index."""
    unit_ids = {unit.pk, *descendant_unit_ids([unit.pk])}
    rows = AuditEvent.objects.filter(
        action=AuditAction.SELF_GRANT_REFUSED,
        object_type=Unit._meta.label_lower,
        object_id__in=[str(pk) for pk in sorted(unit_ids)],
    ).order_by("-created_at", "-id")
    shown = rows.only("created_at", "username", "object_repr", "new_state")
    attempts = list(shown[:SELF_GRANTS_SHOWN])
    for attempt in attempts:  # the role asked for, by its label (the row keeps the code)
        known = attempt.new_state in Role.values
        attempt.role_label = Role(attempt.new_state).label if known else ""
    return attempts


def _render_detail(request: HttpRequest, unit: Unit, grant_form: GrantForm | None = None):
    return render(
        request,
        "units/detail.html",
        {
            "unit": unit,
            "members": unit_members(request.user, unit),
            "grant_form": grant_form or GrantForm(),
            "has_seal": Seal.objects.filter(unit=unit).exists(),
            "show_unit_list": len(permissions.administered_unit_ids(request.user)) > 1,
            "self_grants": self_grant_attempts(unit),
        },
    )


@require_GET
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    return _render_detail(request, unit_or_404(request, unit_id))


def _temporary_password_page(request, unit: Unit, user, password: str, *, created: bool):
    """Shown once, in the response to the POST itself: the password is in no message, no
    session and no database row, and the page is not cached."""
    response = render(
        request,
        "units/temporary_password.html",
        {"unit": unit, "person": user, "password": password, "created": created},
    )
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = unit_or_404(request, unit_id)
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        _refused_input(request, unit, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = memberships.user_create(
                actor=request.user,
                unit=unit,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                roles=data["roles"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
            _refused_input(request, unit, form)
        except memberships.Refused as refusal:
            form.add_error(None, refusal.message)
            audit_request_failure(request, AuditAction.REFUSED, unit, refusal.reason)
        else:
            return _temporary_password_page(request, unit, user, password, created=True)
    return render(request, "units/user_new.html", {"unit": unit, "form": form})


@require_POST
def role_grant(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = unit_or_404(request, unit_id)
    form = GrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: please correct the marked fields."))
        return _render_detail(request, unit, grant_form=form)
    role = form.cleaned_data["role"]
    try:
        memberships.role_grant(
            actor=request.user, unit=unit, user=form.user, role=role, request=request
        )
    except memberships.SelfGrantRefused as refusal:
        # Recorded against the unit, so its page and the page of the unit above list it.
        audit_request_failure(
            request, AuditAction.SELF_GRANT_REFUSED, unit, refusal.reason, new_state=role
        )
        form.add_error("username", refusal.message)
        messages.error(request, _("Nothing was changed: please correct the marked fields."))
        return _render_detail(request, unit, grant_form=form)
    except memberships.Refused as refusal:
        _refused(request, form.user, refusal)
    else:
        messages.success(
            request,
            _("%(user)s now holds the role “%(role)s” in this unit.")
            % {"user": display_name(form.user), "role": Role(role).label},
        )
    return redirect("units:detail", unit_id=unit.pk)


@require_POST
def role_withdraw(request: HttpRequest, unit_id: int, membership_id: int) -> HttpResponse:
    unit = unit_or_404(request, unit_id)
    membership = (
        Membership.objects.select_related("user", "unit")
        .filter(pk=membership_id, unit=unit)
        .first()
    )
    if membership is None:
        raise Http404
    try:
        memberships.role_withdraw(actor=request.user, membership=membership, request=request)
    except memberships.Refused as refusal:
        _refused(request, membership, refusal)
    else:
        messages.success(
            request,
            _("The role “%(role)s” of %(user)s in this unit was withdrawn.")
            % {"role": membership.get_role_display(), "user": display_name(membership.user)},
        )
    return redirect("units:detail", unit_id=unit.pk)


def _account_action(request, unit_id: int, user_id: int, service, success: str):
    unit = unit_or_404(request, unit_id)
    target = _account_or_refuse(request, unit, user_id)
    try:
        service(actor=request.user, user=target, request=request)
    except memberships.Refused as refusal:
        _refused(request, target, refusal)
    else:
        messages.success(request, success % {"user": display_name(target)})
    return redirect("units:detail", unit_id=unit.pk)


@require_POST
def user_deactivate(request: HttpRequest, unit_id: int, user_id: int) -> HttpResponse:
    return _account_action(
        request,
        unit_id,
        user_id,
        memberships.user_deactivate,
        _("%(user)s was deactivated and can no longer log in."),
    )


@require_POST
def user_reactivate(request: HttpRequest, unit_id: int, user_id: int) -> HttpResponse:
    return _account_action(
        request,
        unit_id,
        user_id,
        memberships.user_reactivate,
        _("%(user)s was reactivated and can log in again."),
    )


@require_POST
def password_reset(request: HttpRequest, unit_id: int, user_id: int) -> HttpResponse:
    unit = unit_or_404(request, unit_id)
    target = _account_or_refuse(request, unit, user_id)
    password = memberships.password_reset(actor=request.user, user=target, request=request)
    return _temporary_password_page(request, unit, target, password, created=False)


@require_POST
def user_unlock(request: HttpRequest, unit_id: int, user_id: int) -> HttpResponse:
    unit = unit_or_404(request, unit_id)
    target = _account_or_refuse(request, unit, user_id)
    lockout.lockout_unlock(actor=request.user, username=target.get_username(), request=request)
    messages.success(request, _("%(user)s may log in again now.") % {"user": display_name(target)})
    return redirect("units:detail", unit_id=unit.pk)


@require_http_methods(["GET", "POST"])
def unit_settings(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = unit_or_404(request, unit_id)
    form = UnitSettingsForm(
        request.POST or None,
        request.FILES or None,
        initial={"report_prefix": unit.report_prefix},
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = memberships.unit_update(
                actor=request.user,
                unit=unit,
                report_prefix=form.cleaned_data["report_prefix"],
                seal=form.cleaned_data["seal"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(request, _("The unit's settings were saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("units:detail", unit_id=unit.pk)
    if request.method == "POST":
        _refused_input(request, unit, form)
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
    seal = Seal.objects.filter(unit=unit).only("content_type", "uploaded_at").first()
    return render(request, "units/settings.html", {"unit": unit, "form": form, "seal": seal})
