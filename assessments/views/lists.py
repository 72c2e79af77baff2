"""The lists: home page, the assessment list with its filters and exports, the review queue.
Each reads a page by key (`lists.pagination`), costing the same at 1M rows."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import permissions
from ..common.replica import reads_from_replica
from ..forms.lists import AssessmentFilterForm
from ..lists import dashboard as figures
from ..lists import exports, queries
from ..lists.pagination import keyset_page
from ..models import AuditAction, Unit
from ..services.audit import audit_record
from .access import deny

PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 20
SECTION_SIZE = 10


def _page_query(request: HttpRequest) -> tuple[str, str | None, str | None]:
    """The request's query without its cursor, and the cursor."""
    query = request.GET.copy()
    after, before = query.pop("after", [None])[0], query.pop("before", [None])[0]
    query.pop("page", None)
    return query.urlencode(), after, before


def _section_link(section: queries.Section) -> str:
    """Where a home-page section's "All" leads: the queue, or the list filtered by status."""
    if section.key == "review":
        return reverse("assessments:review_queue")
    return f"{reverse('assessments:list')}?status={section.status}"


@require_GET
@reads_from_replica
def home(request: HttpRequest) -> HttpResponse:
    shown = []
    for section in queries.home_sections(request.user):
        page = keyset_page(
            section.queryset,
            section.order,
            rows=queries.shown_rows(),
            size=SECTION_SIZE,
            unit_ids=section.unit_ids,
        )
        shown.append(
            {
                "key": section.key,
                "title": section.title,
                "items": page.items,
                "count": page.count,
                "count_capped": page.count_capped,
                "more": page.has_next,
                "all_url": _section_link(section),
            }
        )
    return render(
        request,
        "assessments/home.html",
        {"sections": shown, "can_create": permissions.can_create(request.user)},
    )


def _filter_form(
    request: HttpRequest, choices: queries.FilterChoices | None = None
) -> AssessmentFilterForm:
    choices = choices or queries.filter_choices(request.user)
    return AssessmentFilterForm(request.GET, units=choices.units, levels=choices.levels)


@require_GET
@reads_from_replica
def assessment_list(request: HttpRequest) -> HttpResponse:
    choices = queries.filter_choices(request.user)
    form = _filter_form(request, choices)
    selection = queries.select(request.user, form.criteria())
    query, after, before = _page_query(request)
    page = keyset_page(
        selection.queryset,
        selection.order,
        rows=queries.list_rows(),
        size=PAGE_SIZE,
        unit_ids=selection.unit_ids,
        after=after,
        before=before,
        many=selection.many,
    )
    page.items = queries.list_page_rows(page.items, choices)
    return render(
        request,
        "assessments/list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "can_create": permissions.can_create(request.user),
        },
    )


@require_GET
@reads_from_replica
def review_queue(request: HttpRequest) -> HttpResponse:
    if not permissions.can_see_review_queue(request.user):
        raise deny(request, None, "review queue")
    query, after, before = _page_query(request)
    page = keyset_page(
        queries.review_queue(request.user),
        queries.OLDEST_FIRST,
        rows=queries.shown_rows(),
        size=QUEUE_PAGE_SIZE,
        unit_ids=permissions.review_unit_ids(request.user),
        after=after,
        before=before,
    )
    return render(request, "assessments/review_queue.html", {"queue": page, "query": query})


@require_GET
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    if not permissions.can_see_dashboard(request.user):
        raise deny(request, None, "dashboard")
    shown = figures.dashboard(request.user)
    charts = [
        {
            "series": series,
            "data_id": f"chart-{series.key}-data",
            "data": {
                "kind": "line" if series.key == "month" else "bar",
                "labels": [str(label) for label, _count in series.rows],
                "counts": [count for _label, count in series.rows],
            },
        }
        for series in shown.series
    ]
    return render(
        request,
        "assessments/dashboard.html",
        {"total": shown.total, "charts": charts, "overdue": shown.overdue},
    )


def _export(request: HttpRequest, kind: str) -> StreamingHttpResponse:
    """The filtered list, streamed, without personal data. Audited when it starts: what
    matters is that this person took this filter's rows."""
    selection = queries.select(request.user, _filter_form(request).criteria())
    unit_ids = selection.unit_ids
    if len(unit_ids) == 1:
        unit_name = Unit.objects.filter(pk=unit_ids[0]).values_list("name", flat=True).first()
    else:
        unit_name = _("All units")
    filename = f"{unit_name}-{_('Assessments')}-{timezone.localdate():%Y%m%d}.{kind}"
    audit_record(
        action=AuditAction.EXPORT,
        user=request.user,
        request=request,
        detail=f"assessment list ({kind}), filter: {request.GET.urlencode()}",
    )
    chunks = exports.rows(selection.queryset, unit_ids)
    if kind == "xlsx":
        response = StreamingHttpResponse(
            exports.xlsx_stream(chunks, sheet_name=_("Assessments")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(
            exports.csv_stream(chunks), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@reads_from_replica
def assessment_export(request: HttpRequest) -> StreamingHttpResponse:
    return _export(request, "csv")


@require_GET
@reads_from_replica
def assessment_export_xlsx(request: HttpRequest) -> StreamingHttpResponse:
    return _export(request, "xlsx")
