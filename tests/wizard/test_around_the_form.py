"""Around the guided form: the draft PDF, the confirmation before submitting, the author's
reply to a return, and level names in the English interface."""

from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags
from pypdf import PdfReader

from assessments.models import AuditEvent, ReviewEvent, Status
from assessments.reports import verify as verification
from assessments.services import workflow

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
    assert verification.verify_pdf(pdf).kind == verification.VerdictKind.UNSIGNED
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

    # Read as text: the paragraph's last characters are held in a no-break span.
    assert "风险等级：低风险。评估建议：准予实施。" in strip_tags(preview.text)


def test_an_approval_comment_over_the_limit_is_refused_not_cut(
    client, assessor, reviewer, complete_draft
):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    client.force_login(reviewer)

    response = client.post(
        reverse("assessments:approve", args=[complete_draft.pk]),
        {"version": 1, "comment": "甲" * 2001},
        follow=True,
    )

    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.SUBMITTED
    # Beside the field, with the reviewer's text kept for shortening.
    assert "未批准：请修改标出的字段。" in response.text
    assert "不超过 2000 字符" in response.text
    assert response.context["approve_form"]["comment"].value() == "甲" * 2001


def test_a_conflict_on_the_contacts_step_shows_both_lists(client, assessor, second_assessor, draft):
    from django.test import Client

    rows = {
        "responsible-TOTAL_FORMS": "1",
        "responsible-INITIAL_FORMS": "0",
        "responsible-MIN_NUM_FORMS": "0",
        "responsible-MAX_NUM_FORMS": "1000",
        "evaluator-TOTAL_FORMS": "0",
        "evaluator-INITIAL_FORMS": "0",
        "evaluator-MIN_NUM_FORMS": "0",
        "evaluator-MAX_NUM_FORMS": "1000",
        "responsible-0-ORDER": "1",
    }
    url = reverse("assessments:step", kwargs={"pk": draft.pk, "step": "contacts"})
    stale = draft.lock_version
    other = Client()
    other.force_login(second_assessor)
    other.post(
        url,
        {
            **rows,
            "lock_version": stale,
            "nav": "save",
            "responsible-0-name": "甲",
            "responsible-0-phone": "13800000001",
        },
    )
    client.force_login(assessor)

    response = client.post(
        url,
        {
            **rows,
            "lock_version": stale,
            "nav": "save",
            "responsible-0-name": "乙",
            "responsible-0-phone": "13800000002",
        },
    )

    assert response.status_code == 409
    [row] = response.context["conflict_rows"]
    assert row["theirs"] == "甲 · 13800000001"
    assert row["yours"] == "乙 · 13800000002"
