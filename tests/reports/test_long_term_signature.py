"""Long-term signatures: issued reports are PDF/A-2b, signed PAdES B-LTA (RFC 3161 timestamp,
validation data in a DSS, a document timestamp over all), and check out offline — asserted
with pyHanko itself, not with our own verifier alone. No PDF/A validator is installable
here, so the PDF/A structure is checked part by part."""

import datetime
import re
import socket
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.signers.pdf_signer import TimestampDSSContentSettings
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from weasyprint import HTML

from assessments.issuing import tasks
from assessments.issuing.tasks import approve_and_issue
from assessments.models import IssueFailure, SignedReport, Status
from assessments.reports import pki, sign, storage
from assessments.reports.verify import VerdictKind, archive_timestamp_expiry, verify_pdf
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


# Past validation: a B-LTA report is judged at the times its timestamps prove, so it
# outlives its signing certificate and the freshness of its embedded revocation answers.


def signer_certificate(pdf: bytes) -> asn1_x509.Certificate:
    return PdfFileReader(BytesIO(pdf)).embedded_regular_signatures[0].signer_cert


def archive_certificate(pdf: bytes) -> asn1_x509.Certificate:
    return PdfFileReader(BytesIO(pdf)).embedded_timestamp_signatures[-1].signer_cert


def renewing_tsa(test_pki, *, days: int) -> DummyTimeStamper:
    """A second TSA of the test CA, whose certificate lives `days` days: the one an archive
    timestamp is renewed with before the first TSA's certificate expires."""
    directory = Path(test_pki["root"]).parent
    root = x509.load_pem_x509_certificate((directory / "root.pem").read_bytes())
    root_key = serialization.load_pem_private_key((directory / "root-key.pem").read_bytes(), None)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "续期时间戳")]))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256())
    )

    def der(cert):
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DummyTimeStamper(
        tsa_cert=der(certificate),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
        certs_to_embed=SimpleCertificateStore.from_certs([der(root)]),
    )


def renew_archive_timestamp(pdf: bytes, timestamper: DummyTimeStamper) -> bytes:
    """What an archivist does before the last TSA certificate expires: embed fresh
    validation data for the last document timestamp and the new TSA, then add a new
    document timestamp over all (so no byte is outside it, as when issuing)."""
    context = ValidationContext(trust_roots=pki.trust_roots(), allow_fetching=True)
    last = PdfFileReader(BytesIO(pdf)).embedded_timestamp_signatures[-1]
    path = validate_pdf_timestamp(last, context).validation_path
    return (
        signers.PdfTimeStamper(timestamper)
        .timestamp_pdf(
            IncrementalPdfFileWriter(BytesIO(pdf)),
            "sha256",
            context,
            validation_paths=[path],
            dss_settings=TimestampDSSContentSettings(include_vri=False, update_before_ts=True),
        )
        .getvalue()
    )


def after_expiry(*certificates: asn1_x509.Certificate) -> datetime.datetime:
    """A day after the last of `certificates` expires."""
    return max(c.not_valid_after for c in certificates) + datetime.timedelta(days=1)


@pytest.fixture
def renewed_pdf(issued_pdf, test_pki) -> bytes:
    return renew_archive_timestamp(issued_pdf, renewing_tsa(test_pki, days=3000))


def test_stale_revocation_answers_do_not_matter_to_a_b_lta_report(issued_pdf):
    # The embedded OCSP answers are good for a day; a month on, they are long stale.
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)

    verdict = verify_pdf(issued_pdf, at=later)

    assert verdict.kind == VerdictKind.GENUINE
    # Trust was judged in the past: at the archive timestamp, not a month on.
    (archive,) = PdfFileReader(BytesIO(issued_pdf)).embedded_timestamp_signatures
    assert (
        verdict.validated_at
        == validate_pdf_timestamp(
            archive, offline_context(PdfFileReader(BytesIO(issued_pdf)))
        ).timestamp
    )
    assert verdict.timestamp <= verdict.validated_at < later


def test_the_dev_tsa_certificate_expires_with_the_signers_so_an_unrenewed_report_then_fails(
    issued_pdf,
):
    signer, tsa = signer_certificate(issued_pdf), archive_certificate(issued_pdf)
    # Both are made for five years at once (pki.create_dev_ca): nothing outlives the signer.
    assert tsa.not_valid_after <= signer.not_valid_after + datetime.timedelta(minutes=1)

    verdict = verify_pdf(issued_pdf, at=after_expiry(tsa))

    # Intact, but the last archive timestamp can no longer be trusted: it must be renewed.
    assert verdict.intact and verdict.covers_whole_file
    assert verdict.kind == VerdictKind.UNTRUSTED


def test_a_b_lta_report_with_a_renewed_archive_timestamp_is_genuine_after_its_certificates_expired(
    issued_pdf, renewed_pdf
):
    signer = signer_certificate(issued_pdf)
    first_tsa = archive_certificate(issued_pdf)
    moment = after_expiry(signer, first_tsa)
    assert moment < archive_certificate(renewed_pdf).not_valid_after

    verdict = verify_pdf(renewed_pdf, at=moment)

    assert verdict.kind == VerdictKind.GENUINE, verdict
    assert verdict.long_term
    # The signer's certificate was judged when the first archive timestamp proves the
    # signature existed, long before it expired.
    original = verify_pdf(issued_pdf)
    assert verdict.validated_at == original.validated_at < signer.not_valid_after
    assert verdict.timestamp == original.timestamp


def test_a_b_b_report_at_that_future_time_is_not_trusted(renewed_pdf):
    pdf = HTML(string="<p>测试</p>").write_pdf(pdf_variant="pdf/a-2b")
    with override_settings(ZHOUCUN_SIGNATURE_LEVEL="B-B"):
        plain = sign.sign_pdf(pdf, reason="t", location="t")
    moment = after_expiry(signer_certificate(plain))
    assert verify_pdf(plain).kind == VerdictKind.GENUINE

    verdict = verify_pdf(plain, at=moment)

    # Nothing proves when a B-B signature was made: it is judged at `at` itself.
    assert verdict.kind == VerdictKind.UNTRUSTED
    assert verdict.validated_at == moment
    assert verify_pdf(renewed_pdf, at=moment).kind == VerdictKind.GENUINE


def test_one_flipped_byte_in_a_renewed_report_still_fails_in_the_future(renewed_pdf):
    moment = after_expiry(signer_certificate(renewed_pdf))
    for position in revision_midpoints(renewed_pdf):
        changed = bytearray(renewed_pdf)
        changed[position] ^= 0x01
        verdict = verify_pdf(bytes(changed), at=moment)
        assert verdict.kind in (VerdictKind.MODIFIED, VerdictKind.NOT_PDF), position


def test_validation_data_added_after_the_last_document_timestamp_is_outside_every_signature(
    issued_pdf, test_pki
):
    # pyHanko's own renewal adds the new TSA's data after the new timestamp: bytes no
    # signature covers, which an issued report never has.
    context = ValidationContext(trust_roots=pki.trust_roots(), allow_fetching=True)
    trailing = (
        signers.PdfTimeStamper(renewing_tsa(test_pki, days=3000))
        .update_archival_timestamp_chain(
            PdfFileReader(BytesIO(issued_pdf)), context, in_place=False
        )
        .getvalue()
    )
    reader = PdfFileReader(BytesIO(trailing))
    assert reader.embedded_timestamp_signatures[-1].evaluate_signature_coverage() != (
        SignatureCoverageLevel.ENTIRE_FILE
    )

    assert verify_pdf(trailing).kind == VerdictKind.MODIFIED


def test_the_verify_command_validates_at_a_given_moment(issued_pdf, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    path = tmp_path / "r.pdf"
    path.write_bytes(issued_pdf)
    out = StringIO()
    month_on = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)).date()

    call_command("verify_report", str(path), "--at", month_on.isoformat(), stdout=out)

    assert "VALID" in out.getvalue()
    assert f"Trust judged as of: {verify_pdf(issued_pdf).validated_at.isoformat()}" in (
        out.getvalue()
    )
    expired = after_expiry(archive_certificate(issued_pdf)).isoformat()
    with pytest.raises(CommandError, match="NOT VALID"):
        call_command("verify_report", str(path), "--at", expired, stdout=StringIO())
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("verify_report", str(path), "--at", "next year", stdout=StringIO())


def test_the_reports_whose_archive_timestamp_expires_soon_are_listed(issued_pdf, renewed_pdf):
    from io import StringIO

    from django.core.management import CommandError, call_command

    report = SignedReport.objects.get()
    expiry = archive_timestamp_expiry(issued_pdf)
    # The dev TSA's certificate (five years) expires before the root (ten).
    assert expiry == archive_certificate(issued_pdf).not_valid_after
    days_left = (expiry - datetime.datetime.now(datetime.UTC)).days

    out = StringIO()
    call_command("archive_timestamps_due", "--days", str(days_left - 1), stdout=out)
    assert "1 reports: 0 with an archive timestamp expiring" in out.getvalue()
    assert report.report_number not in out.getvalue()

    out = StringIO()
    with pytest.raises(CommandError, match="1 with an archive timestamp expiring"):
        call_command("archive_timestamps_due", "--days", str(days_left + 1), stdout=out)
    assert f"DUE        {report.report_number}: {expiry.isoformat()}" in out.getvalue()

    # Renewed, the report is due only when the renewing TSA's certificate expires.
    assert archive_timestamp_expiry(renewed_pdf) == archive_certificate(renewed_pdf).not_valid_after
    assert archive_timestamp_expiry(renewed_pdf) > expiry
    with override_settings(ZHOUCUN_SIGNATURE_LEVEL="B-B"):
        plain = sign.sign_pdf(HTML(string="<p>测试</p>").write_pdf(), reason="t", location="t")
    assert archive_timestamp_expiry(plain) is None
