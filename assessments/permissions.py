"""One place that answers "may this user do X?" — from the memberships of the object's unit.

A person holds roles *in a unit* (`Membership`); a role in one unit gives nothing in another.
Views, templates (through flags the views pass) and the admin ask these predicates; nothing
else tests roles, units or `is_superuser`.

The superuser is the operator of the installation: Django's admin and the administration of
every unit's members, but no assessment content unless they also hold a role in its unit.
"""

from __future__ import annotations

from .models import (
    Assessment,
    Profile,
    Role,
    Status,
    Unit,
    access_of,
    descendant_unit_ids,
)


def has_role(user, unit_id: int | None, role: Role) -> bool:
    return role in access_of(user).roles.get(unit_id, ())


def has_role_anywhere(user, role: Role) -> bool:
    return bool(access_of(user).units_with(role))


def works_on(user, assessment: Assessment) -> bool:
    return assessment.owner_unit_id in access_of(user).working_units


def oversees(user, assessment: Assessment) -> bool:
    return assessment.owner_unit_id in access_of(user).overseen


# --- assessments -------------------------------------------------------------------------


def creatable_unit_ids(user) -> frozenset[int]:
    """Units in which the user may create an assessment."""
    return access_of(user).units_with(Role.ASSESSOR)


def can_create(user) -> bool:
    return bool(creatable_unit_ids(user))


def can_see_dashboard(user) -> bool:
    """The dashboard counts what the user may see: anyone who works on or oversees a unit."""
    access = access_of(user)
    return bool(access.working_units or access.overseen)


def can_edit(user, assessment: Assessment) -> bool:
    return has_role(user, assessment.owner_unit_id, Role.ASSESSOR) and assessment.is_editable


def can_copy(user, assessment: Assessment) -> bool:
    """Start a new draft from this one: who may create assessments in its unit, whatever
    its status (the copy belongs to the same unit)."""
    return assessment.owner_unit_id in creatable_unit_ids(user)


def can_submit(user, assessment: Assessment) -> bool:
    return can_edit(user, assessment) and assessment.author_id == user.pk


def can_open_review(user, assessment: Assessment) -> bool:
    """A reviewer of the assessment's unit may read its review page."""
    return has_role(user, assessment.owner_unit_id, Role.REVIEWER)


def can_review(user, assessment: Assessment) -> bool:
    """Return or approve: a reviewer of the unit who did not write it (separation of duties)."""
    return (
        can_open_review(user, assessment)
        and assessment.author_id != user.pk
        and assessment.status == Status.SUBMITTED
    )


def can_see_review_queue(user) -> bool:
    return has_role_anywhere(user, Role.REVIEWER)


def review_unit_ids(user) -> frozenset[int]:
    return access_of(user).units_with(Role.REVIEWER)


def can_download_report(user, assessment: Assessment) -> bool:
    if assessment.status != Status.ISSUED:
        return False
    unit = assessment.owner_unit_id
    return (
        has_role(user, unit, Role.CLERK)
        or has_role(user, unit, Role.REVIEWER)
        or (has_role(user, unit, Role.ASSESSOR) and assessment.author_id == user.pk)
        or oversees(user, assessment)
    )


def can_download_archive(user, assessment: Assessment) -> bool:
    """The archive package (归档包) holds the evidence files, so only the unit's clerks and
    reviewers, who file the record, take it — never oversight or the public. Whether the
    assessment is issued yet is the view's to say (with a message), not a permission."""
    unit = assessment.owner_unit_id
    return has_role(user, unit, Role.CLERK) or has_role(user, unit, Role.REVIEWER)


def can_download_attachment(user, assessment: Assessment) -> bool:
    """Evidence files (standard mode) are read by the members who work on the unit's
    assessments, never by oversight or the public: they may hold personal data."""
    return works_on(user, assessment)


def can_retry_issue(user, assessment: Assessment) -> bool:
    return has_role(user, assessment.owner_unit_id, Role.REVIEWER)


# --- after the decision: tracking and post-evaluation ----------------------------------


def can_see_tracking(user, assessment: Assessment) -> bool:
    """Tracking records and post-evaluations of an issued assessment: read by who works on
    the unit's assessments and by the oversight of the units above it."""
    return assessment.status == Status.ISSUED and (
        works_on(user, assessment) or oversees(user, assessment)
    )


def can_record_tracking(user, assessment: Assessment) -> bool:
    """Add and edit them: the staff of the owning unit (the units above only read). Whether
    the assessment is issued yet is asked separately, so a refusal can say why."""
    return works_on(user, assessment)


# --- deadlines ---------------------------------------------------------------------------


def can_edit_publicity(user, assessment: Assessment) -> bool:
    """The 公示 period's dates: entered by the unit's assessors and clerks, whatever the
    status (the period often ends after submission)."""
    unit = assessment.owner_unit_id
    return has_role(user, unit, Role.ASSESSOR) or has_role(user, unit, Role.CLERK)


# --- 备案: filing an issued report with the oversight units above -------------------------


def can_file(user, assessment: Assessment) -> bool:
    """File the issued report (报备): a clerk of the owning unit. Whether it may be filed now
    is asked separately (the service refuses with a message)."""
    return has_role(user, assessment.owner_unit_id, Role.CLERK)


def filing_inbox_unit_ids(user) -> frozenset[int]:
    """The units whose filing inbox the user reads: where they hold an oversight role."""
    return access_of(user).units_with(Role.OVERSIGHT)


def can_see_filing_inbox(user) -> bool:
    return bool(filing_inbox_unit_ids(user))


def can_act_on_filing(user, filing) -> bool:
    """Receive, record an opinion, approve, forward or return: the oversight of the unit the
    filing is with now."""
    return filing.current_unit_id in filing_inbox_unit_ids(user)


def can_see_filing(user, assessment: Assessment, chain_unit_ids) -> bool:
    """The filing and its 报备表: who works on the owning unit, and the oversight of every
    unit the filing has reached (`chain_unit_ids`)."""
    return works_on(user, assessment) or bool(
        filing_inbox_unit_ids(user).intersection(chain_unit_ids)
    )


# --- units and people --------------------------------------------------------------------


def administered_unit_ids(user) -> frozenset[int]:
    """Units whose members the user manages: their unit-administrator roles; the operator
    (superuser) manages every unit."""
    if not can_use_admin(user):
        return access_of(user).units_with(Role.UNIT_ADMIN)
    cached = getattr(user, "_zhoucun_all_units", None)
    if cached is None:  # asked by the navigation and the page alike: read once a request
        cached = frozenset(Unit.objects.values_list("pk", flat=True))
        user._zhoucun_all_units = cached
    return cached


def can_administer_unit(user, unit: Unit | int) -> bool:
    unit_id = unit if isinstance(unit, int) else unit.pk
    return unit_id in administered_unit_ids(user)


def account_unit_ids(user) -> frozenset[int]:
    """Units whose *accounts* the user manages: the units they administer and every unit
    below them. An account belongs to its home unit (docs/accounts.md)."""
    administered = administered_unit_ids(user)
    cached = getattr(user, "_zhoucun_account_units", None)
    if cached is None:
        cached = administered | descendant_unit_ids(administered) if administered else frozenset()
        user._zhoucun_account_units = cached
    return cached


def can_manage_account(user, target) -> bool:
    """Deactivate, reset the password of, or unlock `target`: an administrator of the
    account's home unit or of a unit above it — whatever roles other units have granted the
    person, so no unit can capture another's people — never a superuser, never oneself."""
    return target.pk in manageable_account_ids(user, [target])


def can_edit_unit_rules(user, unit: Unit) -> bool:
    """Set a unit's own rules (what its units' assessments must contain): an administrator
    of a unit that has units below it — a district office, not a leaf bureau, whose
    administrators see the rules in force read-only."""
    return can_administer_unit(user, unit) and unit_has_children(unit)


def unit_has_children(unit: Unit) -> bool:
    cached = unit.__dict__.get("_has_children")
    if cached is None:
        cached = unit.__dict__["_has_children"] = unit.children.exists()
    return cached


def manageable_account_ids(user, targets) -> frozenset[int]:
    """The ids among `targets` whose accounts `user` may manage, by the rule of
    `can_manage_account`, in one query for a whole member list."""
    candidates = [t.pk for t in targets if t.pk != user.pk and not t.is_superuser]
    if not candidates or not (user.is_authenticated and user.is_active):
        return frozenset()
    if user.is_superuser:
        return frozenset(candidates)
    units = account_unit_ids(user)
    if not units:
        return frozenset()
    homes = Profile.objects.filter(user_id__in=candidates, home_unit_id__in=units)
    return frozenset(homes.values_list("user_id", flat=True))


def can_use_admin(user) -> bool:
    """Django's admin is the operator's alone."""
    return user.is_authenticated and user.is_active and user.is_superuser
