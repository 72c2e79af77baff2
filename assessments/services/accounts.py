"""The names of accounts and whose they are (docs/accounts.md).

Every path that creates or renames an account — a unit administrator's "new user", the
operator's admin, the demo loader — asks `username_check` first and records the account's
profile with `profile_claim`: the username's look-alike key (unique in the database) and the
account's home unit, the unit that owns it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from ..common.names import username_skeleton, validate_username
from ..common.text import normalise_identifier
from ..models import Profile, Unit

LOOKS_TAKEN = _(
    "An account whose username looks the same already exists (the same letters in another "
    "case, full-width letters, or letters of another script that look alike). Please choose "
    "a clearly different username."
)


def username_check(username: str, *, exclude=None) -> str:
    """The username in its one form, if no other account's looks like it; otherwise a
    ValidationError on the field `username`. `exclude`: the account being renamed."""
    username = normalise_identifier(username)
    try:
        validate_username(username)
    except ValidationError as error:
        raise ValidationError({"username": error.messages}) from error
    others = get_user_model().objects.all()
    keys = Profile.objects.filter(username_key=username_skeleton(username))
    if exclude is not None and exclude.pk is not None:
        others = others.exclude(pk=exclude.pk)
        keys = keys.exclude(user_id=exclude.pk)
    # Both indexed: the key (unique) and lower(username) (migration 0013). The second also
    # covers an account whose profile has no key yet (made by createsuperuser).
    same_case = others.filter(Exact(Lower("username"), username.lower()))
    if keys.exists() or same_case.exists():
        raise ValidationError({"username": LOOKS_TAKEN}, code="looks_taken")
    return username


def profile_claim(user, *, home_unit: Unit | None = None, **state) -> Profile:
    """Record the account's look-alike key (after a creation or a rename), its home unit if
    it has none yet (a home unit, once set, is never moved by a role elsewhere), and any
    other profile state given (`must_change_password=True`)."""
    profile, _created = Profile.objects.get_or_create(user=user)
    profile.username_key = username_skeleton(user.get_username())
    if profile.home_unit_id is None and home_unit is not None:
        profile.home_unit = home_unit
    for name, value in state.items():
        setattr(profile, name, value)
    profile.save()
    return profile


def home_unit_default(user, unit: Unit) -> None:
    """An account without a home unit (made by the operator) gets the first unit that gives
    it a role — the same rule migration 0013 applied to the accounts that existed then."""
    Profile.objects.get_or_create(user=user)
    Profile.objects.filter(user=user, home_unit=None).update(home_unit=unit)
