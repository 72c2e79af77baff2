"""The issued reference report as a real PDF: text, fonts, signature, tampering, safety."""

import hashlib
import re
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from assessments.content import assessment_content
from assessments.demo import load_demo, load_demo_spec
from assessments.issuing import tasks
from assessments.models import Assessment, AuditAction, AuditEvent, SignedReport, Status
from assessments.ops.checks import check_pdf_prerequisites
from assessments.reports import pki
from assessments.reports import verify as verification
from assessments.reports.render import ReportRenderError, StaticOnlyFetcher, render_pdf
from assessments.reports.storage import read_report_bytes
from assessments.services import numbers
from tests.reference import missing_in_order, reference_paragraphs

pytestmark = pytest.mark.django_db

REFERENCE_PROJECT = "《周村区新型智慧城市顶层设计》"


@pytest.fixture
def demo():
    load_demo(passwords={u["username"]: "Demo-pass-1" for u in load_demo_spec()["users"]})


@pytest.fixture
def issued(demo) -> SignedReport:
    assessment = Assessment.objects.get(project_name=REFERENCE_PROJECT)
    assert assessment.status == Status.APPROVED  # the test transaction holds back on_commit
    return tasks.issue_report(assessment_id=assessment.pk)


def stored(report: SignedReport) -> bytes:
    return read_report_bytes(report.sha256)


def pdf_text(pdf: bytes) -> str:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"—\s*\d+\s*—", "", text)  # page numbers sit between the lines of a page


def pdffonts(pdf: bytes) -> list[list[str]]:
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout
    return [line.split() for line in out.decode().splitlines()[2:] if line.strip()]


def test_the_issued_report_holds_every_paragraph_of_the_reference_in_order(issued):
    text = pdf_text(stored(issued))

    assert missing_in_order(reference_paragraphs(), text) == []
    assert issued.report_number in text


def test_the_text_check_notices_a_missing_paragraph(issued):
    text = pdf_text(stored(issued)).replace("可行性", "")

    assert missing_in_order(reference_paragraphs(), text) != []


def test_only_embedded_subset_cjk_fonts_are_used(issued):
    rows = pdffonts(stored(issued))
    names = " ".join(row[0] for row in rows)

    assert rows
    for row in rows:
        emb, sub = row[-5], row[-4]
        assert (emb, sub) == ("yes", "yes"), row
    for family in ("Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC", "LXGW-WenKai"):
        assert family in names


def test_the_signature_is_intact_trusted_and_covers_the_whole_file(issued):
    verdict = verification.verify_pdf(stored(issued))

    assert verdict.valid
    assert verdict.signer == pki.signer_identity().name
    assert issued.sha256 == hashlib.sha256(stored(issued)).hexdigest()


def test_the_signature_reason_names_the_approver(issued):
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = PdfFileReader(BytesIO(stored(issued))).embedded_signatures[0]

    assert "王建国" in str(signature.sig_object["/Reason"])


def flip_one_byte(pdf: bytes) -> bytes:
    data = bytearray(pdf)
    data[len(data) // 3] ^= 0x01
    return bytes(data)


def test_one_changed_byte_fails_verification(issued):
    verdict = verification.verify_pdf(flip_one_byte(stored(issued)))

    assert not verdict.valid
    assert not verdict.intact


def test_the_verify_command_accepts_the_issued_file_and_rejects_a_changed_one(issued, tmp_path):
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(stored(issued))
    bad.write_bytes(flip_one_byte(stored(issued)))

    call_command("verify_report", str(good), stdout=open("/dev/null", "w"))  # noqa: SIM115
    with pytest.raises(CommandError, match="NOT VALID"):
        call_command("verify_report", str(bad), stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_content_appended_after_signing_is_detected(issued):
    verdict = verification.verify_pdf(stored(issued) + b"\n% appended\n")

    assert not verdict.valid


def test_a_signature_from_another_ca_is_not_trusted(issued, tmp_path, settings):
    other_root, _p12 = pki.create_dev_ca(tmp_path, organisation="别处", password="x-Other-1")
    settings.ZHOUCUN_TRUST_ROOTS = str(other_root)

    verdict = verification.verify_pdf(stored(issued))

    assert verdict.intact and not verdict.trusted and not verdict.valid


def test_the_verification_page_needs_no_login_and_shows_the_facts(client, issued):
    response = client.get(reverse("verify", args=[issued.verification_token]))

    assert response.status_code == 200
    for fact in (
        issued.report_number,
        REFERENCE_PROJECT,
        "周村区大数据局",
        issued.sha256,
    ):
        assert fact in response.text
    assert "王建国" not in response.text  # the approver is internal: see test_verification


def test_uploading_the_issued_file_says_identical_and_valid(client, issued):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("r.pdf", stored(issued), content_type="application/pdf")
    response = client.post(reverse("verify", args=[issued.verification_token]), {"pdf": upload})

    assert response.context["identical"] is True
    assert response.context["verdict"].valid
    assert "完全一致" in response.text


def test_uploading_a_changed_file_says_not_identical_and_invalid(client, issued):
    from django.core.files.uploadedfile import SimpleUploadedFile

    changed = flip_one_byte(stored(issued))
    upload = SimpleUploadedFile("r.pdf", changed, content_type="application/pdf")
    response = client.post(reverse("verify_upload"), {"pdf": upload})

    assert response.context["identical"] is False
    assert not response.context["verdict"].valid
    assert "签名后被修改过" in response.text


def test_an_oversized_upload_is_refused_and_nothing_is_kept(client, issued, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ZHOUCUN_VERIFY_UPLOAD_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 4096)
    response = client.post(reverse("verify_upload"), {"pdf": upload})

    assert response.status_code == 413
    assert "大于" in response.text


def test_a_clerk_downloads_the_stored_file_and_it_is_audited(client, issued):
    from django.contrib.auth import get_user_model

    clerk = get_user_model().objects.get(username="clerk")
    client.force_login(clerk)

    response = client.get(reverse("assessments:download", args=[issued.assessment_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == stored(issued)
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, user=clerk).count() == 1


@pytest.mark.parametrize(("username", "status"), [("assessor_zd", 404), ("reviewer", 200)])
def test_download_access(client, issued, username, status):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))

    response = client.get(reverse("assessments:download", args=[issued.assessment_id]))

    assert response.status_code == status


def test_the_issued_pdf_is_never_rewritten_in_place(issued):
    again = tasks.issue_report(assessment_id=issued.assessment_id)

    assert again.pk == issued.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        SignedReport.objects.filter(pk=issued.pk).update(sha256="0" * 64)


def test_report_numbers_count_up_per_unit_and_year(demo):
    # 2030: a year in which the demo's approvals took no number.
    from assessments.models import Unit

    unit = Unit.objects.get(code="zhoucun-bdb")
    first = numbers.next_report_number(unit, 2030)
    second = numbers.next_report_number(unit, 2030)

    assert (first, second) == ((1, "周大数稳评〔2030〕1号"), (2, "周大数稳评〔2030〕2号"))


def test_two_units_each_issue_their_first_report_under_their_own_prefix(demo):
    from assessments.models import Unit

    taken = [
        numbers.next_report_number(Unit.objects.get(code=code), 2030)[1]
        for code in ("zhoucun-bdb", "zhangdian-bdb")
    ]

    assert taken == ["周大数稳评〔2030〕1号", "张大数稳评〔2030〕1号"]


def test_a_unit_without_a_prefix_cannot_take_a_number(demo):
    from assessments.models import Unit

    unit = Unit.objects.get(code="zhangdian-bdb")
    unit.report_prefix = ""
    unit.save()

    with pytest.raises(numbers.NoReportPrefix):
        numbers.next_report_number(unit, 2030)


def test_two_units_cannot_share_a_prefix(demo):
    from assessments.models import Unit

    unit = Unit.objects.get(code="zhangdian-bdb")
    unit.report_prefix = "周大数稳评"

    with pytest.raises(IntegrityError), transaction.atomic():
        unit.save()


def test_a_failed_issue_leaves_the_assessment_approved_with_the_error_and_can_be_retried(
    demo, settings, client
):
    from django.contrib.auth import get_user_model

    assessment = Assessment.objects.get(project_name=REFERENCE_PROJECT)
    good = settings.ZHOUCUN_SIGNING_P12
    settings.ZHOUCUN_SIGNING_P12 = "/nonexistent/signer.p12"

    with pytest.raises(pki.SigningNotConfigured):
        tasks.issue_report(assessment_id=assessment.pk)

    assessment.refresh_from_db()
    assert assessment.status == Status.APPROVED
    assert not SignedReport.objects.exists()
    assert "No signing certificate" in assessment.issue_failures.get().error

    settings.ZHOUCUN_SIGNING_P12 = good
    client.force_login(get_user_model().objects.get(username="reviewer"))
    client.post(reverse("assessments:retry_issue", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.status == Status.ISSUED


HOSTILE = [
    '<img src="file:///etc/passwd">',
    "http://127.0.0.1:9/x",
    "http://169.254.169.254/",
    '<a rel="attachment" href="file:///etc/passwd">x</a>',
]


def test_hostile_field_content_is_printed_as_text_and_nothing_outside_static_is_fetched(demo):
    assessment = Assessment.objects.get(project_name=REFERENCE_PROJECT)
    content = assessment_content(assessment)
    content["basic_situation"] = "\n".join(HOSTILE)
    content["project_name"] = HOSTILE[0]
    content["conclusion"] = HOSTILE[2]
    fetcher = StaticOnlyFetcher()

    pdf = render_pdf(content, fetcher=fetcher)

    text = pdf_text(pdf)
    for item in HOSTILE[:3]:
        assert item in re.sub(r"\s+", "", text) or item.replace(" ", "") in re.sub(r"\s+", "", text)
    assert fetcher.refused == []
    assert all(url.startswith(StaticOnlyFetcher().root.as_uri()) for url in fetcher.fetched)
    assert b"/EmbeddedFile" not in pdf


def test_the_fetcher_itself_refuses_everything_outside_static(tmp_path, monkeypatch):
    fetcher = StaticOnlyFetcher()
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    link = tmp_path / "static"
    link.mkdir()
    (link / "escape.css").symlink_to(outside)
    monkeypatch.setattr(fetcher, "root", link.resolve())

    for url in [
        "file:///etc/passwd",
        f"{link.as_uri()}/../secret.txt",
        f"{link.as_uri()}/escape.css",
        "http://127.0.0.1:9/x",
        "http://169.254.169.254/latest/meta-data/",
        "ftp://example.invalid/x",
    ]:
        with pytest.raises(ValueError, match="not allowed"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 6


def test_html_that_asks_for_local_files_gets_none_of_them():
    from weasyprint import HTML

    fetcher = StaticOnlyFetcher()
    html = (
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<img src="file:///etc/passwd"><img src="http://169.254.169.254/">'
        '<a rel="attachment" href="file:///etc/passwd">a</a><p>正文</p>'
    )

    pdf = HTML(string=html, base_url="file:///", url_fetcher=fetcher).write_pdf()

    assert b"root:x:0:0" not in pdf
    assert b"/EmbeddedFile" not in pdf
    assert set(fetcher.refused) == {"file:///etc/passwd", "http://169.254.169.254/"}


def test_characters_the_font_lacks_are_a_clear_error(demo, monkeypatch):
    from assessments.common import fonts

    assessment = Assessment.objects.get(project_name=REFERENCE_PROJECT)
    content = assessment_content(assessment)
    monkeypatch.setattr(
        fonts, "font_characters", lambda family: frozenset(map(ord, "周村区大数据局"))
    )

    with pytest.raises(ReportRenderError, match="无法打印"):  # the unprintable-message
        render_pdf(content)


def test_rare_name_characters_are_covered_by_the_report_font():
    from assessments.common.fonts import BODY_FONT, font_characters

    covered = font_characters(BODY_FONT)

    assert all(ord(ch) in covered for ch in "喆堃珺镕昇")


def test_startup_checks_report_a_missing_font_and_a_missing_harfbuzz(monkeypatch):
    from assessments.ops import checks

    assert check_pdf_prerequisites() == []
    monkeypatch.setattr(checks, "font_file", lambda family: None)
    monkeypatch.setattr(checks.ctypes.util, "find_library", lambda name: None)

    ids = {error.id for error in check_pdf_prerequisites()}

    assert ids == {"zhoucun.E001", "zhoucun.E002"}


def test_render_report_writes_a_watermarked_draft(demo, tmp_path):
    draft = Assessment.objects.filter(status=Status.SUBMITTED).first()
    output = tmp_path / "draft.pdf"

    call_command("render_report", draft.pk, str(output), stdout=open("/dev/null", "w"))  # noqa: SIM115

    from pypdf import PdfReader

    # pdftotext leaves out rotated text, so the watermark is read with pypdf.
    assert "草稿" in PdfReader(output).pages[1].extract_text()
    assert draft.project_name in re.sub(r"\s+", "", pdf_text(output.read_bytes()))


def test_an_uploaded_seal_image_appears_beside_the_signature_block(demo, client):
    from io import BytesIO

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from assessments.models import Seal, Unit

    png = BytesIO()
    Image.new("RGB", (40, 40), "red").save(png, format="PNG")
    client.force_login(get_user_model().objects.get(username="admin"))
    unit = Unit.objects.get(code="zhoucun-bdb")
    # Through unit administration, where every seal is checked and the change audited.
    client.post(
        reverse("units:settings", args=[unit.pk]),
        {
            "report_prefix": unit.report_prefix,
            "seal": SimpleUploadedFile("seal.png", png.getvalue()),
        },
    )
    seal = Seal.objects.get(unit=unit)
    assert seal.content_type == "image/png"

    reference = Assessment.objects.get(project_name=REFERENCE_PROJECT)
    report = tasks.issue_report(assessment_id=reference.pk)

    images = subprocess.run(
        ["pdfimages", "-list", "-"], input=stored(report), capture_output=True, check=True
    ).stdout.decode()
    assert " 40    40 " in images or "   40    40" in images


def test_a_file_that_is_not_an_image_is_refused_as_a_seal(demo, client):
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.models import Seal, Unit

    client.force_login(get_user_model().objects.get(username="admin"))
    unit = Unit.objects.get(code="zhoucun-bdb")
    demo_seal = bytes(Seal.objects.get(unit=unit).image)  # the demo units have a demo seal
    response = client.post(
        reverse("units:settings", args=[unit.pk]),
        {
            "report_prefix": unit.report_prefix,
            "seal": SimpleUploadedFile("seal.png", b"<svg>not a png</svg>"),
        },
    )

    assert "这不是 PNG 或 JPEG 图片" in response.text
    assert bytes(Seal.objects.get(unit=unit).image) == demo_seal  # nothing replaced


def test_without_a_trust_root_the_page_says_it_cannot_check_not_that_the_file_is_bad(
    client, issued, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ZHOUCUN_TRUST_ROOTS = "/nonexistent/root.pem"
    upload = SimpleUploadedFile("r.pdf", stored(issued), content_type="application/pdf")
    response = client.post(reverse("verify_upload"), {"pdf": upload})

    assert response.status_code == 200
    assert response.context["identical"] is True
    assert "无法核验签名" in response.text
    assert "电子签名无效" not in response.text


def test_a_malformed_content_length_is_a_bad_request_not_an_error(client, issued):
    response = client.post(reverse("verify_upload"), CONTENT_LENGTH="abc")

    assert response.status_code == 400


def test_staff_with_every_model_permission_still_cannot_open_the_admin(client, issued):
    from django.contrib.auth.models import Permission

    from assessments.models import AuditEvent, Role, Unit
    from tests.factories import make_user

    other = make_user(
        "zd_admin",
        roles=[Role.UNIT_ADMIN],
        units=[Unit.objects.get(code="zhangdian-bdb")],
        is_staff=True,
    )
    other.user_permissions.set(Permission.objects.all())
    client.force_login(other)

    pages = [
        client.get(reverse(name))
        for name in (
            "admin:index",
            "admin:assessments_version_changelist",
            "admin:assessments_signedreport_changelist",
            "admin:assessments_auditevent_changelist",
        )
    ]

    assert [page.status_code for page in pages] == [403] * 4
    assert all(issued.report_number not in page.text for page in pages)
    assert (
        AuditEvent.objects.filter(
            username="zd_admin", action="permission_denied", success=False
        ).count()
        == 4
    )


def test_the_signature_field_lies_over_the_closing_on_the_last_page(issued):
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(stored(issued)))
    last = reader.pages[-1]
    widgets = [a.get_object() for a in last.get("/Annots", []) if a.get_object().get("/FT")]
    assert [w["/FT"] for w in widgets] == ["/Sig"]
    left, bottom, right, top = (float(v) for v in widgets[0]["/Rect"])
    width, height = float(last.mediabox.width), float(last.mediabox.height)
    assert 0 < left < right < width and 0 < bottom < top < height
    # The 落款 (unit, date, seal) in the right part of the text block, not a dot.
    assert left > width / 3 and right - left > 150 and top - bottom > 40
    text = last.extract_text()
    assert "周村区大数据局" in text and "2021年9月17日" in text
    assert "签发信息" in text and issued.report_number in text
