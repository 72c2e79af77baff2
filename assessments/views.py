"""Views: parse the request, ask `permissions`, call one service, redirect with a message."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import exports, issuing, permissions, services, wizard, workflow
from .audit import audit_record, audit_request_failure
from .content import assessment_content, upgrade
from .diffs import version_diff
from .forms import AssessmentFilterForm, NewAssessmentForm, ReturnForm, SubmitForm
from .models import TEXT_LIMITS, Assessment, AuditAction, Contact, Role, Status, Unit
from .pagination import Order, keyset_page
from .reports import ReportRenderError, preview_html, render_pdf, render_report_body

PAGE_SIZE = 20
QUEUE_PAGE_SIZE = 20
SECTION_SIZE = 10
NEWEST_FIRST = AssessmentFilterForm.ORDERS["-updated_at"]
# The review queue: who has waited longest comes first.
OLDEST_FIRST = Order((("updated_at", False, "datetime"), ("id", False, "int")))
# The list filter that shows all of a home-page section.
SECTION_STATUS = {
    "drafts": Status.DRAFT,
    "returned": Status.RETURNED,
    "review": Status.SUBMITTED,
    "issued": Status.ISSUED,
}
STALE_PAGE = gettext_lazy("This page is out of date. Reload it and try again.")


def _posted_int(request: HttpRequest, name: str) -> int | None:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        return None


def deny(request: HttpRequest, assessment: Assessment | None, reason: str) -> PermissionDenied:
    """Record a permission denial and return the exception to raise."""
    audit_request_failure(request, AuditAction.PERMISSION_DENIED, assessment, reason)
    return PermissionDenied(reason)


def _shown_rows():
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


def _list_rows():
    # Ordered by its own columns: the model's order by "assessment" would join the
    # assessments back in for their order.
    contacts = Contact.objects.only("assessment_id", "side", "order", "name", "phone").order_by(
        "assessment_id", "side", "order"
    )
    return _shown_rows().prefetch_related(Prefetch("contacts", queryset=contacts))


def _page_query(request: HttpRequest) -> tuple[str, str | None, str | None]:
    """The request's query without its cursor, and the cursor."""
    query = request.GET.copy()
    after, before = query.pop("after", [None])[0], query.pop("before", [None])[0]
    query.pop("page", None)
    return query.urlencode(), after, before


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = Assessment.objects.visible_to(user)
    visible_units = sorted(permissions.visible_unit_ids(user))
    sections = []
    if permissions.can_create(user):
        creatable = sorted(permissions.creatable_unit_ids(user))
        mine = visible.filter(author=user, owner_unit_id__in=creatable)
        sections.append(
            ("drafts", _("My drafts"), mine.filter(status=Status.DRAFT), NEWEST_FIRST, creatable)
        )
        sections.append(
            (
                "returned",
                _("Returned to me"),
                mine.filter(status=Status.RETURNED),
                NEWEST_FIRST,
                creatable,
            )
        )
    if permissions.can_see_review_queue(user):
        sections.append(
            (
                "review",
                _("Awaiting my review"),
                _review_queue(user, visible),
                OLDEST_FIRST,
                sorted(permissions.review_unit_ids(user)),
            )
        )
    sections.append(
        ("issued", _("Issued"), visible.filter(status=Status.ISSUED), NEWEST_FIRST, visible_units)
    )
    shown = []
    for key, title, queryset, order, units in sections:
        page = keyset_page(queryset, order, rows=_shown_rows(), size=SECTION_SIZE, unit_ids=units)
        shown.append(
            {
                "key": key,
                "title": title,
                "items": page.items,
                "count": page.count,
                "count_capped": page.count_capped,
                "more": page.has_next,
                "status": SECTION_STATUS[key],
            }
        )
    return render(
        request,
        "assessments/home.html",
        {"sections": shown, "can_create": permissions.can_create(user)},
    )


@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    form = AssessmentFilterForm(request.GET, user=request.user)
    query, after, before = _page_query(request)
    page = keyset_page(
        form.filter(Assessment.objects.visible_to(request.user)),
        form.order,
        rows=_list_rows(),
        size=PAGE_SIZE,
        unit_ids=form.unit_ids,
        after=after,
        before=before,
        many=form.many_matches,
    )
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


@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create(request.user):
        raise deny(request, None, "create")
    units = Unit.objects.filter(pk__in=sorted(permissions.creatable_unit_ids(request.user)))
    form = NewAssessmentForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        assessment = services.assessment_create(author=request.user, **form.cleaned_data)
        audit_record(action=AuditAction.CREATE, user=request.user, request=request, obj=assessment)
        messages.success(request, _("The assessment was created and saved."))
        target = "project" if request.POST.get("nav") == "save" else "contacts"
        return redirect("assessments:step", pk=assessment.pk, step=target)
    if request.method == "POST":
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
        for error in form.errors.get("owner_unit", []):
            messages.error(request, error)
    step = wizard.get_step("project")
    return render(
        request,
        step.template,
        {
            "assessment": None,
            "step": step,
            "steps": wizard.progress(None, step),
            "forms": {"form": form},
            "form_action": reverse("assessments:new"),
        },
    )


@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_or_404(request, pk, queryset=wizard.wizard_queryset())
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "report_html": preview_html(assessment),
            "can_edit": permissions.can_edit(request.user, assessment),
            "can_submit": permissions.can_submit(request.user, assessment),
            "resume_step": wizard.resume_step(assessment),
            "can_open_review": permissions.can_open_review(request.user, assessment),
            # The signed report, or how issuing it goes (polled by htmx while it runs).
            **issuing.issue_panel(request.user, assessment),
            **_history(assessment),
        },
    )


@require_GET
def assessment_resume(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_or_404(request, pk, queryset=wizard.wizard_queryset())
    return redirect("assessments:step", pk=pk, step=wizard.resume_step(assessment).slug)


def _edit_guard(request: HttpRequest, assessment: Assessment) -> HttpResponse | None:
    """None if the user may edit now; otherwise the refusal (403 or a redirect)."""
    if permissions.can_edit(request.user, assessment):
        return None
    if not permissions.has_role(request.user, assessment.owner_unit_id, Role.ASSESSOR):
        raise deny(request, assessment, "edit")
    return _not_editable(request, assessment)


def _not_editable(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Content is read-only in this status: say so; a refused write is also audited."""
    if request.method == "POST":
        audit_request_failure(
            request, AuditAction.REFUSED, assessment, f"edit while {assessment.status}"
        )
    messages.warning(
        request,
        _("This assessment is “%(status)s” and cannot be edited now.")
        % {"status": assessment.get_status_display()},
    )
    return redirect(assessment.get_absolute_url())


@require_http_methods(["GET", "POST"])
def assessment_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    assessment = permissions.get_assessment_or_404(request, pk, queryset=wizard.wizard_queryset())
    current = wizard.get_step(step, assessment)
    if current is None:
        raise Http404
    refusal = _edit_guard(request, assessment)
    if refusal:
        return refusal
    missing = wizard.first_missing_requirement(current, assessment)
    if missing is not None:
        messages.warning(
            request,
            _("Please complete “%(step)s” first.") % {"step": missing.title},
        )
        return redirect("assessments:step", pk=pk, step=missing.slug)

    conflict = None
    conflict_rows: list[dict] = []
    lock_version = assessment.lock_version
    if request.method == "POST" and current.slug != "preview":
        forms = current.forms(assessment, data=request.POST)
        # Every form is validated (no short-circuit), so every mistake is marked at once.
        valid = all([form.is_valid() for form in forms.values()])
        expected = _posted_int(request, "lock_version")
        if not valid and not current.saves_partial:
            # Record rows are kept whole: nothing is saved until the step is valid.
            messages.error(request, _("Nothing was saved: please correct the marked fields."))
            lock_version = request.POST.get("lock_version", lock_version)
        else:
            try:
                saved = services.assessment_save_step(
                    assessment=assessment,
                    expected_version=expected,
                    apply=current.apply(forms),
                    actor=request.user,
                    request=request,
                    step=current.slug,
                )
            except services.StaleEdit as stale:
                conflict = stale.current
                fresh = wizard.wizard_queryset().get(pk=pk)
                conflict_rows = current.differences(fresh, forms)
                # Having seen both, saving again keeps the user's input over the other save.
                lock_version = stale.current.lock_version
            except services.NotEditable as frozen:
                return _not_editable(request, frozen.current)
            else:
                if valid:
                    # The saved copy: a change of mode changes which step comes next.
                    return _after_save(request, saved, current)
                # A draft keeps what is valid; only the marked fields still need attention.
                messages.error(
                    request, _("What is valid was saved. Please correct the marked fields.")
                )
                assessment = wizard.wizard_queryset().get(pk=pk)
                lock_version = saved.lock_version
    else:
        forms = current.forms(assessment, add_row=request.GET.get("add"))

    previous, following = wizard.neighbours(current, assessment)
    context = {
        "assessment": assessment,
        "step": current,
        "steps": wizard.progress(assessment, current),
        "previous": previous,
        "following": following,
        "forms": forms,
        "lock_version": lock_version,
        "conflict": conflict,
        "conflict_rows": conflict_rows,
        "form_action": reverse("assessments:step", kwargs={"pk": pk, "step": current.slug}),
    }
    context.update(current.extra_context(assessment))
    if assessment.status == Status.RETURNED:
        context["latest_return"] = _history(assessment)["latest_return"]
    if current.slug == "conclusion":
        context["suggested_level"] = wizard.suggested_level(assessment)
    if current.slug == "project":
        context["mode_suggestion"] = wizard.mode_suggestion(assessment)
    if current.slug == "preview":
        # A simple assessment reaches the preview only once every step is complete (its
        # preconditions); a standard one earlier, to see what the rules still require.
        context["report_html"] = preview_html(assessment)
        context["checklist"] = wizard.checklist(assessment)
        context["can_submit"] = permissions.can_submit(request.user, assessment)
        context["submit_form"] = SubmitForm() if assessment.status == Status.RETURNED else None
    status = 409 if conflict else 200
    return render(request, current.template, context, status=status)


def _after_save(request: HttpRequest, assessment: Assessment, step: wizard.Step) -> HttpResponse:
    nav = request.POST.get("nav", "save")
    previous, following = wizard.neighbours(step, assessment)
    if nav.startswith("add:"):
        url = reverse("assessments:step", kwargs={"pk": assessment.pk, "step": step.slug})
        return redirect(f"{url}?add={nav.removeprefix('add:')}#rows-{nav.removeprefix('add:')}")
    if nav == "next" and following:
        return redirect("assessments:step", pk=assessment.pk, step=following.slug)
    if nav == "back" and previous:
        return redirect("assessments:step", pk=assessment.pk, step=previous.slug)
    messages.success(request, _("Saved."))
    return redirect("assessments:step", pk=assessment.pk, step=step.slug)


@require_POST
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_or_404(request, pk, queryset=wizard.wizard_queryset())
    if not permissions.has_role(request.user, assessment.owner_unit_id, Role.ASSESSOR):
        raise deny(request, assessment, "submit")
    previewed = _posted_int(request, "lock_version")
    if previewed is None:
        messages.error(request, STALE_PAGE)
        return redirect("assessments:step", pk=pk, step="preview")
    form = SubmitForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reply", []):
            messages.error(request, _("Not submitted: %(error)s") % {"error": error})
        return redirect("assessments:step", pk=pk, step="preview")
    try:
        workflow.assessment_submit(
            assessment=assessment,
            actor=request.user,
            request=request,
            expected_lock_version=previewed,
            reply=form.cleaned_data["reply"],
        )
    except workflow.TransitionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("assessments:step", pk=pk, step="preview")
    messages.success(request, _("Submitted for review. The content is read-only until returned."))
    return redirect(assessment.get_absolute_url())


def _history(assessment: Assessment) -> dict:
    """The review timeline and the latest return (whose comment the author must see)."""
    events = list(
        assessment.review_events.select_related("actor", "version").order_by("created_at", "id")
    )
    returned = [event for event in events if event.to_status == Status.RETURNED]
    latest_return = returned[-1] if returned else None
    # The author's answer to that return: the comment of the resubmission after it.
    replies = [
        event
        for event in events
        if latest_return is not None
        and event.from_status == Status.RETURNED
        and (event.created_at, event.pk) > (latest_return.created_at, latest_return.pk)
        and event.comment
    ]
    return {
        "events": events,
        "latest_return": latest_return,
        "latest_reply": replies[0] if replies else None,
    }


def _review_context(assessment: Assessment) -> dict:
    """The submitted version and what changed since the version last returned."""
    history = _history(assessment)
    current = assessment.versions.order_by("-number").first()
    previous = history["latest_return"].version if history["latest_return"] else None
    changes = None
    if current and previous and previous.pk != current.pk:
        changes = version_diff(previous, current)
    return {
        **history,
        "version": current,
        "previous_version": previous if changes is not None else None,
        "changes": changes,
    }


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    if not permissions.can_see_review_queue(request.user):
        raise deny(request, None, "review queue")
    query, after, before = _page_query(request)
    page = keyset_page(
        _review_queue(request.user, Assessment.objects.visible_to(request.user)),
        OLDEST_FIRST,
        rows=_shown_rows(),
        size=QUEUE_PAGE_SIZE,
        unit_ids=permissions.review_unit_ids(request.user),
        after=after,
        before=before,
    )
    return render(request, "assessments/review_queue.html", {"queue": page, "query": query})


def _review_queue(user, queryset):
    """Submitted assessments of the units where the user reviews, not their own."""
    return queryset.filter(
        status=Status.SUBMITTED, owner_unit_id__in=sorted(permissions.review_unit_ids(user))
    ).exclude(author=user)


def _render_review(
    request: HttpRequest, assessment: Assessment, return_form: ReturnForm | None = None
) -> HttpResponse:
    if not permissions.can_open_review(request.user, assessment):
        raise deny(request, assessment, "review")
    context = _review_context(assessment)
    version = context["version"]
    return render(
        request,
        "assessments/review.html",
        {
            "assessment": assessment,
            "report_html": render_report_body(version.content) if version else "",
            "evidence": upgrade(version.content)["standard"]["attachments"] if version else [],
            "can_review": permissions.can_review(request.user, assessment),
            # Said here, where the reviewer decides, rather than by a failed issue later.
            "no_prefix_message": None
            if assessment.owner_unit.report_prefix
            else workflow.NO_PREFIX_MESSAGE,
            "is_author": assessment.author_id == request.user.pk,
            "return_form": return_form or ReturnForm(),
            "comment_limit": TEXT_LIMITS["review_comment"],
            **context,
        },
    )


@require_GET
def assessment_review(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = permissions.get_assessment_or_404(
        request, pk, queryset=Assessment.objects.select_related("owner_unit", "author")
    )
    return _render_review(request, assessment)


def _decide(request: HttpRequest, pk: int, decide, success: str, **kwargs) -> HttpResponse:
    """Approve or return, on the version the reviewer read, then back to the review page."""
    assessment = permissions.get_assessment_or_404(request, pk)
    if not permissions.can_open_review(request.user, assessment):
        raise deny(request, assessment, "review action")
    version = _posted_int(request, "version")
    if version is None:
        # The decision must name the version read (the page always sends it).
        messages.error(request, STALE_PAGE)
        return redirect("assessments:review", pk=pk)
    try:
        decide(
            assessment=assessment,
            actor=request.user,
            request=request,
            expected_version=version,
            **kwargs,
        )
    except workflow.TransitionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, success)
    return redirect("assessments:review", pk=pk)


@require_POST
def assessment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")
    limit = TEXT_LIMITS["review_comment"]
    if len(comment) > limit:
        # Refused, never cut: the reviewer keeps the page and shortens the comment.
        messages.error(
            request,
            _("Not approved: the comment is longer than %(limit)s characters.") % {"limit": limit},
        )
        return redirect("assessments:review", pk=pk)
    return _decide(request, pk, workflow.assessment_approve, _("Approved."), comment=comment)


@require_POST
def assessment_return(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not returned: please correct the marked fields."))
        return _render_review(request, permissions.get_assessment_or_404(request, pk), form)
    return _decide(
        request,
        pk,
        workflow.assessment_return,
        _("Returned to the author with your comments."),
        comment=form.cleaned_data["comment"],
    )


def _export(request: HttpRequest, kind: str) -> StreamingHttpResponse:
    """The filtered list, streamed, without personal data. Audited when it starts: what
    matters is that this person took this filter's rows."""
    form = AssessmentFilterForm(request.GET, user=request.user)
    queryset = form.filter(Assessment.objects.visible_to(request.user))
    unit_ids = form.unit_ids
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
    chunks = exports.rows(queryset, unit_ids)
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
def assessment_export(request: HttpRequest) -> StreamingHttpResponse:
    return _export(request, "csv")


@require_GET
def assessment_export_xlsx(request: HttpRequest) -> StreamingHttpResponse:
    return _export(request, "xlsx")


@require_GET
def assessment_draft_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as it stands, as a PDF watermarked 草稿 and not signed: to read on paper or
    pass round before submitting. Anyone who may see the assessment may have it. Audited."""
    assessment = permissions.get_assessment_or_404(request, pk, queryset=wizard.wizard_queryset())
    try:
        pdf = render_pdf(assessment_content(assessment), draft_watermark=True)
    except ReportRenderError as problem:
        messages.error(request, str(problem))
        return redirect(assessment.get_absolute_url())
    audit_record(
        action=AuditAction.DOWNLOAD,
        user=request.user,
        request=request,
        obj=assessment,
        detail=f"draft PDF, edit version {assessment.lock_version}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = quote(f"草稿-{assessment.project_name}.pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    return response
