"""The lists' reads: which assessments a list, a home-page section or the review queue
shows, in what order, with which columns — written for 1M rows (DESIGN §8).

Visibility is a filter on the ids of the user's units (`Assessment.objects.visible_to`);
every order ends with the id and is served by an index led by the owner unit, so pages are
read by key (`pagination.keyset_page`); only the columns a list shows are fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..common.names import mask_phone
from ..models import (
    REPORT_DATE_SORT,
    Assessment,
    Contact,
    Mode,
    RiskLevel,
    Side,
    Status,
    Unit,
    level_display_name,
)
from ..models.access import access_of, visible_unit_ids
from . import search
from .pagination import Order

# Each order ends with the id (the keyset cursor's tie-breaker); each is served by an index
# led by the owner unit (migration 0011).
ORDERS = {
    "-updated_at": Order((("updated_at", True, "datetime"), ("id", True, "int"))),
    "updated_at": Order((("updated_at", False, "datetime"), ("id", False, "int"))),
    "-report_date": Order(
        (("report_sort", True, "date"), ("id", True, "int")),
        annotations={"report_sort": REPORT_DATE_SORT},
    ),
    "project_name": Order((("project_name", False, "str"), ("id", False, "int"))),
}
ORDER_LABELS = {
    "-updated_at": _("Recently updated"),
    "updated_at": _("Least recently updated"),
    "-report_date": _("Report date, newest first"),
    "project_name": _("Project name"),
}
NEWEST_FIRST = ORDERS["-updated_at"]
# The review queue: who has waited longest comes first.
OLDEST_FIRST = Order((("updated_at", False, "datetime"), ("id", False, "int")))


def shown_rows() -> QuerySet:
    """The columns list pages show, and no other (the texts make a row ~1.3 kB wide)."""
    return Assessment.objects.select_related("owner_unit", "risk_level", "author").only(
        "title",
        "project_name",
        "responsible_entity",
        "mode",
        "status",
        "updated_at",
        "author_id",
        "owner_unit__name",
        "risk_level__name",
        "author__username",
        "author__first_name",
        "author__last_name",
    )


def list_rows() -> QuerySet:
    """The list's own columns and its first responsible-side contact (shown masked), read as
    two more columns of the same query rather than a second query for all contacts. The
    unit and level names are the filter's choices (`list_page_rows`): no joins."""
    first = Contact.objects.filter(assessment=OuterRef("pk"), side=Side.RESPONSIBLE).order_by(
        "order"
    )
    # Unordered: the page puts the rows in its keys' order.
    return (
        Assessment.objects.only(
            "title",
            "project_name",
            "responsible_entity",
            "mode",
            "status",
            "updated_at",
            "owner_unit_id",
            "risk_level_id",
        )
        .annotate(
            contact_name=Subquery(first.values("name")[:1]),
            contact_phone=Subquery(first.values("phone")[:1]),
        )
        .order_by()
    )


@dataclass(frozen=True)
class FilterChoices:
    """What the list's filters offer a user — the units they see, the scheme's levels (id,
    name) — and the levels' codes, for their names on screen."""

    units: list[tuple[int, str]]
    levels: list[tuple[int, str]]
    level_codes: dict[int, str]


def filter_choices(user) -> FilterChoices:
    """The units the user sees and the scheme's levels, one query each."""
    units = sorted(visible_unit_ids(user))
    levels = list(RiskLevel.objects.values_list("pk", "code", "name"))
    return FilterChoices(
        units=list(Unit.objects.filter(pk__in=units).values_list("pk", "name")),
        levels=[(pk, name) for pk, _code, name in levels],
        level_codes={pk: code for pk, code, _name in levels},
    )


@dataclass(frozen=True)
class ListRow:
    """One row of the list as shown, every value ready: the template only places them."""

    pk: int
    url: str
    project_name: str
    title: str
    responsible_entity: str
    contact_name: str | None  # None: no responsible-side contact
    contact_phone: str  # masked
    mode: str
    risk_level: str  # "" when none was assessed
    status: str
    status_label: str
    unit: str
    updated_at: str


_LINK_ID = 987654321987


def list_page_rows(items: Iterable[Assessment], choices: FilterChoices) -> list[ListRow]:
    """The page's assessments (read by `list_rows`) as rows; the names of their units and
    levels come from the filter's choices, which hold every unit the list can show."""
    units = dict(choices.units)
    levels = {pk: level_display_name(choices.level_codes[pk], name) for pk, name in choices.levels}
    modes = {value: str(label) for value, label in Mode.choices}
    statuses = {value: str(label) for value, label in Status.choices}
    # Every row's link differs only in its id: reversed once, each id put in its place.
    marker = str(_LINK_ID)
    link = reverse("assessments:detail", kwargs={"pk": _LINK_ID})
    rows = []
    for item in items:
        updated = timezone.localtime(item.updated_at)
        rows.append(
            ListRow(
                pk=item.pk,
                url=link.replace(marker, str(item.pk)),
                project_name=item.project_name,
                title=item.title,
                responsible_entity=item.responsible_entity,
                contact_name=item.contact_name,
                contact_phone=mask_phone(item.contact_phone),
                mode=modes.get(item.mode, item.mode),
                risk_level=levels.get(item.risk_level_id, ""),
                status=item.status,
                status_label=statuses.get(item.status, item.status),
                unit=units.get(item.owner_unit_id, ""),
                updated_at=f"{updated:%Y-%m-%d %H:%M}",
            )
        )
    return rows


@dataclass(frozen=True)
class Selection:
    """The rows a list's filters select (unordered), the order to page them in, the units
    they can belong to (one query per unit for a page), and whether the search matched more
    rows than are worth counting."""

    queryset: QuerySet
    order: Order
    unit_ids: list[int]
    many: bool = False


def select(user, criteria: dict[str, Any]) -> Selection:
    """The assessments `user` may see that meet `criteria` (the filter form's cleaned data:
    q, status, mode, risk_level, unit, ordering — each optional)."""
    queryset = Assessment.objects.visible_to(user)
    unit = criteria.get("unit")
    many = False
    if criteria.get("q"):
        matches = search.matching(queryset, criteria["q"], search_units(user, unit))
        queryset, many = matches.queryset, matches.many
    for name, column in (("status", "status"), ("mode", "mode"), ("risk_level", "risk_level_id")):
        if criteria.get(name):
            queryset = queryset.filter(**{column: criteria[name]})
    if unit:
        queryset = queryset.filter(owner_unit_id=unit)
    unit_ids = [unit] if unit else sorted(visible_unit_ids(user))
    order = ORDERS[criteria.get("ordering") or "-updated_at"]
    return Selection(queryset, order, unit_ids, many)


def search_units(user, unit: int | None) -> tuple[list[int], list[int]]:
    """The units the list may show, as search wants them: (where the user works, where
    they oversee), all they see or the one unit chosen in the filter."""
    access = access_of(user)
    working, overseen = access.working_units, access.overseen - access.working_units
    if unit:
        working, overseen = working & {unit}, overseen & {unit}
    return sorted(working), sorted(overseen)


def review_queue(user, queryset: QuerySet | None = None) -> QuerySet:
    """Submitted assessments of the units where the user reviews, not their own."""
    queryset = Assessment.objects.visible_to(user) if queryset is None else queryset
    return queryset.filter(
        status=Status.SUBMITTED, owner_unit_id__in=sorted(permissions.review_unit_ids(user))
    ).exclude(author=user)


@dataclass(frozen=True)
class Section:
    """A home-page section: its key, title, rows, order and the units they come from."""

    key: str
    title: Any
    queryset: QuerySet
    order: Order
    unit_ids: list[int]
    status: str


def home_sections(user) -> list[Section]:
    """The sections of the user's home page, by what their roles let them do."""
    visible = Assessment.objects.visible_to(user)
    sections = []
    if permissions.can_create(user):
        creatable = sorted(permissions.creatable_unit_ids(user))
        mine = visible.filter(author=user, owner_unit_id__in=creatable)
        sections.append(
            Section(
                "drafts",
                _("My drafts"),
                mine.filter(status=Status.DRAFT),
                NEWEST_FIRST,
                creatable,
                Status.DRAFT,
            )
        )
        sections.append(
            Section(
                "returned",
                _("Returned to me"),
                mine.filter(status=Status.RETURNED),
                NEWEST_FIRST,
                creatable,
                Status.RETURNED,
            )
        )
    if permissions.can_see_review_queue(user):
        sections.append(
            Section(
                "review",
                _("Awaiting my review"),
                review_queue(user, visible),
                OLDEST_FIRST,
                sorted(permissions.review_unit_ids(user)),
                Status.SUBMITTED,
            )
        )
    sections.append(
        Section(
            "issued",
            _("Issued"),
            visible.filter(status=Status.ISSUED),
            NEWEST_FIRST,
            sorted(visible_unit_ids(user)),
            Status.ISSUED,
        )
    )
    return sections
