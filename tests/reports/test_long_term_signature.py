"""Long-term signatures: issued reports are PDF/A-2b, signed PAdES B-LTA (RFC 3161 timestamp,
validation data in a DSS, a document timestamp over all), and check out offline — asserted
with pyHanko itself, not with our own verifier alone. No PDF/A validator is installable
here, so the PDF/A structure is checked part by part."""

import re
import socket
import subprocess
from io import BytesIO

import pytest
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel
from weasyprint import HTML

from assessments.issuing import tasks
from assessments.issuing.tasks import approve_and_issue
from assessments.models import IssueFailure, SignedReport, Status
from assessments.reports import pki, sign, storage
from assessments.reports.verify import VerdictKind, verify_pdf
from assessments.services import workflow
from tests.factories import complete_assessment, make_assessment
from tests.issuing.test_worker import DB_QUEUE

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(unit, assessor, reviewer, risk_scheme):
    assessment = complete_assessment(
        make_assessment(unit=unit, author=assessor, project_name="古商城道路改造")
    )
    workflow.assessment_submit(assessment=assessment, actor=assessor)
    return approve_and_issue(assessment=assessment, actor=reviewer)


@pytest.fixture
def issued_pdf(approved) -> bytes:
    report = tasks.issue_report(assessment_id=approved.pk)
    return storage.read_report_bytes(report.sha256)


@pytest.fixture
def tsa_down():
    """A TSA address where nothing answers: a port bound but never listening."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        with override_settings(ZHOUCUN_TSA_URL=f"http://127.0.0.1:{port}/tsa"):
            yield


def offline_context(reader: PdfFileReader):
    """The file's own DSS and the trust roots, nothing fetched, revocation data required:
    valid here means valid from the embedded data alone."""
    return DocumentSecurityStore.read_dss(reader).as_validation_context(
        {"trust_roots": pki.trust_roots(), "allow_fetching": False, "revocation_mode": "require"}
    )


def test_an_issued_report_is_pades_b_lta_and_valid_offline(issued_pdf):
    reader = PdfFileReader(BytesIO(issued_pdf))
    (signature,) = reader.embedded_regular_signatures
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"

    status = validate_pdf_signature(
        signature, offline_context(reader), ts_validation_context=offline_context(reader)
    )

    assert status.bottom_line, status.pretty_print_details()
    assert status.intact and status.valid and status.trusted
    # The signature timestamp (B-T) is an RFC 3161 token from the configured TSA.
    token = status.timestamp_validity
    assert token is not None and token.intact and token.valid and token.trusted
    # Only validation data and a document timestamp follow the signed revision.
    assert status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert status.modification_level == ModificationLevel.LTA_UPDATES
    assert status.docmdp_ok
    # B-LT: the DSS holds the certificates and the OCSP answers for signer and TSA.
    dss = reader.root["/DSS"]
    assert len(dss["/Certs"]) >= 3 and len(dss["/OCSPs"]) >= 2
    # B-LTA: a document timestamp over the whole file, itself valid offline.
    (archive,) = reader.embedded_timestamp_signatures
    assert archive.evaluate_signature_coverage() == SignatureCoverageLevel.ENTIRE_FILE
    archive_status = validate_pdf_timestamp(archive, offline_context(reader))
    assert archive_status.intact and archive_status.valid and archive_status.trusted

    verdict = verify_pdf(issued_pdf)
    assert verdict.kind == VerdictKind.GENUINE
    assert verdict.timestamp == token.timestamp and verdict.long_term


def test_an_issued_report_is_pdf_a_2b_with_every_font_embedded_and_no_encryption(issued_pdf):
    reader = PdfFileReader(BytesIO(issued_pdf))

    assert issued_pdf.startswith(b"%PDF-1.7")
    # PDF/A-2 is PDF 1.7: no later revision may raise the version (pyHanko would, to 2.0,
    # for an ECDSA key, registering ISO 32002) nor declare an extension of PDF 2.0.
    assert reader.root.get("/Version") in (None, "/1.7")
    extensions = reader.root.get("/Extensions") or {}
    assert set(extensions) <= {"/ESIC"}, extensions
    (intent,) = reader.root["/OutputIntents"]
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/DestOutputProfile"].get_object().data[36:40] == b"acsp"  # an ICC profile
    xmp = reader.root["/Metadata"].get_object().data.decode()
    part = re.search(r'pdfaid:part(?:="|>)(\d)', xmp)
    conformance = re.search(r'pdfaid:conformance(?:="|>)(\w)', xmp)
    assert (part[1], conformance[1]) == ("2", "B")
    assert "/Encrypt" not in reader.trailer
    fonts = subprocess.run(
        ["pdffonts", "-"], input=issued_pdf, capture_output=True, check=True
    ).stdout.decode()
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    # Columns: name, type…, encoding, emb, sub, uni, object, generation.
    assert all(row.split()[-5] == "yes" for row in rows), fonts


def revision_midpoints(pdf: bytes) -> list[int]:
    """One byte in the middle of each revision: the content, the signature, the DSS and
    the document timestamp."""
    xrefs = PdfFileReader(BytesIO(pdf)).xrefs
    ends = [xrefs.get_xref_container_info(i).end_location for i in range(xrefs.total_revisions)]
    starts = [0, *ends[:-1]]
    return [(start + end) // 2 for start, end in zip(starts, ends, strict=True)]


def test_one_flipped_byte_anywhere_fails(issued_pdf):
    positions = [len(issued_pdf) * i // 10 for i in range(1, 10)]
    positions += revision_midpoints(issued_pdf)
    for position in positions:
        changed = bytearray(issued_pdf)
        changed[position] ^= 0x01
        verdict = verify_pdf(bytes(changed))
        assert verdict.kind in (VerdictKind.MODIFIED, VerdictKind.NOT_PDF), position
    third = bytearray(issued_pdf)
    third[len(third) // 3] ^= 0x01
    assert verify_pdf(bytes(third)).kind == VerdictKind.MODIFIED


def test_content_added_after_the_document_timestamp_is_a_modification(issued_pdf):
    writer = IncrementalPdfFileWriter(BytesIO(issued_pdf))
    writer.root["/Lang"] = generic.TextStringObject("en")  # a change no LTA update makes
    writer.update_root()
    out = BytesIO()
    writer.write(out)

    assert verify_pdf(out.getvalue()).kind == VerdictKind.MODIFIED


def test_with_the_tsa_down_issuing_fails_with_a_recorded_error_and_issues_nothing(
    approved, tsa_down
):
    with pytest.raises(sign.TimestampUnavailable, match="timestamp authority"):
        tasks.issue_report(assessment_id=approved.pk)

    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert not SignedReport.objects.filter(assessment=approved).exists()
    failure = IssueFailure.objects.get(assessment=approved)
    assert "TimestampUnavailable" in failure.error


def test_a_signer_the_trust_roots_do_not_know_is_a_certificate_problem_not_an_outage(tmp_path):
    # Another CA's root: the signer's chain cannot be built, whatever the TSA says.
    other_root, _p12 = pki.create_dev_ca(tmp_path, organisation="别的单位", password="x")
    pdf = HTML(string="<p>测试</p>").write_pdf()
    with (
        override_settings(ZHOUCUN_TRUST_ROOTS=str(other_root)),
        pytest.raises(pki.SigningNotConfigured, match="signing certificate"),
    ):
        sign.sign_pdf(pdf, reason="测试", location="测试")


def test_a_tsa_outage_is_retried_and_the_report_issued_once_the_tsa_is_back(
    approved, pki_url, tsa_down
):
    with override_settings(TASKS=DB_QUEUE), pytest.raises(sign.TimestampUnavailable):
        tasks.issue_report_task.call(approved.pk)
    retry = DBTaskResult.objects.get(args_kwargs__args__0=approved.pk)
    assert retry.args_kwargs["args"] == [approved.pk, 2]

    with override_settings(ZHOUCUN_TSA_URL=pki_url):
        report = tasks.issue_report(assessment_id=approved.pk)
    assert verify_pdf(storage.read_report_bytes(report.sha256)).timestamp is not None


@pytest.fixture
def pki_url(test_pki):
    return f"{test_pki['url']}/tsa"


def test_health_says_the_tsa_is_unreachable(client, pki_url):
    with override_settings(ZHOUCUN_TSA_URL=pki_url):
        up = client.get(reverse("healthz")).json()
    assert up["checks"]["tsa"]["ok"] is True

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}/tsa"
        with override_settings(ZHOUCUN_TSA_URL=dead):
            response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert "tsa" in response.json()["failing"]
    assert response.json()["checks"]["tsa"]["ok"] is False


def test_no_tsa_configured_refuses_to_sign_unless_b_b_is_chosen_explicitly():
    pdf = HTML(string="<p>测试</p>").write_pdf(pdf_variant="pdf/a-2b")
    with override_settings(ZHOUCUN_TSA_URL=""), pytest.raises(pki.SigningNotConfigured):
        sign.sign_pdf(pdf, reason="t", location="t")

    with override_settings(ZHOUCUN_TSA_URL="", ZHOUCUN_SIGNATURE_LEVEL="B-B"):
        plain = sign.sign_pdf(pdf, reason="t", location="t")
    verdict = verify_pdf(plain)
    # A B-B report (as issued before long-term signatures) still verifies, without a time.
    assert verdict.kind == VerdictKind.GENUINE
    assert verdict.timestamp is None and not verdict.long_term


def test_the_verify_page_shows_the_timestamps_time(client, issued_pdf):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    token = verify_pdf(issued_pdf).timestamp
    upload = SimpleUploadedFile("r.pdf", issued_pdf, content_type="application/pdf")

    page = client.post(reverse("verify_upload"), {"pdf": upload}).content.decode()

    shown = timezone.localtime(token).strftime("%Y-%m-%d %H:%M:%S")
    assert "可信时间戳（RFC 3161）" in page and shown in page
    assert "已内嵌验证数据，离线验证" in page


def test_a_modified_report_shows_no_timestamp(client, issued_pdf):
    from django.core.files.uploadedfile import SimpleUploadedFile

    changed = bytearray(issued_pdf)
    changed[len(changed) // 3] ^= 0x01
    upload = SimpleUploadedFile("r.pdf", bytes(changed), content_type="application/pdf")

    page = client.post(reverse("verify_upload"), {"pdf": upload}).content.decode()

    assert "签名后被修改过" in page and "可信时间戳" not in page
