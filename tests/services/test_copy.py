"""Starting a new draft from a past assessment (issue 18, point 6)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.common import files
from assessments.content import CONTENT_PREFETCH, assessment_content
from assessments.models import (
    Assessment,
    AuditAction,
    AuditEvent,
    ReportNumber,
    ReviewEvent,
    SignedReport,
    Status,
    Version,
)
from assessments.services import copying, editing, evidence, workflow
from tests.factories import complete_assessment, complete_standard
from tests.services.test_attachments import png_bytes

pytestmark = pytest.mark.django_db


def content_of(assessment: Assessment) -> dict:
    fresh = Assessment.objects.prefetch_related(*CONTENT_PREFETCH).get(pk=assessment.pk)
    return assessment_content(fresh)


@pytest.fixture
def source(draft, assessor, reviewer, risk_scheme):
    """A standard assessment with every record kind, submitted and approved: it has a
    version, review events and a report number that must not follow it into the copy."""
    complete_standard(complete_assessment(draft))
    editing.free_sections_update(assessment=draft, texts={"local_note": "本地要求的说明。"})
    editing.risk_points_replace(
        assessment=draft,
        rows=[
            {
                "description": "征地补偿争议",
                "category": "interests",
                "likelihood": 3,
                "impact": 4,
                "level_after": risk_scheme["low"],
                "mitigation": "公开补偿标准。",
                "responsible_party": "区住建局",
                "resolution_state": "in_progress",
                "resolution": "已召开听证会。",
            }
        ],
    )
    workflow.assessment_submit(assessment=draft, actor=assessor)
    workflow.assessment_approve(assessment=draft, actor=reviewer)
    return Assessment.objects.get(pk=draft.pk)


def test_the_copy_holds_the_sources_content_but_not_its_date_or_evidence(source, second_assessor):
    copy = copying.assessment_copy(source=source, author=second_assessor)

    original, copied = content_of(source), content_of(copy)
    assert original["report_date"] is not None
    assert copied["report_date"] is None
    assert copied["standard"]["attachments"] == []
    for content in (original, copied):
        content.pop("report_date")
        content["standard"].pop("attachments")
    assert copied == original
    # Rows are really there, and an opinion points at the copy's activity, not the source's.
    assert copy.risk_points.get().level_before is not None
    opinion = copy.opinions.exclude(activity=None).first()
    assert opinion is not None and opinion.activity.assessment_id == copy.pk


def test_the_copy_is_a_draft_without_history(source, second_assessor):
    assert ReportNumber.objects.filter(assessment=source).exists()
    copy = copying.assessment_copy(source=source, author=second_assessor)

    assert copy.status == Status.DRAFT
    assert copy.author == second_assessor
    assert copy.owner_unit_id == source.owner_unit_id
    assert copy.lock_version == 1
    assert not Version.objects.filter(assessment=copy).exists()
    assert not ReviewEvent.objects.filter(assessment=copy).exists()
    assert not SignedReport.objects.filter(assessment=copy).exists()
    assert not ReportNumber.objects.filter(assessment=copy).exists()


def test_evidence_files_are_left_out(draft, assessor, second_assessor, risk_scheme):
    evidence.attachment_add(
        assessment=draft,
        actor=assessor,
        section="material",
        activity=None,
        name="公示.png",
        data=png_bytes(),
        file_type=files.PNG,
    )
    assert draft.attachments.count() == 1

    copy = copying.assessment_copy(source=draft, author=second_assessor)

    assert copy.attachments.count() == 0


def test_the_copy_is_audited_naming_its_source(source, second_assessor):
    copy = copying.assessment_copy(source=source, author=second_assessor)

    event = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_id=str(copy.pk), object_type="assessments.assessment"
    )
    assert event.user == second_assessor
    assert event.detail == f"copied from assessment {source.pk}"


def test_the_copy_runs_a_bounded_number_of_queries(source, second_assessor, risk_scheme):
    """Every copied row is validated as a typed one (its constraints are checked), so the
    queries grow with the rows: by a fixed number per row (about 19 for a risk point, whose
    six constraints are each checked in a savepoint), never with the size of other data. A
    complete standard assessment stays under 300."""

    def queries_to_copy() -> int:
        with CaptureQueriesContext(connection) as run:
            copying.assessment_copy(source=source, author=second_assessor)
        return len(run.captured_queries)

    complete = queries_to_copy()
    point = {
        "description": "风险",
        "category": "safety",
        "likelihood": 2,
        "impact": 2,
        "level_after": risk_scheme["low"],
        "mitigation": "措施",
    }
    Assessment.objects.filter(pk=source.pk).update(status=Status.DRAFT)
    editing.risk_points_replace(assessment=source, rows=[point] * 11)
    grown = queries_to_copy()

    assert complete <= 300
    assert grown - complete <= 10 * 20  # ten more risk points, each checked like a typed one


def test_the_button_copies_and_opens_the_new_drafts_wizard(client, source, second_assessor):
    client.force_login(second_assessor)
    page = client.get(source.get_absolute_url())
    assert reverse("assessments:copy", kwargs={"pk": source.pk}) in page.content.decode()

    response = client.post(reverse("assessments:copy", kwargs={"pk": source.pk}), follow=True)

    copy = Assessment.objects.exclude(pk=source.pk).get()
    assert response.redirect_chain[0][0] == reverse(
        "assessments:step", kwargs={"pk": copy.pk, "step": "project"}
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [
        f"已以“{source.project_name}”为基础新建草稿。报告日期留空，佐证材料未复制，如需要请重新上传。"
    ]


def test_get_is_refused(client, source, second_assessor):
    client.force_login(second_assessor)
    response = client.get(reverse("assessments:copy", kwargs={"pk": source.pk}))
    assert response.status_code == 405
    assert Assessment.objects.count() == 1


def test_another_units_assessment_is_404(client, source, outsider):
    client.force_login(outsider)
    response = client.post(reverse("assessments:copy", kwargs={"pk": source.pk}))
    assert response.status_code == 404
    assert Assessment.objects.count() == 1


def test_a_reviewer_who_may_not_create_is_refused(client, source, reviewer):
    client.force_login(reviewer)
    assert (
        reverse("assessments:copy", kwargs={"pk": source.pk})
        not in client.get(source.get_absolute_url()).content.decode()
    )
    response = client.post(reverse("assessments:copy", kwargs={"pk": source.pk}))
    assert response.status_code == 403
    assert Assessment.objects.count() == 1


def test_the_form_needs_the_csrf_token(source, second_assessor):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(second_assessor)
    response = client.post(reverse("assessments:copy", kwargs={"pk": source.pk}))
    assert response.status_code == 403
    assert Assessment.objects.count() == 1


def test_content_that_no_longer_passes_todays_rules_is_refused_with_a_message(
    client, source, second_assessor, monkeypatch
):
    from django.core.exceptions import ValidationError

    from assessments.models import Assessment

    # A source saved under earlier rules: its risk points no longer validate. The copy's
    # draft was already created when they are refused, so this also shows the rollback.
    def refuse(**kwargs):
        raise ValidationError("风险点不符合现行规则")

    monkeypatch.setattr(copying.editing, "risk_points_replace", refuse)
    before = Assessment.objects.count()
    client.force_login(second_assessor)

    response = client.post(reverse("assessments:copy", kwargs={"pk": source.pk}), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == source.get_absolute_url()
    assert "此评估无法按原样复制：风险点不符合现行规则" in response.content.decode()
    assert Assessment.objects.count() == before
