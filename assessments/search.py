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

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from .models import Contact, SignedReport

MAX_TERMS = 5
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


def matching(queryset: QuerySet, text: str) -> QuerySet:
    """The assessments of `queryset` that hold every term of `text`."""
    terms = search_terms(text)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        return _matching_postgresql(queryset, terms)
    return _matching_fallback(queryset, terms)


def _matching_postgresql(queryset: QuerySet, terms: list[str]) -> QuerySet:
    column = '"assessments_assessment"."search_text"'
    grams = sorted({gram for term in terms for gram in bigrams(term)})
    if grams:
        queryset = queryset.filter(
            RawSQL(  # noqa: S611 - constant SQL; the bigrams are parameters
                f"zhoucun_bigrams({column}) @> %s::text[]",
                (grams,),
                output_field=BooleanField(),
            )
        )
    for term in terms:
        like = RawSQL(  # noqa: S611 - constant SQL; the term is a parameter
            f"{column} LIKE %s", (_like_pattern(term),), output_field=BooleanField()
        )
        queryset = queryset.filter(like)
    return queryset


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
