"""Digital signatures on issued reports (PAdES with pyHanko) and their verification.

The bureau's certificate comes from a PKCS#12 file named in settings. Development and tests
create a local CA and signer with `create_dev_ca`; nothing of it is ever committed.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext


class SigningNotConfigured(Exception):
    """No usable signing certificate: issuing cannot proceed."""


@dataclass(frozen=True)
class SignerIdentity:
    name: str
    fingerprint: str  # SHA-256 of the certificate, colon-separated hex


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
    problem: str = ""

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


def fingerprint(certificate_der: bytes) -> str:
    digest = hashlib.sha256(certificate_der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def common_name(certificate: asn1_x509.Certificate) -> str:
    subject = certificate.subject.native
    return subject.get("common_name") or certificate.subject.human_friendly


def _signing_paths() -> tuple[Path, bytes]:
    path = settings.ZHOUCUN_SIGNING_P12
    if not path or not Path(path).is_file():
        raise SigningNotConfigured(
            f"No signing certificate at {path!r}: set ZHOUCUN_SIGNING_P12 "
            "(development: manage.py create_dev_ca)."
        )
    return Path(path), (settings.ZHOUCUN_SIGNING_P12_PASSWORD or "").encode()


@lru_cache(maxsize=4)
def _load_signer(path: str, mtime: float, passphrase: bytes) -> signers.SimpleSigner:
    signer = signers.SimpleSigner.load_pkcs12(pfx_file=path, passphrase=passphrase or None)
    if signer is None:
        raise SigningNotConfigured(f"The PKCS#12 file {path} could not be read.")
    return signer


def current_signer() -> signers.SimpleSigner:
    path, passphrase = _signing_paths()
    return _load_signer(str(path), path.stat().st_mtime, passphrase)


def signer_identity() -> SignerIdentity:
    certificate = current_signer().signing_cert
    return SignerIdentity(
        name=common_name(certificate), fingerprint=fingerprint(certificate.dump())
    )


def sign_pdf(
    pdf: bytes,
    *,
    reason: str,
    location: str,
    visible_box: tuple[int, int, int, int] | None = None,
) -> bytes:
    """A PAdES (B-B) signature over the whole PDF, with the given reason.

    With `visible_box` (PDF points, last page) the signature field lies over the report's
    own signature block, so viewers show the signature there; its appearance is left blank
    because the block already prints signer, time and fingerprint in Chinese.
    """
    meta = signers.PdfSignatureMetadata(
        field_name="BureauSignature",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    field_spec = None
    if visible_box is not None:
        field_spec = fields.SigFieldSpec("BureauSignature", on_page=-1, box=visible_box)
    signer = signers.PdfSigner(
        meta,
        signer=current_signer(),
        stamp_style=StaticStampStyle(border_width=0, background=None),
        new_field_spec=field_spec,
    )
    return signer.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf))).getvalue()


def trust_roots() -> list[asn1_x509.Certificate]:
    path = settings.ZHOUCUN_TRUST_ROOTS
    if not path or not Path(path).is_file():
        raise SigningNotConfigured(f"No trust roots at {path!r}: set ZHOUCUN_TRUST_ROOTS.")
    return load_roots(Path(path).read_bytes())


def load_roots(pem: bytes) -> list[asn1_x509.Certificate]:
    roots = []
    for certificate in x509.load_pem_x509_certificates(pem):
        der = certificate.public_bytes(serialization.Encoding.DER)
        roots.append(asn1_x509.Certificate.load(der))
    return roots


# Where a PDF must say so: "%PDF-" within its first kilobyte (the PDF specification lets
# some bytes come first).
PDF_HEADER_WINDOW = 1024
# What pyHanko raises on input it cannot parse (it has no single exception for that).
UNREADABLE = (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, EOFError)


def verify_pdf(data: bytes, *, roots: list[asn1_x509.Certificate] | None = None) -> Verdict:
    """Does the PDF carry an intact signature, over the whole file, by a trusted signer?

    Trusted means: by the configured trust roots, or by `roots` when given (a restore checks
    against the roots it restored). Public uploads go through `verify_bounds` first.
    """
    if b"%PDF-" not in data[:PDF_HEADER_WINDOW]:
        return Verdict(signed=False, readable=False)
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except UNREADABLE:
        return Verdict(signed=False, readable=False)
    if not signatures:
        return Verdict(signed=False)
    signature = signatures[-1]
    context = ValidationContext(trust_roots=roots if roots is not None else trust_roots())
    try:
        status = validate_pdf_signature(signature, context)
    except (SignatureValidationError, *UNREADABLE):
        # A signature whose bytes cannot even be checked was tampered with or broken.
        return Verdict(signed=True, intact=False)
    whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    return Verdict(
        signed=True,
        intact=bool(status.intact),
        trusted=bool(status.trusted),
        covers_whole_file=whole,
        signer=common_name(status.signing_cert) if status.signing_cert else "",
        signing_time=status.signer_reported_dt,
    )


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


def _key_usage(**allowed: bool) -> x509.KeyUsage:
    usages = [
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    ]
    return x509.KeyUsage(**{usage: allowed.get(usage, False) for usage in usages})


def create_dev_ca(directory: Path, *, organisation: str, password: str) -> tuple[Path, Path]:
    """A local root CA and a signing certificate, for development and tests only.

    ECDSA P-256 signs in tens of milliseconds. Returns (root PEM, signer PKCS#12).
    """
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} 开发测试根证书"),
        ]
    )
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer_cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                    x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation}（开发测试签名）"),
                ]
            )
        )
        .issuer_name(root_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    root_path = directory / "root.pem"
    root_path.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    p12_path = directory / "signer.p12"
    p12_path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signer",
            signer_key,
            signer_cert,
            [root],
            serialization.BestAvailableEncryption(password.encode()),
        )
    )
    p12_path.chmod(0o600)
    return root_path, p12_path
