"""Evidence attachments: judged by their content, capped in size, stored under their hash,
frozen into the version, downloadable by members of the unit only, audited."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from assessments import content
from assessments.models import Attachment, AuditAction, AuditEvent, Version, attachment_storage
from assessments.services import evidence, workflow
from tests.factories import complete_assessment, complete_standard, make_assessment

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, "PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\nxref\n0 1\ntrailer<<>>\nstartxref\n29\n%%EOF\n"


@pytest.fixture
def standard(assessor, unit, risk_scheme):
    return complete_standard(complete_assessment(make_assessment(unit=unit, author=assessor)))


def upload(client, assessment, name, data, section="activity", activity=None):
    if section == "activity" and activity is None:
        activity = assessment.activities.order_by("order").first().pk
    return client.post(
        reverse("assessments:attachment_upload", args=[assessment.pk]),
        {
            "section": section,
            "activity": activity or "",
            "file": SimpleUploadedFile(name, data),
        },
        follow=True,
    )


def test_a_pdf_is_attached_to_an_activity_and_frozen_by_hash(client, assessor, standard):
    client.force_login(assessor)
    before = standard.lock_version

    response = upload(client, standard, "公示照片.pdf", pdf_bytes())

    attachment = Attachment.objects.get(assessment=standard)
    assert "文件已上传" in response.text
    assert attachment.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    assert attachment.content_type == "application/pdf"
    assert evidence.read_verified(attachment.sha256) == pdf_bytes()
    assert type(standard).objects.get(pk=standard.pk).lock_version == before + 1
    frozen = content.assessment_content(type(standard).objects.get(pk=standard.pk))
    assert frozen["standard"]["attachments"] == [
        {
            "section": "activity",
            "activity": 1,
            "name": "公示照片.pdf",
            "content_type": "application/pdf",
            "size": len(pdf_bytes()),
            "sha256": attachment.sha256,
        }
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("会议纪要.pdf", png_bytes(), "文件名与文件内容不符"),  # a PNG named .pdf
        ("照片.png", b"MZ\x90\x00 not an image", "只能上传PDF、JPEG或PNG文件"),
        ("伪装.jpg", b"\xff\xd8\xff\xe0 truncated", "只能上传PDF、JPEG或PNG文件"),
        ("半截.pdf", b"%PDF-1.4\n no end", "只能上传PDF、JPEG或PNG文件"),
        ("脚本.html", b"<script>alert(1)</script>", "只能上传PDF、JPEG或PNG文件"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(
    client, assessor, standard, name, data, message
):
    client.force_login(assessor)

    response = upload(client, standard, name, data)

    assert message in response.text
    assert not Attachment.objects.exists()
    assert not attachment_storage().exists(evidence.storage_name(hashlib.sha256(data).hexdigest()))


@override_settings(ZHOUCUN_ATTACHMENT_MAX_BYTES=100)
def test_a_file_too_large_is_refused_and_nothing_stored(client, assessor, standard):
    client.force_login(assessor)

    response = upload(client, standard, "大图.png", png_bytes() + b"\0" * 200)

    assert "文件过大" in response.text
    assert not Attachment.objects.exists()


def test_only_members_of_the_unit_download_and_each_download_is_audited(
    client, assessor, reviewer, outsider, standard
):
    client.force_login(assessor)
    upload(client, standard, "专家签到表.png", png_bytes(), section="expert")
    sha = Attachment.objects.get().sha256
    url = reverse("assessments:attachment_download", args=[standard.pk, sha])

    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox"  # never run as a page
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, user=reviewer).count() == 1

    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_version_keeps_its_file_after_the_draft_drops_it(client, assessor, reviewer, standard):
    client.force_login(assessor)
    upload(client, standard, "决定.pdf", pdf_bytes(), section="decision")
    attachment = Attachment.objects.get()
    workflow.assessment_submit(assessment=standard, actor=assessor)
    workflow.assessment_return(assessment=standard, actor=reviewer, comment="请补充")

    client.post(
        reverse("assessments:attachment_remove", args=[standard.pk, attachment.pk]), follow=True
    )

    assert not Attachment.objects.exists()
    version = Version.objects.get(assessment=standard)
    assert version.content["standard"]["attachments"][0]["sha256"] == attachment.sha256
    url = reverse("assessments:attachment_download", args=[standard.pk, attachment.sha256])
    assert client.get(url).content == pdf_bytes()


def test_a_stored_file_changed_behind_our_back_is_refused(client, assessor, standard):
    client.force_login(assessor)
    upload(client, standard, "表.png", png_bytes(), section="expert")
    sha = Attachment.objects.get().sha256
    storage = attachment_storage()
    storage.delete(evidence.storage_name(sha))
    storage.save(evidence.storage_name(sha), io.BytesIO(b"tampered"))

    response = client.get(reverse("assessments:attachment_download", args=[standard.pk, sha]))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.REFUSED, success=False).exists()


def test_no_upload_once_submitted(client, assessor, standard):
    workflow.assessment_submit(assessment=standard, actor=assessor)
    client.force_login(assessor)

    upload(client, standard, "迟到.pdf", pdf_bytes())

    assert not Attachment.objects.exists()


def test_the_reviewer_finds_the_frozen_evidence_on_the_review_page(
    client, assessor, reviewer, standard
):
    client.force_login(assessor)
    upload(client, standard, "签到表.pdf", pdf_bytes())
    workflow.assessment_submit(assessment=standard, actor=assessor)
    sha = Attachment.objects.get().sha256

    client.force_login(reviewer)
    page = client.get(reverse("assessments:review", args=[standard.pk]))

    assert reverse("assessments:attachment_download", args=[standard.pk, sha]) in page.text


@pytest.fixture
def simple(assessor, unit, risk_scheme):
    return complete_assessment(make_assessment(unit=unit, author=assessor))


def test_a_simple_assessment_attaches_evidence_on_its_risk_step_and_lists_it_before_the_closing(
    client, assessor, simple
):
    from assessments.reports.context import render_report_body

    client.force_login(assessor)
    step = reverse("assessments:step", args=[simple.pk, "risks"])
    assert 'id="attachments"' in client.get(step).text

    response = upload(client, simple, "征求意见公告.png", png_bytes(), section="material")

    attachment = Attachment.objects.get(assessment=simple)
    assert response.redirect_chain[-1][0] == step
    assert "征求意见公告.png" in response.text and attachment.section == "material"
    report = render_report_body(content.assessment_content(simple))
    note = report.index("附件：1. 征求意见公告.png")
    assert attachment.sha256 in report
    assert note < report.index('class="report-closing"')


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("会议纪要.pdf", png_bytes(), "文件名与文件内容不符"),
        ("脚本.html", b"<script>alert(1)</script>", "只能上传PDF、JPEG或PNG文件"),
    ],
)
def test_simple_mode_evidence_is_sniffed_like_standard_evidence(
    client, assessor, simple, name, data, message
):
    client.force_login(assessor)

    response = upload(client, simple, name, data, section="material")

    assert message in response.text
    assert not Attachment.objects.exists()


@override_settings(ZHOUCUN_ATTACHMENT_MAX_BYTES=100)
def test_simple_mode_evidence_is_capped_in_size(client, assessor, simple):
    client.force_login(assessor)

    response = upload(client, simple, "大图.png", png_bytes() + b"\0" * 200, section="material")

    assert "文件过大" in response.text
    assert not Attachment.objects.exists()


def test_simple_mode_evidence_names_are_normalised(client, assessor, simple):
    client.force_login(assessor)

    upload(client, simple, "../../etc/会议纪要.png", png_bytes(), section="material")
    upload(client, simple, "会议\u202e纪要.png", png_bytes(), section="material")

    # The path is dropped and the bidirectional override never reaches the stored name.
    names = list(Attachment.objects.values_list("name", flat=True))
    assert names and set(names) == {"会议纪要.png"}
