"""What a file really is, judged from its bytes: one rule for every place a file arrives
(evidence attachments, the unit's seal image, the public verification page)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]
    label: str


PDF = FileType("application/pdf", (".pdf",), "PDF")
JPEG = FileType("image/jpeg", (".jpg", ".jpeg"), "JPEG")
PNG = FileType("image/png", (".png",), "PNG")

# Where a PDF must say so: "%PDF-" within its first kilobyte (the PDF specification lets
# some bytes come first), "startxref <offset> %%EOF" within its last.
PDF_HEAD_WINDOW = 1024
PDF_TAIL_WINDOW = 1024


def looks_like_pdf(data: bytes) -> bool:
    """The shape of a PDF, checked before any parser sees the file: a file of 20 MB junk with
    %%EOF at its end but no startxref kept pyHanko busy for 6 s."""
    tail = data[-PDF_TAIL_WINDOW:]
    return b"%PDF-" in data[:PDF_HEAD_WINDOW] and b"%%EOF" in tail and b"startxref" in tail


@dataclass(frozen=True)
class Sniffed:
    type: FileType
    # Width and height in pixels, for images.
    size: tuple[int, int] | None = None


def sniff(data: bytes) -> Sniffed | None:
    """The type the bytes really are, checked beyond the first few bytes: a PDF must be
    shaped like one, an image must decode (with Pillow's decompression-bomb guard)."""
    if data.startswith(b"%PDF-"):
        return Sniffed(PDF) if looks_like_pdf(data) else None
    if data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"):
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
                found, size = image.format, image.size
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            return None  # it does not decode: whatever it is, it is not an image we accept
        kind = {"JPEG": JPEG, "PNG": PNG}.get(found)
        return Sniffed(kind, size) if kind else None
    return None
