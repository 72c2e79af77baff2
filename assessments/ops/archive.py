"""The archive package of an issued assessment (归档包; GB/T 18894, DA/T 46 and DA/T 70 in
spirit): one ZIP that proves itself for decades without this system.

Layout (docs/archive.md):

    documents/0001-<report number>.pdf   the signed PDF/A report, as stored
    documents/0002-<name> …              the evidence files, then any extra documents
                                         (EXTRA_DOCUMENTS: the 报备表 …), numbered on
    metadata.xml                         DA/T 46 element names (档号, 题名, 责任者 …)
    audit.csv                            the assessment's audit trail
    四性检测报告.txt                       the 四性 self-check made while packing
    manifest.sha256                      the SHA-256 of every member above (sha256sum format)
    manifest.sha256.tsr                  an RFC 3161 time-stamp response over the manifest,
                                         from the TSA the signing uses (ZHOUCUN_TSA_URL)

Files are streamed from storage into the ZIP, never read whole, except the signed report,
whose signature is checked from its bytes. A package is never written without its timestamp:
a TSA that does not answer raises `TimestampUnavailable`.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO
from xml.etree import ElementTree

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from ..content import locality
from ..lists.filings import active_filing
from ..models import Assessment, AuditEvent, RetentionRule, SignedReport, Status
from ..reports import sign, storage
from ..reports.filing_form import filing_form_pdf
from ..reports.pki import SigningNotConfigured
from ..reports.verify import UNREADABLE, verify_pdf
from . import package_check as check
from .package_check import (
    AUDIT,
    INTEGRITY,
    KIND_EVIDENCE,
    KIND_EXTRA,
    KIND_REPORT,
    MANIFEST,
    METADATA,
    SELF_CHECK,
    TIMESTAMP,
)

ZIP64_FROM = 2**31  # members this large need ZIP64 headers before their size is known
ARCHIVE_LANGUAGE = "zh-hans"  # the package is a Chinese archive, whoever asks for it


class NotIssued(Exception):
    """Only an issued assessment has a signed report to archive."""


@dataclass(frozen=True)
class ExtraDocument:
    """A document packed after the evidence: its 题名, file name and bytes."""

    title: str
    filename: str
    data: bytes


def filing_forms(assessment: Assessment) -> Iterable[ExtraDocument]:
    """The 报备表 of the report's active filing, as the oversight units answered it so far;
    none if it is not filed (a returned filing's form was refused, so it is not packed)."""
    filing = active_filing(assessment)
    if filing is not None:
        yield ExtraDocument(FILING_FORM_TITLE, "报备表.pdf", filing_form_pdf(filing))


FILING_FORM_TITLE = "社会稳定风险评估报备表"

# Documents beyond the report and its evidence: each entry is called with the assessment and
# gives its ExtraDocuments (none, if it has none).
EXTRA_DOCUMENTS: list[Callable[[Assessment], Iterable[ExtraDocument]]] = [filing_forms]


@dataclass(frozen=True)
class Packed:
    number: int
    kind: str
    title: str
    name: str  # member name
    size: int
    sha256: str
    format: str


@dataclass(frozen=True)
class PackageResult:
    report: check.Report  # the self-check made while packing
    report_number: str
    manifest_sha256: str
    documents: tuple[Packed, ...]

    @property
    def ok(self) -> bool:
        return self.report.ok


def retention_of(assessment: Assessment) -> RetentionRule | None:
    """The retention rule in force for the assessment's mode and level at its unit (nearest
    unit of its lineage, else national), or None: no rule is set."""
    if assessment.risk_level_id is None:
        return None
    rows = RetentionRule.objects.filter(
        mode=assessment.mode, risk_level_id=assessment.risk_level_id
    )
    rules = locality.effective_for(
        assessment.owner_unit, rows, key=lambda rule: (rule.mode, rule.risk_level_id)
    )
    return rules.get((assessment.mode, assessment.risk_level_id))


UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _member_name(number: int, filename: str) -> str:
    cleaned = UNSAFE.sub("_", filename).strip(". ") or "file"
    return f"documents/{number:04d}-{cleaned[-120:]}"


class _HashingWriter(io.RawIOBase):
    """Writes through to a ZIP member, hashing what passes."""

    def __init__(self, target: IO[bytes]):
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)


class _Packer:
    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.hashes: list[tuple[str, str]] = []

    @staticmethod
    def _stored(name: str) -> zipfile.ZipInfo:
        # Documents (PDF, JPEG, PNG) are compressed already: stored as they are, they are
        # read back (and sought through by a PDF parser) without inflating.
        info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED
        return info

    def stream(self, name: str, source: IO[bytes], *, size: int) -> check.Streamed:
        info = self._stored(name)
        with self.archive.open(info, "w", force_zip64=size >= ZIP64_FROM) as target:
            streamed = check.copy_hashing(source, target)
        self.hashes.append((name, streamed.sha256))
        return streamed

    def write(self, name: str, data: bytes, *, document: bool = False) -> str:
        self.archive.writestr(self._stored(name) if document else name, data)
        digest = hashlib.sha256(data).hexdigest()
        self.hashes.append((name, digest))
        return digest

    def text(self, name: str, fill: Callable[[io.TextIOBase], None]) -> str:
        with self.archive.open(name, "w") as target:
            hashing = _HashingWriter(target)
            with io.TextIOWrapper(hashing, encoding="utf-8-sig", newline="") as text:
                fill(text)
        self.hashes.append((name, hashing.digest.hexdigest()))
        return hashing.digest.hexdigest()


def build_package(assessment: Assessment, out_file) -> PackageResult:
    """Write the archive package of an issued assessment to `out_file` (a path or a binary
    file). Raises `NotIssued`, `storage.ReportFileMissing`, and `sign.TimestampUnavailable` or
    `SigningNotConfigured` when the manifest cannot be timestamped."""
    if assessment.status != Status.ISSUED:
        raise NotIssued(f"assessment {assessment.pk} is {assessment.status}, not issued")
    signed = SignedReport.objects.select_related("version").get(assessment=assessment)
    with (
        translation.override(ARCHIVE_LANGUAGE),
        zipfile.ZipFile(out_file, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        return _build(assessment, signed, _Packer(archive))


def _build(assessment: Assessment, signed: SignedReport, packer: _Packer) -> PackageResult:
    report = check.Report()
    documents: list[Packed] = []

    # 1. The signed report, as stored: checked from its bytes (signature, PDF/A).
    data = storage.read_report_bytes(signed.sha256)
    name = _member_name(1, f"{signed.report_number}.pdf")
    digest = packer.write(name, data, document=True)
    _recorded(report, name, digest, signed.sha256)
    check.inspect_format(report, name, lambda: io.BytesIO(data), expected="PDF")
    check.inspect_report_pdf(report, name, data)
    documents.append(Packed(1, KIND_REPORT, assessment.title, name, len(data), digest, "PDF/A-2b"))

    # 2. Every evidence file, streamed from its storage.
    attachments = list(assessment.attachments.order_by("uploaded_at", "id"))
    for attachment in attachments:
        number = len(documents) + 1
        name = _member_name(number, attachment.name)
        stored = attachment.file

        def opener(stored=stored):
            return stored.storage.open(stored.name, "rb")

        try:
            with opener() as source:
                streamed = packer.stream(name, source, size=attachment.size)
        except FileNotFoundError:
            report.add(
                INTEGRITY,
                False,
                name,
                _("The file is missing from storage: %(name)s.") % {"name": attachment.name},
            )
            continue
        _recorded(report, name, streamed.sha256, attachment.sha256)
        expected = _format_of(attachment.content_type) or check.declared_format(attachment.name)
        check.inspect_format(report, name, opener, expected=expected)
        documents.append(
            Packed(
                number,
                KIND_EVIDENCE,
                attachment.name,
                name,
                streamed.size,
                streamed.sha256,
                expected,
            )
        )
    _check_listed_evidence(report, signed, documents)

    # 3. Extra documents (the 报备表 …).
    for produce in EXTRA_DOCUMENTS:
        for extra in produce(assessment):
            number = len(documents) + 1
            name = _member_name(number, extra.filename)
            digest = packer.write(name, extra.data, document=True)
            expected = check.declared_format(extra.filename)
            check.inspect_format(
                report, name, lambda extra=extra: io.BytesIO(extra.data), expected=expected
            )
            documents.append(
                Packed(number, KIND_EXTRA, extra.title, name, len(extra.data), digest, expected)
            )
    check.check_numbering(report, [document.number for document in documents])

    # 4. Metadata, audit trail, the self-check report; then the manifest and its timestamp.
    packer.write(METADATA, metadata_xml(assessment, signed, data, documents))
    packer.text(AUDIT, lambda text: write_audit_trail(assessment, text))
    title = _("Four-properties self-check of the archive package of %(number)s") % {
        "number": signed.report_number
    }
    note = _(
        "The manifest (%(manifest)s) lists the SHA-256 of every member and is timestamped "
        "after this report was written; manage.py check_package verifies both."
    ) % {"manifest": MANIFEST}
    packer.write(SELF_CHECK, report.text(title=title, note=note).encode("utf-8"))
    manifest = check.manifest_text(packer.hashes)
    packer.archive.writestr(MANIFEST, manifest)
    packer.archive.writestr(TIMESTAMP, timestamp_manifest(manifest))
    return PackageResult(
        report, signed.report_number, hashlib.sha256(manifest).hexdigest(), tuple(documents)
    )


def _check_listed_evidence(report: check.Report, signed: SignedReport, documents) -> None:
    """Every evidence file the signed report lists (its version's snapshot, by SHA-256) is in
    the package, with those very bytes."""
    listed = signed.version.content.get("attachments", [])
    packed = {document.sha256 for document in documents if document.kind == KIND_EVIDENCE}
    missing = [item["name"] for item in listed if item["sha256"] not in packed]
    report.add(
        INTEGRITY,
        not missing,
        "",
        (
            _("Every evidence file the signed report lists is included (%(count)s).")
            % {"count": len(listed)}
            if not missing
            else _("Evidence files the signed report lists are missing: %(names)s.")
            % {"names": "、".join(missing)}
        ),
    )


def _recorded(report: check.Report, name: str, actual: str, recorded: str) -> None:
    report.add(
        check.AUTHENTICITY,
        actual == recorded,
        name,
        (
            _("The SHA-256 matches the one recorded when the file was stored.")
            if actual == recorded
            else _("The SHA-256 differs from the one recorded when the file was stored.")
        ),
    )


def _format_of(content_type: str) -> str:
    return {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}.get(
        content_type, ""
    )


def timestamp_manifest(manifest: bytes) -> bytes:
    """An RFC 3161 time-stamp response over the manifest's SHA-256, from ZHOUCUN_TSA_URL."""
    if not settings.ZHOUCUN_TSA_URL:
        raise SigningNotConfigured(
            "The archive manifest needs a timestamp authority: set ZHOUCUN_TSA_URL."
        )
    digest = hashlib.sha256(manifest).digest()
    try:
        token = asyncio.run(sign.timestamper().async_timestamp(digest, "sha256"))
    except (OSError, TimestampRequestError) as error:
        raise sign.TimestampUnavailable(
            f"The timestamp authority at {settings.ZHOUCUN_TSA_URL} gave no timestamp: {error}"
        ) from error
    return check.timestamp_response(token)


# --- metadata.xml ---------------------------------------------------------------------------


def _add(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes):
    element = ElementTree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _signature_algorithm(data: bytes) -> str:
    """The signature's algorithm as the PDF records it, e.g. "sha256_ecdsa"."""
    try:
        signature = PdfFileReader(io.BytesIO(data), strict=False).embedded_regular_signatures[-1]
        return signature.signer_info["signature_algorithm"]["algorithm"].native
    except (*UNREADABLE, KeyError):
        return ""


def metadata_xml(
    assessment: Assessment, signed: SignedReport, data: bytes, documents: list[Packed]
) -> bytes:
    """The package's metadata under DA/T 46-2009 element names. Only what was recorded is
    written: an element the system has no value for (全宗号, 密级 …) is left out, and a
    retention period no rule sets says so."""
    root = ElementTree.Element("电子文件元数据", {"标准": "DA/T 46-2009"})
    _add(root, "聚合层次", "件")
    source = _add(root, "来源")
    _add(source, "立档单位名称", assessment.owner_unit.name)
    signed_at = timezone.localtime(signed.signed_at)
    reference = _add(root, "档号")
    _add(reference, "年度", str(signed_at.year))
    rule = retention_of(assessment)
    if rule is not None:
        _add(reference, "保管期限", rule.get_retention_display(), 依据=rule.source)
    else:
        _add(reference, "保管期限", _("not set"))
    _add(reference, "件号", signed.report_number)
    content = _add(root, "内容描述")
    _add(content, "题名", assessment.title)
    _add(content, "文件编号", signed.report_number)
    _add(content, "责任者", assessment.evaluating_unit)
    if assessment.report_date:
        _add(content, "日期", assessment.report_date.strftime("%Y%m%d"))
    _add(content, "附注", assessment.project_name)
    _add(_add(root, "形式特征"), "件数", str(len(documents)))
    signature = _add(root, "电子签名")
    verdict = verify_pdf(data)
    _add(signature, "签名规则", "PAdES B-LTA" if verdict.long_term else "PAdES")
    _add(signature, "签名时间", signed_at.isoformat())
    _add(signature, "签名人", signed.signer)
    _add(signature, "证书引证", signed.certificate_fingerprint, 算法="SHA-256")
    algorithm = _signature_algorithm(data)
    if algorithm:
        _add(signature, "签名算法标识", algorithm)
    if verdict.timestamp:
        _add(signature, "时间戳时间", timezone.localtime(verdict.timestamp).isoformat())
    listing = _add(root, "文件列表")
    for document in documents:
        item = _add(listing, "文件", 顺序号=str(document.number), 类别=document.kind)
        _add(item, "题名", document.title)
        _add(item, "文件格式", document.format)
        _add(item, "计算机文件名", document.name)
        _add(item, "计算机文件大小", str(document.size))
        _add(item, "哈希值", document.sha256, 算法="SHA-256")
    _add(root, "业务实体", _("The audit trail of the assessment is in %(file)s.") % {"file": AUDIT})
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


# --- the audit trail ----------------------------------------------------------------------


AUDIT_FIELDS = (
    "created_at",
    "username",
    "ip_address",
    "action",
    "old_state",
    "new_state",
    "success",
    "detail",
)


def write_audit_trail(assessment: Assessment, text) -> None:
    """Every audit row about the assessment, oldest first, streamed in chunks (index
    audit_object)."""
    writer = csv.writer(text)
    writer.writerow([str(AuditEvent._meta.get_field(name).verbose_name) for name in AUDIT_FIELDS])
    rows = (
        AuditEvent.objects.filter(
            object_type=Assessment._meta.label_lower, object_id=str(assessment.pk)
        )
        .order_by("created_at", "id")
        .values_list(*AUDIT_FIELDS)
    )
    for row in rows.iterator(chunk_size=2000):
        created_at, *rest = row
        writer.writerow([timezone.localtime(created_at).isoformat(), *rest])
