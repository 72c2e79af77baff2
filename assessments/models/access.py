"""What one person holds, read from their memberships once per request.

A read of the data, below every rule: the assessments' queryset (`visible_to`) and the
permission predicates (`assessments.permissions`) both start from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .org import Membership, Role, Unit

# Roles that work on a unit's assessments and so see all of them, drafts included.
WORK_ROLES = frozenset({Role.ASSESSOR, Role.REVIEWER, Role.CLERK})


@dataclass(frozen=True)
class Access:
    """Roles by unit id, and the units their oversight roles reach (every unit below an
    oversight unit)."""

    roles: dict[int, frozenset[str]]
    overseen: frozenset[int]

    def units_with(self, *roles: str) -> frozenset[int]:
        return frozenset(unit for unit, held in self.roles.items() if held.intersection(roles))

    @property
    def working_units(self) -> frozenset[int]:
        return self.units_with(*WORK_ROLES)


NO_ACCESS = Access(roles={}, overseen=frozenset())


def access_of(user) -> Access:
    """The user's memberships, cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_zhoucun_access", None)
    if cached is None:
        roles: dict[int, set[str]] = {}
        for unit_id, role in Membership.objects.filter(user=user).values_list("unit_id", "role"):
            roles.setdefault(unit_id, set()).add(role)
        oversight = [unit for unit, held in roles.items() if Role.OVERSIGHT in held]
        cached = Access(
            roles={unit: frozenset(held) for unit, held in roles.items()},
            overseen=descendant_unit_ids(oversight) if oversight else frozenset(),
        )
        user._zhoucun_access = cached
    return cached


def forget_access(user) -> None:
    """Drop the cached memberships (after they changed within the request)."""
    for name in ("_zhoucun_access", "_zhoucun_all_units", "_zhoucun_account_units"):
        if hasattr(user, name):
            delattr(user, name)


def descendant_unit_ids(unit_ids) -> frozenset[int]:
    """Every unit below the given ones (not the units themselves). The unit tree is small —
    dozens of units — so it is read whole rather than walked query by query."""
    children: dict[int, list[int]] = {}
    for pk, parent in Unit.objects.filter(parent__isnull=False).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found: set[int] = set()
    stack = list(unit_ids)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return frozenset(found)


def visible_unit_ids(user) -> frozenset[int]:
    """Units some of whose assessments the user may see (for a unit filter)."""
    access = access_of(user)
    return access.working_units | access.overseen
