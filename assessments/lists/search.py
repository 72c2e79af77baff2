"""Search over project name, responsible entity, contact names and report number.

Terms are separated by spaces (ASCII or the full-width 　); an assessment matches when it
holds every term somewhere in those fields.

On PostgreSQL the search asks the user's units first and uses an index for a term of any
length (migration 0019): the trigger-kept column `search_text` holds the four fields
lower-cased, and a GIN index over `zhoucun_search_keys(owner_unit_id, status, search_text)`
holds every one- and two-character piece of it plus the keys of its unit (`u:<id>`, and
`i:<id>` once issued). Chinese has no spaces and PostgreSQL no Chinese tokenizer, and
pg_trgm finds no trigram in a two-character term (the commonest Chinese search), hence
pieces; `LIKE` then confirms each term is there in one piece.

Elsewhere (SQLite, for development and tests) the same question is asked with
`icontains` and `EXISTS`: a full scan, fine for a development database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, connections
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from ..models import Assessment, Contact, SignedReport

MAX_TERMS = 5
TABLE = '"assessments_assessment"'
COLUMN = f'{TABLE}."search_text"'
KEYS = f'zhoucun_search_keys({TABLE}."owner_unit_id", {TABLE}."status", {COLUMN})'
_SPACES = re.compile(r"\s+")


def search_terms(text: str) -> list[str]:
    """The distinct terms of a search box's text, lower-cased, at most MAX_TERMS."""
    terms = []
    for term in _SPACES.split(text.strip().lower()):
        if term and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def pieces(term: str) -> list[str]:
    """The index entries a row holding `term` must have: the term itself when it is one
    character long, else every two-character piece of it (which hold its characters)."""
    if len(term) == 1:
        return [term]
    return sorted({term[i : i + 2] for i in range(len(term) - 1)})


def unit_keys(working: Iterable[int], overseen: Iterable[int] = ()) -> list[str]:
    """The index keys of the rows a user sees: every row of the units where they work,
    the issued ones of the units they oversee (as `Assessment.objects.visible_to`)."""
    working = set(working)
    keys = {f"u:{unit}" for unit in working}
    keys |= {f"i:{unit}" for unit in set(overseen) - working}
    return sorted(keys)


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# How a term is judged common in the user's units: LIKE over their SAMPLE_SIZE newest rows,
# read from the index of migration 0019 that holds the text beside the list's order (an
# index-only scan, a few milliseconds). With COMMON matches or more in it (1 row in 200),
# the list's own ordered index serves the page, each row checked by LIKE in that index: a
# page of 20 then costs about 20 × SAMPLE_SIZE / COMMON = 4,000 index entries, however large
# the units grow. Rarer terms are found through the GIN index, all their rows, then
# ordered: about 1 in 200 of the units' rows at most (3,000 of 600,000).
SAMPLE_SIZE = 4000
COMMON = 20
# A safety valve for a sample that misjudged (a term absent from the rows sampled but common
# in the others): past this many rows the index's answer is dropped for the ordered walk.
PROBE_LIMIT = 10_000


@dataclass(frozen=True)
class Matches:
    queryset: QuerySet
    # So many rows match that counting them is not worth it.
    many: bool = False


def matching(
    queryset: QuerySet, text: str, units: tuple[list[int], list[int]] | None = None
) -> Matches:
    """The assessments of `queryset` that hold every term of `text`. `units`: the units
    `queryset` is limited to, (where the user works, where they oversee: issued only);
    PostgreSQL searches those only."""
    terms = search_terms(text)
    if not terms:
        return Matches(queryset)
    if connection.vendor == "postgresql" and units is not None:
        return _matching_postgresql(queryset, terms, *units)
    return Matches(_matching_fallback(queryset, terms))


def _like(term: str) -> RawSQL:
    return RawSQL(  # noqa: S611 - constant SQL; the term is a parameter
        f"{COLUMN} LIKE %s", (_like_pattern(term),), output_field=BooleanField()
    )


def _matching_postgresql(
    queryset: QuerySet, terms: list[str], working: list[int], overseen: list[int]
) -> Matches:
    """Sample the user's rows, then ask the index or walk the list's order.

    The planner cannot know how common a term is in one unit: its statistics are the
    whole table's, and pieces are not independent ("道路改造" holds 道路, 路改 and 改造
    together). Trusted, it walked a 600,000-row unit for a place name common only elsewhere,
    or fetched and sorted 50,000 rows for one page. So the search measures instead, on the
    user's own rows: SAMPLE_SIZE of them, checked by LIKE (one query). A common term's page
    comes from the list's ordered index, each row checked by LIKE (a page fills within
    SAMPLE_SIZE rows); a rarer one's rows all come from the index, restricted by it to the
    user's units, and the page reads those ids, visibility and filters applied again."""
    likes = [_like(term) for term in terms]
    if _sample_is_common(queryset, terms, sorted(set(working) | set(overseen))):
        return Matches(queryset.filter(*likes), many=True)
    found = list(candidates(terms, unit_keys(working, overseen))[: PROBE_LIMIT + 1])
    if len(found) > PROBE_LIMIT:
        return Matches(queryset.filter(*likes), many=True)
    return Matches(queryset.filter(pk__in=found))


def _sample_is_common(queryset: QuerySet, terms: list[str], unit_ids: list[int]) -> bool:
    """Whether COMMON or more of the newest SAMPLE_SIZE rows of `queryset` (in the list's
    default order, shared among the units) hold every term. The newest, not any: rows made
    together are alike (a campaign's projects, one contact's), so a sample of neighbours
    misjudges; the newest are the rows the list's first page walks anyway."""
    if not unit_ids:
        return False
    text = RawSQL(COLUMN, ())  # noqa: S611 - constant SQL
    # The order's columns too: a compound query orders each part by selected columns only.
    rows = queryset.order_by().annotate(t=text).values("t", "updated_at", "id")
    each = max(SAMPLE_SIZE // len(unit_ids), 1)
    parts = [
        rows.filter(owner_unit_id=unit).order_by("-updated_at", "-id")[:each] for unit in unit_ids
    ]
    sample, params = parts[0].union(*parts[1:], all=True).query.sql_with_params()
    likes = " AND ".join(["s.t LIKE %s"] * len(terms))
    with connections[queryset.db].cursor() as cursor:  # the replica, for a list read there
        cursor.execute(
            f"SELECT count(*) FROM ({sample}) AS s WHERE {likes}",  # noqa: S608 - constant SQL
            (*params, *(_like_pattern(term) for term in terms)),
        )
        (count,) = cursor.fetchone()
    return count >= COMMON


def candidates(terms: list[str], keys: list[str]) -> QuerySet:
    """The ids of the rows of the units `keys` name that hold every term, found through the
    index of migration 0019 (PostgreSQL). No condition on `owner_unit_id`: the keys restrict
    the index itself, and a btree over the unit must not be the planner's choice."""
    grams = sorted({gram for term in terms for gram in pieces(term)})
    in_units = RawSQL(  # noqa: S611 - constant SQL; the keys are parameters
        f"{KEYS} && %s::text[]", (keys,), output_field=BooleanField()
    )
    holding = RawSQL(  # noqa: S611 - constant SQL; the pieces are parameters
        f"{KEYS} @> %s::text[]", (grams,), output_field=BooleanField()
    )
    likes = [_like(term) for term in terms]
    return (
        Assessment.objects.filter(in_units, holding, *likes).order_by().values_list("pk", flat=True)
    )


def _matching_fallback(queryset: QuerySet, terms: list[str]) -> QuerySet:
    for term in terms:
        contacts = Contact.objects.filter(assessment=OuterRef("pk"), name__icontains=term)
        reports = SignedReport.objects.filter(
            assessment=OuterRef("pk"), report_number__icontains=term
        )
        queryset = queryset.filter(
            Q(project_name__icontains=term)
            | Q(responsible_entity__icontains=term)
            | Exists(contacts)
            | Exists(reports)
        )
    return queryset
