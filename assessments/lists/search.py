"""Search over project name, responsible entity, contact names and report number.

Terms are separated by spaces (ASCII or the full-width 　); an assessment matches when it
holds every term somewhere in those fields.

On PostgreSQL the search uses the bigram index of migration 0009: the trigger-kept column
`search_text` holds the four fields lower-cased, and a GIN index over
`zhoucun_bigrams(search_text)` finds the rows holding every two-character piece of every
term; `LIKE` then confirms each term is there in one piece. Chinese has no spaces and
PostgreSQL no Chinese tokenizer, and pg_trgm finds no trigram in a two-character term
(the commonest Chinese search), hence bigrams. A one-character term has no bigram: it is
checked by `LIKE` alone, on the rows the other conditions leave.

Elsewhere (SQLite, for development and tests) the same question is asked with
`icontains` and `EXISTS`: a full scan, fine for a development database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from ..models import Contact, SignedReport

MAX_TERMS = 5
COLUMN = '"assessments_assessment"."search_text"'
_SPACES = re.compile(r"\s+")


def search_terms(text: str) -> list[str]:
    """The distinct terms of a search box's text, lower-cased, at most MAX_TERMS."""
    terms = []
    for term in _SPACES.split(text.strip().lower()):
        if term and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def bigrams(term: str) -> list[str]:
    """Every two-character piece of a term, as `zhoucun_bigrams` cuts them."""
    return sorted({term[i : i + 2] for i in range(len(term) - 1)})


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# A term matching more rows than this is "common": its rows are found by walking the list's
# own ordered index (a page fills within a few hundred rows); a rarer term's rows come from
# the bigram index, all of them, and are then ordered. Also the lists' count limit.
PROBE_LIMIT = 1000


@dataclass(frozen=True)
class Matches:
    queryset: QuerySet
    # More than PROBE_LIMIT rows match: the exact number is not worth counting.
    many: bool = False


def matching(queryset: QuerySet, text: str) -> Matches:
    """The assessments of `queryset` that hold every term of `text`."""
    terms = search_terms(text)
    if not terms:
        return Matches(queryset)
    if connection.vendor == "postgresql":
        return _matching_postgresql(queryset, terms)
    return Matches(_matching_fallback(queryset, terms))


def _like(term: str) -> RawSQL:
    return RawSQL(  # noqa: S611 - constant SQL; the term is a parameter
        f"{COLUMN} LIKE %s", (_like_pattern(term),), output_field=BooleanField()
    )


def _matching_postgresql(queryset: QuerySet, terms: list[str]) -> Matches:
    """Ask the bigram index first, for at most PROBE_LIMIT + 1 rows of the whole table.

    Bigrams are not independent ("道路改造" holds 道路, 路改 and 改造 together), so the
    planner's estimate for a common term can be 100 times too low; trusted, it fetched and
    sorted 50,000 rows for one page. The probe's answer is exact instead: all the rows when
    there are few (the page then reads those ids, visibility and filters applied), or the
    knowledge that there are many, when the list's ordered index serves the page and each
    row is checked with LIKE alone. The probe leaves the unit out on purpose: with it,
    PostgreSQL combined the bigram index with the unit's 600,000 index entries (0.2 s);
    and its answer reaches the user only as "many", never as a number (see KeysetPage)."""
    likes = [_like(term) for term in terms]
    probe = bigram_candidates(queryset.model.objects.all(), terms)
    if probe is None:  # one-character terms only
        return Matches(queryset.filter(*likes))
    found = list(probe[: PROBE_LIMIT + 1])
    if len(found) > PROBE_LIMIT:
        return Matches(queryset.filter(*likes), many=True)
    return Matches(queryset.filter(pk__in=found))


def bigram_candidates(queryset: QuerySet, terms: list[str]) -> QuerySet | None:
    """The ids of the rows holding every term, found through the bigram index (PostgreSQL);
    None when no term has two characters."""
    grams = sorted({gram for term in terms for gram in bigrams(term)})
    if not grams:
        return None
    contains = RawSQL(  # noqa: S611 - constant SQL; the bigrams are parameters
        f"zhoucun_bigrams({COLUMN}) @> %s::text[]", (grams,), output_field=BooleanField()
    )
    likes = [_like(term) for term in terms]
    return queryset.filter(contains, *likes).order_by().values_list("pk", flat=True)


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
