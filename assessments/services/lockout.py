"""Login lockout that cannot be turned against the bureau (DESIGN §7).

django-axes counts failed logins per (username, address): five failures lock that username
*at that address* (AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]), so a stranger
typing wrong passwords for `admin` from elsewhere does not lock out the real administrator
in the office. On its own that would let one address guess passwords across every username,
five tries each; `AddressLimitDatabaseHandler` adds a second, higher limit per address
(ZHOUCUN_ADDRESS_FAILURE_LIMIT, 30: an office's staff share one NAT address, and their
ordinary typing mistakes must not lock the whole office).

A unit administrator may lift a member's lock early (`lockout_unlock`, audited). An address
lock belongs to no member: it ends when the cool-off passes, or the operator lifts it with
`manage.py axes_reset_ip ADDRESS`.
"""

from __future__ import annotations

from collections.abc import Iterable

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ..models import AuditAction
from .audit import audit_record


class AddressLimitDatabaseHandler(AxesDatabaseHandler):
    """Axes' database handler plus a per-address limit across all usernames.

    Axes compares one number, `get_failures`, with one limit, AXES_FAILURE_LIMIT. This
    handler reports an address that has reached its own limit as having reached that one
    too; everything else (recording, cool-off, reset on success, the lockout signal that the
    audit log listens to) is axes' own.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.ZHOUCUN_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures


def address_failures(request) -> int:
    """Failed logins from the request's address within the cool-off, for any username."""
    address = request.axes_ip_address
    if address is None:
        # No address is known (no REMOTE_ADDR): counting all such requests together would
        # make them one "address" that everybody shares.
        return 0
    attempts = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def _cool_off_start():
    return timezone.now() - get_cool_off()


def locked_out_usernames(usernames: Iterable[str]) -> set[str]:
    """Those of `usernames` locked at some address now, in one query (for member lists)."""
    rows = (
        AccessAttempt.objects.filter(
            username__in=list(usernames), attempt_time__gte=_cool_off_start()
        )
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )
    return set(rows)


def is_locked_out(username: str) -> bool:
    """Whether `username` is locked at some address now (an address lock is not counted)."""
    return bool(locked_out_usernames([username]))


def lockout_unlock(*, actor, username: str, request=None) -> int:
    """Lift `username`'s lock at every address; return how many attempt records went.

    The caller checks that `actor` may administer this user. The audit row names the state
    found, so unlocking a user who was not locked is recorded as such.
    """
    if not username:
        # axes reads an empty username as "no filter" and would clear every lock there is.
        raise ValueError("lockout_unlock needs a username")
    user = get_user_model().objects.filter(username=username).first()
    with transaction.atomic():
        was_locked = is_locked_out(username)
        removed = reset(username=username)
        audit_record(
            action=AuditAction.UNLOCKED,
            user=actor,
            request=request,
            obj=user,
            old_state="locked" if was_locked else "unlocked",
            new_state="unlocked",
            detail=f"unlock login: {username}",
        )
    return removed
