"""Around the guided form: the draft PDF, the confirmation before submitting, the author's
reply to a return, and level names in the English interface."""

from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from assessments import signing, workflow
from assessments.models import AuditEvent, ReviewEvent, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(complete_draft, assessor, reviewer):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    workflow.assessment_return(
        assessment=complete_draft, actor=reviewer, comment="请补充风险点的化解措施。"
    )
    complete_draft.refresh_from_db()
    return complete_draft


def test_the_draft_pdf_is_watermarked_unsigned_private_and_audited(client, assessor, draft):
    client.force_login(assessor)

    response = client.get(reverse("assessments:draft_pdf", args=[draft.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    pdf = response.content
    assert all("草稿" in page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert signing.verify_pdf(pdf).kind == signing.VerdictKind.UNSIGNED
    assert AuditEvent.objects.filter(action="download", object_id=str(draft.pk)).exists()


def test_another_units_draft_pdf_is_a_404(client, outsider, draft):
    client.force_login(outsider)

    response = client.get(reverse("assessments:draft_pdf", args=[draft.pk]))

    assert response.status_code == 404


def test_the_preview_and_the_detail_page_offer_the_draft_pdf(client, assessor, complete_draft):
    client.force_login(assessor)
    url = reverse("assessments:draft_pdf", args=[complete_draft.pk])

    preview = client.get(
        reverse("assessments:step", kwargs={"pk": complete_draft.pk, "step": "preview"})
    )
    detail = client.get(reverse("assessments:detail", args=[complete_draft.pk]))

    assert f'href="{url}"' in preview.text
    assert f'href="{url}"' in detail.text


def test_submitting_asks_for_confirmation_first(client, assessor, complete_draft):
    client.force_login(assessor)

    preview = client.get(
        reverse("assessments:step", kwargs={"pk": complete_draft.pk, "step": "preview"})
    )

    assert 'data-confirm="确定提交审核吗？' in preview.text
    assert "js/confirm.js" in preview.text


def test_a_resubmission_carries_the_authors_reply_to_review_and_timeline(
    client, assessor, reviewer, returned
):
    client.force_login(assessor)
    preview = client.get(reverse("assessments:step", kwargs={"pk": returned.pk, "step": "preview"}))
    assert "对审核意见的答复" in preview.text

    client.post(
        reverse("assessments:submit", args=[returned.pk]),
        {"lock_version": returned.lock_version, "reply": "已补充第2项风险点的化解措施。"},
    )

    event = ReviewEvent.objects.filter(assessment=returned).latest("created_at", "id")
    assert (event.from_status, event.to_status) == (Status.RETURNED, Status.SUBMITTED)
    assert event.comment == "已补充第2项风险点的化解措施。"
    client.force_login(reviewer)
    review = client.get(reverse("assessments:review", args=[returned.pk]))
    assert review.context["latest_reply"] == event
    assert "请补充风险点的化解措施。" in review.text
    assert "对审核意见的答复：" in review.text  # the timeline labels the reply


def test_a_first_submission_has_no_reply_field(client, assessor, complete_draft):
    client.force_login(assessor)

    preview = client.get(
        reverse("assessments:step", kwargs={"pk": complete_draft.pk, "step": "preview"})
    )

    assert 'name="reply"' not in preview.text


def test_level_names_follow_the_interface_language(client, assessor, complete_draft):
    client.force_login(assessor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    english = client.get(
        reverse("assessments:step", kwargs={"pk": complete_draft.pk, "step": "conclusion"})
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get(
        reverse("assessments:step", kwargs={"pk": complete_draft.pk, "step": "conclusion"})
    )

    assert ">Low</option>" in english.text and ">低</option>" not in english.text
    assert ">低</option>" in chinese.text


def test_the_report_keeps_the_schemes_own_level_names_in_any_language(
    client, assessor, complete_draft
):
    client.force_login(assessor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    preview = client.get(
        reverse("assessments:step", kwargs={"pk": complete_draft.pk, "step": "preview"})
    )

    assert "风险等级：低风险。评估建议：准予实施。" in preview.text
