"""A locality's settings, inherited down the unit tree: the one walk every inherited
setting (rules, report outlines …) takes.

A setting is a row that belongs to a unit, or to no unit (the operator's national default at
the root). For an assessment the setting that counts is the one of the nearest unit in
`Unit.lineage()` of its owner unit — the unit itself, then its parent, up to the root —, else
the national default. So a district may tighten or loosen what the city set, and its bureaus
inherit the district's choice.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

from django.db.models import Q, QuerySet

from ..models import Unit


def lineage(unit: Unit | None) -> list[Unit]:
    """The units whose settings apply to `unit`, nearest first (empty: national only). Kept
    on the unit object, so asking again within a request costs no query."""
    if unit is None:
        return []
    cached = unit.__dict__.get("_locality_lineage")
    if cached is None:
        cached = unit.lineage()
        unit.__dict__["_locality_lineage"] = cached
    return cached


def applicable(queryset: QuerySet, unit: Unit | None, *, field: str = "unit") -> QuerySet:
    """The rows of `queryset` that may apply to `unit`: its lineage's and the national
    ones (`field` empty), in one query."""
    ids = [u.pk for u in lineage(unit)]
    return queryset.filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__in": ids}))


def lineages(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """The lineage (as ids, nearest first) of each of many units, from one query of the
    unit tree — for reads that apply settings to many units at once. The same walk as
    `Unit.lineage`, which stops on a cycle too."""
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    found = {}
    for start in unit_ids:
        chain, unit = [], start
        while unit is not None and unit not in chain and unit in parents:
            chain.append(unit)
            unit = parents[unit]
        found[start] = chain
    return found


def nearest[Row](
    rows: Iterable[Row],
    unit: Unit | None,
    *,
    key: Callable[[Row], Hashable],
    unit_id: Callable[[Row], int | None] = lambda row: row.unit_id,
    lineage_ids: list[int] | None = None,
) -> dict[Hashable, Row]:
    """For each key, the row of the nearest unit in the lineage of `unit` (or the lineage
    `lineage_ids` gives, from `lineages`), else the national row (unit None). Rows of units
    outside the lineage are ignored."""
    if lineage_ids is None:
        lineage_ids = [u.pk for u in lineage(unit)]
    rank = {pk: position for position, pk in enumerate(lineage_ids)}
    national = len(rank)
    chosen: dict[Hashable, tuple[int, Row]] = {}
    for row in rows:
        owner = unit_id(row)
        position = national if owner is None else rank.get(owner)
        if position is None:
            continue
        found = key(row)
        if found not in chosen or position < chosen[found][0]:
            chosen[found] = (position, row)
    return {found: row for found, (_position, row) in chosen.items()}


def effective_for[Row](
    unit: Unit | None,
    queryset: QuerySet,
    *,
    key: Callable[[Row], Hashable],
    field: str = "unit",
) -> dict[Hashable, Row]:
    """The settings in force for `unit`: one query over its lineage and the national rows,
    the nearest unit's row winning for each key."""
    rows = applicable(queryset, unit, field=field)
    return nearest(rows, unit, key=key, unit_id=lambda row: getattr(row, f"{field}_id"))
