"""The public verification page: one true sentence per uploaded file, and nothing of the
internal review on the report's own page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.content import assessment_content
from assessments.demo import load_demo, load_demo_spec
from assessments.issuing import tasks
from assessments.models import Assessment, Status
from assessments.reports import pki, sign, storage
from assessments.reports.render import render_pdf

pytestmark = pytest.mark.django_db

REFERENCE_PROJECT = "《周村区新型智慧城市顶层设计》"


@pytest.fixture
def issued():
    load_demo(passwords={u["username"]: "Demo-pass-1" for u in load_demo_spec()["users"]})
    assessment = Assessment.objects.get(project_name=REFERENCE_PROJECT)
    return tasks.issue_report(assessment_id=assessment.pk)


def check(client, data: bytes, token: str | None = None):
    url = reverse("verify", args=[token]) if token else reverse("verify_upload")
    upload = SimpleUploadedFile("r.pdf", data, content_type="application/pdf")
    response = client.post(url, {"pdf": upload})
    assert response.status_code == 200
    return response


def flip_one_byte(pdf: bytes) -> bytes:
    data = bytearray(pdf)
    data[len(data) // 3] ^= 0x01
    return bytes(data)


def test_the_issued_file_is_genuine_and_identical(client, issued):
    response = check(client, storage.read_report_bytes(issued.sha256))

    signer = pki.signer_identity().name
    assert response.context["outcome"].message == (
        f"真实有效：与已签发报告 {issued.report_number} 完全一致，电子签名有效（{signer}）。"
    )
    assert response.context["outcome"].ok


@pytest.mark.parametrize(
    "data",
    [b"hello, not a pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 200, b"%PDF-1.7\n" + b"\xff" * 500],
    ids=["text", "png", "pdf-header-only"],
)
def test_a_file_that_is_not_a_pdf_is_told_so_and_nothing_else(client, issued, data):
    response = check(client, data)

    assert response.context["outcome"].message == "该文件不是PDF文件，或已损坏无法读取。"
    assert "Error" not in response.text and "文件已被修改" not in response.text


def test_an_unsigned_pdf_is_told_it_has_no_signature(client, issued):
    pdf = render_pdf(issued.version.content)

    response = check(client, pdf)

    assert response.context["outcome"].message == ("该PDF文件没有电子签名，不是本系统签发的报告。")


@pytest.mark.parametrize("change", ["flip", "append"])
def test_a_file_changed_after_signing_is_told_it_was_modified_not_untrusted(client, issued, change):
    pdf = storage.read_report_bytes(issued.sha256)
    changed = flip_one_byte(pdf) if change == "flip" else pdf + b"\n% appended\n"

    response = check(client, changed)

    assert response.context["outcome"].message == (
        "该PDF文件在签名后被修改过，所显示的内容并非签名时的内容。"
    )
    assert "信任" not in response.context["outcome"].message


def test_a_file_signed_by_a_certificate_we_do_not_trust_is_told_so(
    client, issued, settings, tmp_path
):
    other_root, _p12 = pki.create_dev_ca(tmp_path, organisation="别处", password="x-Other-1")
    settings.ZHOUCUN_TRUST_ROOTS = str(other_root)

    response = check(client, storage.read_report_bytes(issued.sha256))

    assert response.context["outcome"].message == (
        "该PDF文件带有电子签名，但签名证书不受本系统信任，不是本系统签发的报告。"
    )


def test_a_genuinely_signed_file_that_was_never_issued_here_is_told_so(client, issued):
    content = assessment_content(Assessment.objects.exclude(status=Status.ISSUED).first())
    other = sign.sign_pdf(render_pdf(content), reason="test", location="test")

    response = check(client, other)
    on_page = check(client, other, token=issued.verification_token)

    signer = pki.signer_identity().name
    assert response.context["outcome"].message == (
        f"电子签名真实有效（{signer}），但该文件不是本系统签发的任何一份报告。"
    )
    assert on_page.context["outcome"].message == (
        f"电子签名真实有效（{signer}），但该文件不是报告 {issued.report_number}。"
    )


def test_the_public_page_shows_only_what_proves_the_report(client, issued):
    response = client.get(reverse("verify", args=[issued.verification_token]))

    assert response.status_code == 200
    for fact in (
        issued.report_number,
        REFERENCE_PROJECT,
        "周村区大数据局",
        issued.signed_at.astimezone().strftime("%Y-%m-%d"),
        issued.signer,
        issued.sha256,
    ):
        assert fact in response.text
    # No staff: not the approver, the author or anyone else; no review history.
    for name in ("王建国", "张晓明", "刘芳", "赵静", "孙立新"):
        assert name not in response.text
    for status in Status:
        if status != Status.ISSUED:
            assert str(status.label) not in response.text
    assert "events" not in response.context


def test_an_unknown_token_is_the_products_404_page(client, issued, settings):
    response = client.get(reverse("verify", args=["no-such-token"]))

    assert response.status_code == 404
    assert "页面不存在" in response.text


def test_without_a_trust_root_an_unknown_file_is_a_warning_not_a_verdict(client, issued, settings):
    signed_elsewhere = sign.sign_pdf(render_pdf(issued.version.content), reason="t", location="t")
    settings.ZHOUCUN_TRUST_ROOTS = "/nonexistent/root.pem"

    response = check(client, signed_elsewhere)

    outcome = response.context["outcome"]
    assert outcome.message == "无法核验签名：尚未配置受信任的根证书。"
    assert outcome.level == "warning"
