"""Verifying a PDF's signature (pyHanko) and saying in plain words what is true of it."""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import parser as asn1_parser
from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from ..common.files import PDF_HEAD_WINDOW
from .pki import common_name, trust_roots


class VerdictKind(enum.StrEnum):
    """The one thing that is true of an uploaded file, most basic failure first."""

    UNCHECKABLE = "uncheckable"  # no trust root configured: nothing could be judged
    NOT_PDF = "not_pdf"
    UNSIGNED = "unsigned"
    MODIFIED = "modified"  # changed after signing, or content added after the signature
    UNTRUSTED = "untrusted"  # intact, but signed with a certificate we do not trust
    GENUINE = "genuine"  # intact, over the whole file, by a trusted certificate


@dataclass(frozen=True)
class Verdict:
    """What a PDF's signature says, in terms a clerk can act on."""

    signed: bool
    checkable: bool = True  # False: no trust root configured, nothing could be judged
    readable: bool = True  # False: not a PDF, or one that cannot be parsed
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str = ""
    signing_time: datetime.datetime | None = None
    # The time an RFC 3161 timestamp authority attests the signature existed at (none on a
    # report signed before long-term signatures), and whether validation data and a
    # document timestamp were added after it (PAdES B-LTA).
    timestamp: datetime.datetime | None = None
    long_term: bool = False
    problem: str = ""
    # The moment the trust was judged at: for a long-term (B-LTA) file, the time of the
    # earliest archive timestamp, at which the signer's certificate was checked (past
    # validation); otherwise the moment of checking itself. None when nothing was judged.
    validated_at: datetime.datetime | None = None

    @property
    def valid(self) -> bool:
        return self.signed and self.intact and self.trusted and self.covers_whole_file

    @property
    def kind(self) -> VerdictKind:
        # Order matters: a modified file also fails the trust check (pyHanko cannot build a
        # trusted path for content it cannot match), but "untrusted" would be false there.
        if not self.checkable:
            return VerdictKind.UNCHECKABLE
        if not self.readable:
            return VerdictKind.NOT_PDF
        if not self.signed:
            return VerdictKind.UNSIGNED
        if not (self.intact and self.covers_whole_file):
            return VerdictKind.MODIFIED
        if not self.trusted:
            return VerdictKind.UNTRUSTED
        return VerdictKind.GENUINE


# What pyHanko raises on input it cannot parse (it has no single exception for that).
UNREADABLE = (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, EOFError)

# What may follow the signed revision: validation data (DSS) and document timestamps only.
ACCEPTED_LATER_CHANGES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


def _offline_context(
    reader: PdfFileReader,
    roots: list[asn1_x509.Certificate],
    *,
    moment: datetime.datetime | None = None,
    revocation: str = "soft-fail",
):
    """A validation context from the trust roots and the file's own embedded validation
    data (DSS), as of `moment` (None: now): nothing is fetched. Revocation is "soft-fail"
    unless told otherwise: a report signed without embedded revocation data (before
    long-term signatures, B-B) is judged on its signature and path alone; one whose
    embedded data says "revoked" fails."""
    settings = {
        "trust_roots": roots,
        "allow_fetching": False,
        "revocation_mode": revocation,
        "moment": moment,
        # In the past, an answer made after `moment` counts: a real OCSP answer is made
        # just after the timestamp it is fetched for, and "good" then means good at it.
        "retroactive_revinfo": moment is not None,
    }
    try:
        return DocumentSecurityStore.read_dss(reader).as_validation_context(settings)
    except NoDSSFoundError:
        return ValidationContext(**settings)


def _token_time(signed_data) -> datetime.datetime:
    """The time an RFC 3161 token says it was made (trusted only once the token is)."""
    return signed_data["encap_content_info"]["content"].parsed["gen_time"].native


def _signature_token_time(signature) -> datetime.datetime | None:
    """The time of the signature's own timestamp token (B-T), if it carries one."""
    token = next(extract_tst_data_iter(signature.signer_info, signed=False), None)
    return _token_time(token) if token is not None else None


def _past_validation(reader, signature, archive, roots, at):
    """Validate a long-term (B-LTA) signature at the times its timestamps prove.

    The archive (document) timestamps form a chain: each covers everything before it,
    the signature, its timestamp and the validation data included. Each is checked at the
    time of the next, which proves it existed then; the last at its own time and again at
    `at` (None: now). At its own time, against the revocation answers embedded with it; at
    `at`, for its certificates' validity periods only: whether its certificate was revoked
    since cannot be known offline, and it must not have expired by `at` (so the archive
    timestamp must be renewed before the TSA's certificate expires). The signature's
    timestamp is checked at the time of the first archive timestamp, and the signer's
    certificate at the time of the signature's timestamp, with the revocation answers
    embedded when it was signed (required wherever a certificate names a responder). So an
    expired signing certificate, or revocation answers long stale, do not matter: what
    matters is that they were valid when the timestamps prove the signature existed.

    Returns (signature status, archive stamp statuses, chronological, earliest archive time).
    """
    times = [_token_time(stamp.signed_data) for stamp in archive]
    stamps = [
        validate_pdf_timestamp(
            stamp, _offline_context(reader, roots, moment=moment, revocation="hard-fail")
        )
        for stamp, moment in zip(archive, [*times[1:], times[-1]], strict=True)
    ]
    stamps.append(
        validate_pdf_timestamp(
            archive[-1], _offline_context(reader, roots, moment=at, revocation="none")
        )
    )
    signed_at = _signature_token_time(signature) or times[0]
    status = validate_pdf_signature(
        signature,
        _offline_context(reader, roots, moment=signed_at, revocation="hard-fail"),
        ts_validation_context=_offline_context(
            reader, roots, moment=times[0], revocation="hard-fail"
        ),
    )
    now = at or datetime.datetime.now(datetime.UTC)
    chronological = all(a <= b for a, b in zip([signed_at, *times], [*times, now], strict=True))
    return status, stamps, chronological, times[0]


TRAILER = re.compile(
    rb"\s*(?:endobj\s*)?(?:trailer\s*<<.*>>\s*)?startxref\s+(\d+)\s+%%EOF\s*", re.S
)


def _ends_at_last_revision(reader: PdfFileReader, data: bytes) -> bool:
    """Nothing follows the last revision's end-of-file marker but white space."""
    last = reader.xrefs.total_revisions - 1
    end = reader.xrefs.get_xref_container_info(last).end_location
    match = TRAILER.fullmatch(data, end)
    return bool(match) and int(match[1]) == reader.xrefs.get_startxref_for_revision(last)


def _blank_padding(signature) -> bool:
    """The reserved space after a signature's DER in /Contents is zeros. Those bytes are in
    no byte range (a document timestamp's own padding is covered by nothing), so a changed
    one would otherwise pass unseen."""
    raw = signature.pkcs7_content
    _class, _method, _tag, header, content, trailer = asn1_parser.parse(raw)
    return not raw[len(header) + len(content) + len(trailer) :].strip(b"\0")


def _certificates_as_stored(reader: PdfFileReader, signatures) -> bool:
    """With a DSS, every certificate a signature carries is in it byte for byte. The
    certificates of a CMS signature are outside what it signs, and a document timestamp's
    are covered by nothing; a path the validator builds from the DSS copy would let a
    changed embedded copy pass unseen."""
    try:
        stored = {
            certificate.dump()
            for certificate in DocumentSecurityStore.read_dss(reader).load_certs()
        }
    except NoDSSFoundError:
        return True  # a B-B report: its signer's certificate is bound by a signed attribute
    return all(
        choice.chosen.dump() in stored
        for signature in signatures
        for choice in signature.signed_data["certificates"]
    )


def verify_pdf(
    data: bytes,
    *,
    roots: list[asn1_x509.Certificate] | None = None,
    at: datetime.datetime | None = None,
) -> Verdict:
    """Does the PDF carry an intact signature by a trusted signer, followed by nothing but
    validation data and document timestamps, with the last of those over the whole file?

    Trusted means: by the configured trust roots, or by `roots` when given (a restore checks
    against the roots it restored). Checked offline, from the embedded data alone, as of
    `at` (None: now; a later moment answers "would it still validate then?"). A long-term
    (B-LTA) file is validated in the past, at the times its timestamps prove
    (`_past_validation`); any other at `at` itself. Public uploads go through
    `verify_bounds` first.
    """
    if at is not None and at.utcoffset() is None:
        raise ValueError("verify_pdf(at=...) needs a timezone-aware moment")
    if b"%PDF-" not in data[:PDF_HEAD_WINDOW]:
        return Verdict(signed=False, readable=False)
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_regular_signatures
    except UNREADABLE:
        return Verdict(signed=False, readable=False)
    if not signatures:
        return Verdict(signed=False)
    signature = signatures[-1]
    roots = roots if roots is not None else trust_roots()
    try:
        archive = [
            stamp
            for stamp in reader.embedded_timestamp_signatures
            if stamp.signed_revision > signature.signed_revision
        ]
        if archive:
            status, archive_stamps, chronological, validated_at = _past_validation(
                reader, signature, archive, roots, at
            )
        else:
            status = validate_pdf_signature(
                signature,
                _offline_context(reader, roots, moment=at),
                ts_validation_context=_offline_context(reader, roots, moment=at),
            )
            archive_stamps, chronological = [], True
            validated_at = at or datetime.datetime.now(datetime.UTC)
    except (SignatureValidationError, *UNREADABLE):
        # A signature whose bytes cannot even be checked was tampered with or broken.
        return Verdict(signed=True, intact=False)
    # pyHanko's difference analysis judges every revision after the signature: only the
    # DSS and document timestamps of a long-term signature are accepted. Bytes after the
    # last revision (not a revision at all) are a change too.
    whole = (
        _ends_at_last_revision(reader, data)
        # The last document timestamp covers the whole file: validation data added after
        # it would be bytes outside every signature.
        and (
            not archive
            or archive[-1].evaluate_signature_coverage() == SignatureCoverageLevel.ENTIRE_FILE
        )
        and status.docmdp_ok is not False
        and (
            status.coverage == SignatureCoverageLevel.ENTIRE_FILE
            or (
                status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
                and status.modification_level in ACCEPTED_LATER_CHANGES
            )
        )
    )
    timestamp = status.timestamp_validity
    intact = (
        bool(status.intact)
        and all(s.intact and s.valid for s in archive_stamps)
        and all(_blank_padding(s) for s in reader.embedded_signatures)
        and _certificates_as_stored(reader, reader.embedded_signatures)
    )
    if timestamp is not None:
        intact = intact and timestamp.intact and timestamp.valid
    trusted = (
        chronological
        and bool(status.trusted)
        and (timestamp is None or timestamp.trusted)
        and all(s.trusted for s in archive_stamps)
    )
    return Verdict(
        signed=True,
        intact=intact,
        trusted=trusted,
        covers_whole_file=whole,
        signer=common_name(status.signing_cert) if status.signing_cert else "",
        signing_time=status.signer_reported_dt,
        timestamp=timestamp.timestamp if timestamp is not None else None,
        long_term=bool(archive_stamps),
        validated_at=validated_at,
    )


def archive_timestamp_expiry(data: bytes) -> datetime.datetime | None:
    """When the last document timestamp of a long-term report stops being checkable: the
    earliest expiry among the certificates it carries (its TSA's and that one's issuers).
    Its archive timestamp must be renewed before then (`_past_validation`). None for a
    file with no document timestamp after its signature (B-B) or none at all. Read as the
    file says, not validated: `verify_pdf` judges the file."""
    reader = PdfFileReader(BytesIO(data), strict=False)
    signatures = reader.embedded_regular_signatures
    stamps = reader.embedded_timestamp_signatures
    if not signatures or not stamps or stamps[-1].signed_revision < signatures[-1].signed_revision:
        return None
    certificates = [choice.chosen for choice in stamps[-1].signed_data["certificates"]]
    return min(certificate.not_valid_after for certificate in certificates)


@dataclass(frozen=True)
class Outcome:
    """What the verification page tells the public about an uploaded file."""

    ok: bool
    message: str
    checked: bool = True  # False: nothing could be judged, which is no verdict against it

    @property
    def level(self) -> str:
        if self.ok:
            return "success"
        return "danger" if self.checked else "warning"


def upload_outcome(verdict: Verdict, *, identical_to: str | None, expected: str | None) -> Outcome:
    """One plain sentence that is true of the file. `identical_to` is the number of the
    issued report whose bytes the file matches; `expected` the number of the report whose
    page the file was uploaded on, if any."""
    kind = verdict.kind
    if identical_to and kind == VerdictKind.GENUINE:
        return Outcome(
            True,
            _(
                "Genuine: byte-identical to issued report %(number)s, with a valid signature "
                "by %(signer)s."
            )
            % {"number": identical_to, "signer": verdict.signer},
        )
    if identical_to and kind == VerdictKind.UNCHECKABLE:
        return Outcome(
            True, _("Byte-identical to issued report %(number)s.") % {"number": identical_to}
        )
    messages = {
        VerdictKind.UNCHECKABLE: _("Signatures cannot be checked: no trusted root is configured."),
        VerdictKind.NOT_PDF: _("This file is not a PDF, or not a readable one."),
        VerdictKind.UNSIGNED: _(
            "This PDF carries no digital signature: it is not a report issued by this system."
        ),
        VerdictKind.MODIFIED: _(
            "This PDF was modified after it was signed: what it shows is not what was signed."
        ),
        VerdictKind.UNTRUSTED: _(
            "This PDF is signed, but with a certificate this system does not trust: it is not "
            "a report issued here."
        ),
    }
    if kind == VerdictKind.UNCHECKABLE and verdict.problem:
        # Why nothing could be judged (no root, or the check ran out of time or memory).
        return Outcome(False, verdict.problem, checked=False)
    if kind in messages:
        return Outcome(False, messages[kind], checked=kind != VerdictKind.UNCHECKABLE)
    if expected:
        message = _(
            "The signature is genuine (%(signer)s), but this file is not report %(number)s."
        ) % {"signer": verdict.signer, "number": expected}
    else:
        message = _(
            "The signature is genuine (%(signer)s), but this file is not one of the reports "
            "issued here."
        ) % {"signer": verdict.signer}
    return Outcome(False, message)
