"""Keyset ("seek") pagination: every page costs what the first one costs.

A page is asked for as "the rows after (or before) this one" in the list's order, never as
"skip 40,000 rows": the database walks an index from the cursor and stops after one page,
whatever the depth, and no request sorts a whole unit. The order always ends with the id,
so the cursor names exactly one position.

Visibility is a filter on unit ids, and an index led by the unit gives one unit's rows in
order; a user of several units gets one query per unit, each stopping after a page, merged
by the database (`UNION ALL … ORDER BY … LIMIT`) — PostgreSQL does not merge the ordered
runs of `owner_unit_id IN (…)` by itself and would sort all of them.

A page is read in two queries: the ids and sort keys (from the index), then the shown
columns of those rows only. The total is counted only up to COUNT_LIMIT ("1000+").
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet

COUNT_LIMIT = 1000


@dataclass(frozen=True)
class Order:
    """A list order: (name, descending, kind) per key, the last being ("id", …, "int")."""

    keys: tuple[tuple[str, bool, str], ...]
    annotations: dict = field(default_factory=dict)

    def order_by(self, reverse: bool = False) -> list[str]:
        return [("-" if desc != reverse else "") + name for name, desc, _kind in self.keys]

    def names(self) -> list[str]:
        return [name for name, _desc, _kind in self.keys]


def encode_cursor(values: Iterable) -> str:
    parts = [v.isoformat() if isinstance(v, datetime.date) else v for v in values]
    raw = json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_PARSE = {
    "datetime": datetime.datetime.fromisoformat,
    "date": datetime.date.fromisoformat,
    "str": str,
    "int": int,
}


def decode_cursor(order: Order, cursor: str | None) -> list | None:
    """The cursor's values, or None for a missing or malformed one (then: the first page)."""
    if not cursor or len(cursor) > 2000:
        return None
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(parts, list) or len(parts) != len(order.keys):
            return None
        values = []
        for part, (_name, _desc, kind) in zip(parts, order.keys, strict=True):
            if not isinstance(part, str | int) or isinstance(part, bool):
                return None
            values.append(_PARSE[kind](part))
        return values
    except (ValueError, TypeError):
        return None


def _after(order: Order, values: list, reverse: bool) -> Q:
    """Rows strictly after `values` in the order (before them if `reverse`).

    Written as "first key ≤ v, and (first key < v or (= v and id beyond))": the first
    clause is a plain range the index can start from, so the scan begins at the cursor
    instead of filtering everything ahead of it."""
    (first, first_desc, _), (last, last_desc, _) = order.keys
    v_first, v_last = values

    def op(desc: bool, strict: bool) -> str:
        going_down = desc != reverse
        return ("lt" if strict else "lte") if going_down else ("gt" if strict else "gte")

    return Q(**{f"{first}__{op(first_desc, False)}": v_first}) & (
        Q(**{f"{first}__{op(first_desc, True)}": v_first})
        | Q(**{first: v_first, f"{last}__{op(last_desc, True)}": v_last})
    )


@dataclass
class KeysetPage:
    items: list
    has_next: bool
    has_previous: bool
    next_cursor: str | None
    previous_cursor: str | None
    count: int | None  # None: not counted (see `many`)
    count_capped: bool

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def paginated(self) -> bool:
        return self.has_next or self.has_previous


def keyset_page(
    queryset: QuerySet,
    order: Order,
    *,
    rows: QuerySet,
    size: int,
    unit_ids: Iterable[int] = (),
    after: str | None = None,
    before: str | None = None,
    count: bool = True,
    many: bool = False,
) -> KeysetPage:
    """One page of `queryset` in `order`, its rows read from `rows` (the shown columns).

    `unit_ids`: the units the rows may belong to; with more than one, each is asked on its
    own and the database merges the pages. `many`: so many rows in the whole table match
    that counting the visible ones is not worth it; the count is then given only where
    the pages show it anyway (all on one page), so it reveals nothing of other units."""
    queryset = queryset.annotate(**order.annotations)
    reverse = False
    cursor = decode_cursor(order, after)
    if cursor is None and before:
        cursor = decode_cursor(order, before)
        reverse = cursor is not None
    if cursor is not None:
        queryset = queryset.filter(_after(order, cursor, reverse))
    keys = queryset.order_by(*order.order_by(reverse)).values_list(*order.names())
    units = sorted(set(unit_ids))
    if len(units) > 1 and connection.features.supports_slicing_ordering_in_compound:
        parts = [keys.filter(owner_unit_id=unit)[: size + 1] for unit in units]
        keys = parts[0].union(*parts[1:], all=True).order_by(*order.order_by(reverse))
    found = list(keys[: size + 1])
    more = len(found) > size
    found = found[:size]
    if reverse:
        found.reverse()
    by_id = {item.pk: item for item in rows.filter(pk__in=[key[-1] for key in found])}
    items = [by_id[key[-1]] for key in found if key[-1] in by_id]
    total: int | None = 0
    if many:
        alone = not more and cursor is None
        total = len(found) if alone else None
    elif count:
        total = queryset.order_by().values("pk")[: COUNT_LIMIT + 1].count()
    return KeysetPage(
        items=items,
        has_next=more if not reverse else True,
        has_previous=(cursor is not None) if not reverse else more,
        next_cursor=encode_cursor(found[-1]) if found else None,
        previous_cursor=encode_cursor(found[0]) if found else None,
        count=None if total is None else min(total, COUNT_LIMIT),
        count_capped=total is not None and total > COUNT_LIMIT,
    )
