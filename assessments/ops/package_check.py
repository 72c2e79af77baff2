"""The 四性 check (真实性, 完整性, 可用性, 安全性 — DA/T 70 in spirit) of an archive package:
what `archive.build_package` runs on the files it packs, and what `manage.py check_package`
re-runs from the ZIP alone, years later, with nothing but the trust roots.

A package (docs/archive.md) holds numbered documents (the signed report, its evidence files,
extra documents such as the 报备表), `metadata.xml`, the audit trail, the 四性 report, then
`manifest.sha256` (the SHA-256 of every member before it, in `sha256sum` format) and
`manifest.sha256.tsr` (an RFC 3161 time-stamp response over the manifest).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.etree import ElementTree

from asn1crypto import tsp
from django.utils.translation import gettext as _
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

from ..reports.pki import trust_roots
from ..reports.verify import UNREADABLE, VerdictKind, verify_pdf

MANIFEST = "manifest.sha256"
TIMESTAMP = "manifest.sha256.tsr"
METADATA = "metadata.xml"
AUDIT = "audit.csv"
SELF_CHECK = "四性检测报告.txt"
CHUNK = 1024 * 1024

# What a document of the package is (metadata.xml: 文件/@类别).
KIND_REPORT = "评估报告"
KIND_EVIDENCE = "证据材料"
KIND_EXTRA = "附加文件"

# The four properties, in the order the report lists them.
AUTHENTICITY, INTEGRITY, USABILITY, SECURITY = "真实性", "完整性", "可用性", "安全性"
PROPERTIES = (AUTHENTICITY, INTEGRITY, USABILITY, SECURITY)

PDF_A_PART = re.compile(r'pdfaid:part(?:="|>)(\d)')
PDF_A_CONFORMANCE = re.compile(r'pdfaid:conformance(?:="|>)(\w)')


class PackageUnreadable(Exception):
    """The file is not a ZIP archive at all."""


@dataclass(frozen=True)
class Finding:
    prop: str  # one of PROPERTIES
    ok: bool
    member: str  # the member it is about ("" for the package as a whole)
    message: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def add(self, prop: str, ok: bool, member: str, message: str) -> None:
        self.findings.append(Finding(prop, ok, member, message))

    @property
    def ok(self) -> bool:
        return bool(self.findings) and all(f.ok for f in self.findings)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def text(self, *, title: str, note: str = "") -> str:
        """The report as plain text: every finding under its property, then the verdict."""
        lines = [title, ""]
        for prop in PROPERTIES:
            lines.append(f"【{prop}】")
            for finding in self.findings:
                if finding.prop == prop:
                    mark = _("passed") if finding.ok else _("FAILED")
                    where = f"{finding.member}: " if finding.member else ""
                    lines.append(f"  [{mark}] {where}{finding.message}")
            lines.append("")
        lines.append(_("Result: every check passed.") if self.ok else _("Result: checks failed."))
        if note:
            lines += ["", note]
        return "\n".join(lines) + "\n"


# --- one document ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Streamed:
    sha256: str
    size: int


def copy_hashing(source: IO[bytes], target: IO[bytes] | None = None) -> Streamed:
    """Read `source` to its end in chunks (into `target`, if given); its hash and size."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if target is not None:
            target.write(chunk)
    return Streamed(digest.hexdigest(), size)


def declared_format(name: str) -> str:
    lower = name.lower()
    if lower.endswith(".pdf"):
        return "PDF"
    if lower.endswith((".jpg", ".jpeg")):
        return "JPEG"
    if lower.endswith(".png"):
        return "PNG"
    return ""


def inspect_format(
    report: Report, member: str, opener: Callable[[], IO[bytes]], *, expected: str
) -> None:
    """Is the document what its name says (PDF, JPEG or PNG), readable, and — a PDF — not
    encrypted? Reads through a seekable stream, never the whole file into memory."""
    with opener() as handle:
        head = handle.read(8)
        handle.seek(0)
        if head.startswith(b"%PDF-"):
            found = "PDF"
        elif head.startswith(b"\xff\xd8\xff"):
            found = "JPEG"
        elif head.startswith(b"\x89PNG\r\n\x1a\n"):
            found = "PNG"
        else:
            found = ""
        if not found or found != expected:
            report.add(
                USABILITY,
                False,
                member,
                _("The file is not a %(format)s file.") % {"format": expected or "PDF/JPEG/PNG"},
            )
            return
        if found == "PDF":
            try:
                encrypted = PdfFileReader(handle, strict=False).encrypted
            except UNREADABLE:
                report.add(USABILITY, False, member, _("The PDF cannot be read."))
                return
            report.add(
                SECURITY,
                not encrypted,
                member,
                _("The PDF is encrypted.") if encrypted else _("The PDF is not encrypted."),
            )
        else:
            try:
                with Image.open(handle) as image:
                    image.verify()
            except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
                report.add(USABILITY, False, member, _("The image cannot be decoded."))
                return
        report.add(USABILITY, True, member, _("A readable %(format)s file.") % {"format": found})


def is_pdf_a_2b(data: bytes) -> bool:
    """The marks of PDF/A-2b a reader can check without a validator: an output intent with
    an ICC profile and XMP metadata naming part 2, conformance B."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        intents = reader.root.get("/OutputIntents")
        xmp = reader.root["/Metadata"].get_object().data.decode("utf-8", "replace")
    except (*UNREADABLE, UnicodeError):
        return False
    part, conformance = PDF_A_PART.search(xmp), PDF_A_CONFORMANCE.search(xmp)
    return bool(intents) and (part and part[1], conformance and conformance[1]) == ("2", "B")


def inspect_report_pdf(report: Report, member: str, data: bytes) -> None:
    """The signed report: its signature checks out offline (`verify_pdf`), it is PDF/A-2b."""
    verdict = verify_pdf(data)
    genuine = verdict.kind == VerdictKind.GENUINE
    report.add(
        AUTHENTICITY,
        genuine,
        member,
        (
            _("The signature is valid (%(signer)s).") % {"signer": verdict.signer}
            if genuine
            else _("The signature does not validate (%(kind)s).") % {"kind": verdict.kind}
        ),
    )
    pdf_a = is_pdf_a_2b(data)
    report.add(
        USABILITY,
        pdf_a,
        member,
        _("The report is PDF/A-2b.") if pdf_a else _("The report is not PDF/A-2b."),
    )


def check_numbering(report: Report, numbers: list[int]) -> None:
    contiguous = sorted(numbers) == list(range(1, len(numbers) + 1))
    report.add(
        INTEGRITY,
        contiguous,
        METADATA,
        (
            _("The %(count)s documents are numbered 1 to %(count)s without gaps.")
            % {"count": len(numbers)}
            if contiguous
            else _("The documents' numbers are not contiguous: %(numbers)s.")
            % {"numbers": ", ".join(str(n) for n in sorted(numbers))}
        ),
    )


# --- the manifest and its timestamp --------------------------------------------------------


def manifest_text(hashes: list[tuple[str, str]]) -> bytes:
    """`sha256sum` format: one "<hex>  <name>" line per member, in package order."""
    return "".join(f"{digest}  {name}\n" for name, digest in hashes).encode()


def parse_manifest(data: bytes) -> list[tuple[str, str]]:
    rows = []
    for line in data.decode("utf-8").splitlines():
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name:
            raise ValueError(line)
        rows.append((name, digest))
    return rows


def timestamp_response(token) -> bytes:
    """A time-stamp token (CMS ContentInfo) as the RFC 3161 response a .tsr file holds."""
    return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump()


def check_timestamp(report: Report, manifest: bytes, tsr: bytes) -> None:
    """The response grants a token whose imprint is the manifest's hash, signed by a TSA
    certificate under the trust roots (checked offline)."""
    try:
        response = tsp.TimeStampResp.load(tsr)
        granted = response["status"]["status"].native in ("granted", "granted_with_mods")
        signed_data = response["time_stamp_token"]["content"]
        context = ValidationContext(
            trust_roots=trust_roots(), allow_fetching=False, revocation_mode="soft-fail"
        )
        status = TimestampSignatureStatus(
            **asyncio.run(
                validate_tst_signed_data(
                    signed_data,
                    context,
                    lambda algorithm: hashlib.new(algorithm, manifest).digest(),
                )
            )
        )
    except (ValueError, KeyError, TypeError, AttributeError, SignatureValidationError):
        report.add(AUTHENTICITY, False, TIMESTAMP, _("The timestamp cannot be read."))
        return
    ok = granted and status.trusted  # trusted: intact, valid and on a path to a root
    report.add(
        AUTHENTICITY,
        ok,
        TIMESTAMP,
        (
            _("The manifest was timestamped at %(time)s by a trusted TSA.")
            % {"time": status.timestamp.isoformat()}
            if ok
            else _("The timestamp is not valid over the manifest.")
        ),
    )


# --- the whole package, from the ZIP alone --------------------------------------------------


def check_package(source) -> Report:
    """Re-run the 四性 check on a package (a path or a binary file), from its bytes alone."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise PackageUnreadable(str(error)) from error
    report = Report()
    with archive:
        names = archive.namelist()
        if MANIFEST not in names:
            report.add(INTEGRITY, False, MANIFEST, _("The package has no manifest."))
            return report
        manifest = archive.read(MANIFEST)
        try:
            listed = parse_manifest(manifest)
        except (ValueError, UnicodeError):
            report.add(INTEGRITY, False, MANIFEST, _("The manifest cannot be read."))
            return report
        if TIMESTAMP in names:
            check_timestamp(report, manifest, archive.read(TIMESTAMP))
        else:
            report.add(AUTHENTICITY, False, TIMESTAMP, _("The manifest is not timestamped."))
        _check_hashes(report, archive, names, listed)
        documents = _check_metadata(report, archive, dict(listed))
        for document in documents:
            if document.name not in names:
                continue
            inspect_format(
                report,
                document.name,
                lambda name=document.name: archive.open(name),
                expected=document.format,
            )
            if document.kind == KIND_REPORT:
                inspect_report_pdf(report, document.name, archive.read(document.name))
        if not any(document.kind == KIND_REPORT for document in documents):
            report.add(INTEGRITY, False, METADATA, _("The package holds no signed report."))
    return report


def _check_hashes(report, archive, names, listed) -> None:
    covered = {name for name, _digest in listed}
    for name in names:
        if name not in covered and name not in (MANIFEST, TIMESTAMP):
            report.add(INTEGRITY, False, name, _("This member is not in the manifest."))
    for name, digest in listed:
        if name not in names:
            report.add(INTEGRITY, False, name, _("This member of the manifest is missing."))
            continue
        with archive.open(name) as handle:
            try:
                actual = copy_hashing(handle).sha256
            except zipfile.BadZipFile:
                actual = ""  # its CRC failed: the bytes were changed
        report.add(
            AUTHENTICITY,
            actual == digest,
            name,
            (
                _("The SHA-256 matches the manifest.")
                if actual == digest
                else _("The SHA-256 does not match the manifest.")
            ),
        )


def parse_metadata(data: bytes) -> ElementTree.Element:
    """metadata.xml parsed; raises ParseError. A package's metadata has no DTD: one would be
    an entity attack, not metadata, so none is parsed."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ElementTree.ParseError("metadata.xml declares a DTD")
    return ElementTree.fromstring(data)  # noqa: S314 -- no DTD, so no entities to expand


@dataclass(frozen=True)
class Listed:
    """A document as metadata.xml lists it."""

    number: int
    name: str
    kind: str
    format: str  # PDF, JPEG or PNG


def _check_metadata(report, archive, manifest: dict[str, str]) -> list[Listed]:
    """The documents metadata.xml lists; each one's recorded size and hash match the member
    and the manifest, and the numbers are contiguous."""
    try:
        root = parse_metadata(archive.read(METADATA))
    except (KeyError, ElementTree.ParseError):
        report.add(USABILITY, False, METADATA, _("metadata.xml is missing or not well-formed."))
        return []
    report.add(USABILITY, True, METADATA, _("metadata.xml is well-formed XML."))
    documents = []
    for item in root.iter("文件"):
        name = item.findtext("计算机文件名", "")
        try:
            number = int(item.get("顺序号", ""))
            size = int(item.findtext("计算机文件大小", ""))
        except ValueError:
            report.add(INTEGRITY, False, METADATA, _("A document's entry cannot be read."))
            continue
        # "PDF/A-2b" is a PDF: the report's PDF/A marks are checked on their own.
        recorded = item.findtext("文件格式", "").split("/")[0]
        documents.append(Listed(number, name, item.get("类别", ""), recorded))
        try:
            info = archive.getinfo(name)
        except KeyError:
            report.add(INTEGRITY, False, name, _("The document listed in metadata.xml is missing."))
            continue
        if info.file_size != size:
            report.add(INTEGRITY, False, name, _("The size differs from the one in metadata.xml."))
        if item.findtext("哈希值", "") != manifest.get(name):
            report.add(
                INTEGRITY, False, name, _("The SHA-256 in metadata.xml differs from the manifest.")
            )
    check_numbering(report, [document.number for document in documents])
    return documents


def iter_problems(report: Report) -> Iterator[str]:
    for finding in report.failures:
        where = finding.member or _("the package")
        yield f"{finding.prop} · {where}: {finding.message}"
