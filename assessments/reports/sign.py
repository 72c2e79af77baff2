"""Digital signatures on issued reports (PAdES with pyHanko).

The bureau's certificate comes from a PKCS#12 file named in settings (`pki`); verification
is in `verify`. The signature level is a setting (ZHOUCUN_SIGNATURE_LEVEL):

- "B-LTA" (the default): the signature carries an RFC 3161 timestamp from the TSA named in
  ZHOUCUN_TSA_URL; the certificates, OCSP answers and CRLs that prove it valid are embedded
  in a document security store (DSS), and a document timestamp seals the whole. Such a
  report can be checked offline, after the certificates expire.
- "B-B": a plain signature with no timestamp (only when the setting says so explicitly).

A configured TSA, OCSP responder or CRL that cannot be reached makes signing fail with
`TimestampUnavailable`: a report is never issued at a lower level than configured.
"""

from __future__ import annotations

import asyncio
import threading
import time
from io import BytesIO

from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.constants import ESIC_EXTENSION_1
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, TimestampDSSContentSettings
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import (
    CertificateFetchError,
    ExpiredError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)

from .pki import SigningNotConfigured, current_signer, trust_roots

LEVELS = ("B-B", "B-LTA")
TSA_TIMEOUT_SECONDS = 10


class TimestampUnavailable(Exception):
    """The timestamp authority, or the revocation services, could not be reached or gave
    no usable answer: the report cannot be signed at its level now. Retrying may succeed."""


def signature_level() -> str:
    level = settings.ZHOUCUN_SIGNATURE_LEVEL
    if level not in LEVELS:
        raise SigningNotConfigured(
            f"ZHOUCUN_SIGNATURE_LEVEL is {level!r}; it must be one of {', '.join(LEVELS)}."
        )
    if level != "B-B" and not settings.ZHOUCUN_TSA_URL:
        raise SigningNotConfigured(
            f"Signature level {level} needs a timestamp authority: set ZHOUCUN_TSA_URL "
            "(or ZHOUCUN_SIGNATURE_LEVEL=B-B to sign without a timestamp)."
        )
    return level


def timestamper(timeout: float = TSA_TIMEOUT_SECONDS) -> RequestsHTTPTimeStamper:
    return RequestsHTTPTimeStamper(settings.ZHOUCUN_TSA_URL, timeout=timeout)


# How long a worker reuses one timestamper. pyHanko sizes each signature's placeholder from a
# "dummy" timestamp it asks the TSA for once per timestamper and then keeps: a new
# timestamper for every report meant three TSA round trips a report instead of two (issue
# 17). Renewed after a while, so that a TSA whose certificate changed is soon sized anew.
TIMESTAMPER_REUSE_SECONDS = 600
_timestampers = threading.local()


def _signing_timestamper() -> RequestsHTTPTimeStamper:
    """This thread's timestamper for signing, renewed every TIMESTAMPER_REUSE_SECONDS or
    when the TSA's URL changes."""
    url = settings.ZHOUCUN_TSA_URL
    kept = getattr(_timestampers, "kept", None)
    now = time.monotonic()
    if kept is None or kept[0] != url or now - kept[1] > TIMESTAMPER_REUSE_SECONDS:
        kept = _timestampers.kept = (url, now, timestamper())
    return kept[2]


def probe_tsa(digest: bytes, *, timeout: float) -> None:
    """Ask the TSA for a timestamp over a SHA-256 `digest`; raises `TimestampUnavailable`
    unless it grants one."""
    try:
        asyncio.run(timestamper(timeout).async_timestamp(digest, "sha256"))
    except (OSError, TimestampRequestError) as error:
        raise TimestampUnavailable(
            f"The timestamp authority at {settings.ZHOUCUN_TSA_URL} gave no timestamp: {error}"
        ) from error


class PdfA2Signer(signers.PdfSigner):
    """pyHanko's signer, kept within PDF 1.7 as PDF/A-2 requires: pyHanko raises the file
    to PDF 2.0 and declares ISO 32002 for an ECDSA key, but ECDSA signatures are part of
    ISO 32000-1 already, so only the PAdES (ESIC) extension is declared."""

    def register_extensions(self, pdf_out, *, md_algorithm: str) -> None:
        if self.signature_meta.subfilter == fields.SigSeedSubFilter.PADES:
            pdf_out.ensure_output_version(version=(1, 7))
            pdf_out.register_extension(ESIC_EXTENSION_1)


def sign_pdf(
    pdf: bytes,
    *,
    reason: str,
    location: str,
    visible_box: tuple[int, int, int, int] | None = None,
) -> bytes:
    """A PAdES signature over the whole PDF, with the given reason, at the configured level.

    With `visible_box` (PDF points, last page) the signature field lies over the report's
    own signature block, so viewers show the signature there; its appearance is left blank
    because the block already prints signer, time and fingerprint in Chinese (and a text
    stamp's font would not be embedded, which PDF/A forbids).
    """
    long_term = signature_level() == "B-LTA"
    meta = signers.PdfSignatureMetadata(
        field_name="BureauSignature",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        embed_validation_info=long_term,
        use_pades_lta=long_term,
        # The validation data goes in before the document timestamp, so that timestamp
        # covers the whole file: no byte of an issued report is outside every signature.
        dss_settings=DSSContentSettings(
            include_vri=False,
            next_ts_settings=TimestampDSSContentSettings(include_vri=False, update_before_ts=True),
        ),
        # Revocation must be checked, and its answers embedded, when signing: a report
        # whose proof could not be gathered is not issued.
        validation_context=(
            ValidationContext(
                trust_roots=trust_roots(), allow_fetching=True, revocation_mode="hard-fail"
            )
            if long_term
            else None
        ),
    )
    field_spec = None
    if visible_box is not None:
        field_spec = fields.SigFieldSpec("BureauSignature", on_page=-1, box=visible_box)
    signer = PdfA2Signer(
        meta,
        signer=current_signer(),
        timestamper=_signing_timestamper() if long_term else None,
        stamp_style=StaticStampStyle(border_width=0, background=None),
        new_field_spec=field_spec,
    )
    try:
        return signer.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf))).getvalue()
    except TimestampRequestError as error:
        raise TimestampUnavailable(
            f"The timestamp authority at {settings.ZHOUCUN_TSA_URL} gave no timestamp: {error}"
        ) from error
    except (SigningError, PathBuildingError, PathValidationError) as error:
        if not long_term:
            raise
        if _certificate_unusable(error):
            raise SigningNotConfigured(
                f"The signing certificate cannot make a long-term signature: {error}"
            ) from error
        raise TimestampUnavailable(
            f"The validation data for a long-term signature could not be gathered: {error}"
        ) from error


def _certificate_unusable(error: BaseException) -> bool:
    """Whether a failure to gather validation data is the certificate's own (revoked,
    expired, not yet valid, no path to the trust roots) rather than a service that could
    not be reached: the first needs a person, the second a later attempt."""
    while error is not None:
        if isinstance(error, RevokedError | ExpiredError | NotYetValidError):
            return True
        if isinstance(error, PathBuildingError) and not isinstance(error, CertificateFetchError):
            return True
        error = error.__cause__ or error.__context__
    return False
