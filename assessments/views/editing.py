"""Editing an assessment: creating it, the guided form's steps, submission, the detail page
and the draft PDF. Views parse the request, ask `permissions`, call one service and redirect
with a message; each step says what its page shows and what a post may store."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import permissions
from ..content import assessment_content
from ..forms.review import SubmitForm
from ..forms.steps import NewAssessmentForm
from ..issuing.progress import issue_panel
from ..lists.history import review_history
from ..models import Assessment, AuditAction, Role, Status, Unit
from ..reports.context import live_outline, preview_html
from ..reports.render import ReportRenderError, render_pdf
from ..services import copying, editing, workflow
from ..services.audit import audit_record
from ..wizard import flow
from ..wizard.steps import Step, checklist, wizard_queryset
from .access import deny, edit_guard, get_assessment_or_404, not_editable, posted_int
from .filing import filing_panel
from .tracking import after_decision

STALE_PAGE = gettext_lazy("This page is out of date. Reload it and try again.")


@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create(request.user):
        raise deny(request, None, "create")
    units = Unit.objects.filter(pk__in=sorted(permissions.creatable_unit_ids(request.user)))
    form = NewAssessmentForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        assessment = editing.assessment_create(
            author=request.user, request=request, **form.cleaned_data
        )
        messages.success(request, _("The assessment was created and saved."))
        target = "project" if request.POST.get("nav") == "save" else "contacts"
        return redirect("assessments:step", pk=assessment.pk, step=target)
    if request.method == "POST":
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
        for error in form.errors.get("owner_unit", []):
            messages.error(request, error)
    step = flow.get_step("project")
    return render(
        request,
        step.template,
        {
            "assessment": None,
            "step": step,
            "steps": flow.progress(None, step),
            "forms": {"form": form},
            "form_action": reverse("assessments:new"),
        },
    )


@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_or_404(request, pk, queryset=wizard_queryset())
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "report_html": preview_html(assessment),
            "can_edit": permissions.can_edit(request.user, assessment),
            "can_submit": permissions.can_submit(request.user, assessment),
            "can_copy": permissions.can_copy(request.user, assessment),
            "can_draft_pdf": assessment.status != Status.ISSUED,
            "resume_step": flow.resume_step(assessment),
            "can_open_review": permissions.can_open_review(request.user, assessment),
            "can_edit_publicity": permissions.can_edit_publicity(request.user, assessment),
            "today": timezone.localdate(),
            # The signed report, or how issuing it goes (polled by htmx while it runs).
            **issue_panel(request.user, assessment),
            **review_history(assessment),
            **after_decision(request.user, assessment),
            **filing_panel(request.user, assessment),
        },
    )


@require_POST
def assessment_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft holding this assessment's content (not its history, nor its evidence
    files); the user goes on in the new draft's wizard."""
    source = get_assessment_or_404(request, pk)
    if not permissions.can_copy(request.user, source):
        raise deny(request, source, "copy")
    try:
        copy = copying.assessment_copy(source=source, author=request.user, request=request)
    except ValidationError as error:
        # Saved under earlier limits or rules, the content no longer passes today's: nothing
        # was created (one transaction); the user is told what does not fit.
        messages.error(
            request,
            _("This assessment cannot be copied as it is: %(problems)s")
            % {"problems": "；".join(error.messages)},
        )
        return redirect(source)
    messages.success(
        request,
        _(
            "A new draft was created from “%(project)s”. Its report date is empty and its "
            "evidence files were not copied: upload them again where needed."
        )
        % {"project": source.project_name},
    )
    return redirect("assessments:step", pk=copy.pk, step="project")


@require_GET
def assessment_resume(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_or_404(request, pk, queryset=wizard_queryset())
    return redirect("assessments:step", pk=pk, step=flow.resume_step(assessment).slug)


@require_http_methods(["GET", "POST"])
def assessment_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    assessment = get_assessment_or_404(request, pk, queryset=wizard_queryset())
    current = flow.get_step(step, assessment)
    if current is None:
        raise Http404
    refusal = edit_guard(request, assessment)
    if refusal:
        return refusal
    missing = flow.first_missing_requirement(current, assessment)
    if missing is not None:
        messages.warning(
            request,
            _("Please complete “%(step)s” first.") % {"step": missing.title},
        )
        return redirect("assessments:step", pk=pk, step=missing.slug)

    conflict = None
    conflict_rows: list[dict] = []
    lock_version = assessment.lock_version
    if request.method == "POST":
        forms = current.forms(assessment, data=request.POST)
        # Every form is validated (no short-circuit), so every mistake is marked at once.
        valid = all([form.is_valid() for form in forms.values()])
        changes = current.changes(forms, valid)
        if changes is None:
            messages.error(request, _("Nothing was saved: please correct the marked fields."))
            lock_version = request.POST.get("lock_version", lock_version)
        else:
            try:
                saved = editing.assessment_save_step(
                    assessment=assessment,
                    expected_version=posted_int(request, "lock_version"),
                    apply=changes,
                    actor=request.user,
                    request=request,
                    step=current.slug,
                )
            except editing.StaleEdit as stale:
                conflict = stale.current
                conflict_rows = current.differences(wizard_queryset().get(pk=pk), forms)
                # Having seen both, saving again keeps the user's input over the other save.
                lock_version = stale.current.lock_version
            except editing.NotEditable as frozen:
                return not_editable(request, frozen.current)
            else:
                if valid:
                    # The saved copy: a change of mode changes which step comes next.
                    return _after_save(request, saved, current)
                # A draft keeps what is valid; only the marked fields still need attention.
                messages.error(
                    request, _("What is valid was saved. Please correct the marked fields.")
                )
                assessment = wizard_queryset().get(pk=pk)
                lock_version = saved.lock_version
    else:
        forms = current.forms(assessment, add_row=request.GET.get("add"))

    previous, following = flow.neighbours(current, assessment)
    context = {
        "assessment": assessment,
        "step": current,
        "steps": flow.progress(assessment, current),
        "previous": previous,
        "following": following,
        "forms": forms,
        "lock_version": lock_version,
        "conflict": conflict,
        "conflict_rows": conflict_rows,
        # Shown again after a refused save: what the form holds is not (all) saved.
        "unsaved_input": request.method == "POST",
        "form_action": reverse("assessments:step", kwargs={"pk": pk, "step": current.slug}),
        **current.context(assessment, request.user),
    }
    if assessment.status == Status.RETURNED:
        # The reviewer's comments stay in sight while the author revises.
        context.update(review_history(assessment))
    return render(request, current.template, context, status=409 if conflict else 200)


def _after_save(request: HttpRequest, assessment: Assessment, step: Step) -> HttpResponse:
    nav = request.POST.get("nav", "save")
    previous, following = flow.neighbours(step, assessment)
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
    assessment = get_assessment_or_404(request, pk, queryset=wizard_queryset())
    if not permissions.has_role(request.user, assessment.owner_unit_id, Role.ASSESSOR):
        raise deny(request, assessment, "submit")
    form = SubmitForm(request.POST)
    if not form.is_valid():
        if "lock_version" in form.errors:
            messages.error(request, STALE_PAGE)
        for error in form.errors.get("reply", []):
            messages.error(request, _("Not submitted: %(error)s") % {"error": error})
        return redirect("assessments:step", pk=pk, step="preview")
    try:
        workflow.assessment_submit(
            assessment=assessment,
            actor=request.user,
            request=request,
            expected_lock_version=form.cleaned_data["lock_version"],
            reply=form.cleaned_data["reply"],
        )
    except workflow.Incomplete:
        # The checklist, each item linking to its step — not one long sentence.
        return render(
            request,
            "assessments/submit_incomplete.html",
            {"assessment": assessment, "checklist": checklist(assessment)},
        )
    except workflow.TransitionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("assessments:step", pk=pk, step="preview")
    messages.success(request, _("Submitted for review. The content is read-only until returned."))
    return redirect(assessment.get_absolute_url())


@require_GET
def assessment_draft_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as it stands, as a PDF watermarked 草稿 and not signed: to read on paper or
    pass round before submitting. Anyone who may see the assessment may have it. Audited."""
    assessment = get_assessment_or_404(request, pk, queryset=wizard_queryset())
    try:
        pdf = render_pdf(
            assessment_content(assessment),
            draft_watermark=True,
            outline=live_outline(assessment),
        )
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
