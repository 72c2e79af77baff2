"""Digital signatures on issued reports (PAdES with pyHanko).

The bureau's certificate comes from a PKCS#12 file named in settings (`pki`); verification
is in `verify`.
"""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle

from .pki import current_signer


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
