"""The report as PDF (WeasyPrint), from the same templates and context as the preview.

WeasyPrint may load the project's own static files and nothing else (`StaticOnlyFetcher`);
the renderer refuses content it could not print faithfully.
"""

from __future__ import annotations

import logging
import ssl
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint.pdf.fonts as weasyprint_pdf_fonts
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.text.ffi import ffi
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..content import printing_problem
from .context import REPORT_LANGUAGE, report_context
from .typography import keep_paragraph_ends

logger = logging.getLogger(__name__)


STATIC_DIR = Path(settings.BASE_DIR) / "static"
CONTENT_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
}


class ReportRenderError(Exception):
    """The report cannot be rendered faithfully; the message says why, in plain words."""


# The fetcher never opens a network connection (it refuses every URL but static files and
# data: URIs), yet WeasyPrint's URLFetcher builds an HTTPS handler, whose default TLS context
# loads the system's CA certificates: ~25 ms of every report, ~100 ms on a busy machine
# (issue 17). One context without certificates, made once, is given instead; any HTTPS
# connection it were ever asked for would fail verification.
_NO_NETWORK_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint may load the project's own static files and data: URIs, nothing else.

    No network (SSRF), no file outside static/ — `..` and symlinks are resolved first — and
    no redirects. Every refused URL is kept in `refused`, for tests and for the log.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("ssl_context", _NO_NETWORK_TLS)
        super().__init__(*args, allow_redirects=False, **kwargs)
        self.root = STATIC_DIR.resolve()
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parsed = urlsplit(url)
        if parsed.scheme == "file" and not parsed.netloc:
            path = Path(url2pathname(parsed.path)).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                self.fetched.append(url)
                content_type = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
                return URLFetcherResponse(
                    url, path.read_bytes(), headers={"Content-Type": content_type}
                )
        self.refused.append(url)
        logger.warning("PDF renderer refused to load %s", url)
        raise ValueError(f"not allowed in reports: {url}")


_fonts = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread, reused for every render. Each new one leaves
    ~0.2 MB of Pango/fontconfig memory behind that is never freed (a worker grew ~100 MB
    over 200 reports); reused, the worker's memory stays flat."""
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


# WeasyPrint copies each font it embeds whole out of HarfBuzz, for every document, before
# subsetting it: four CJK faces, ~90 MB and ~40 ms of CPU a report (issue 17), though the
# subset is made from the face, not from the copy. The faces are Pango's, kept by the
# per-thread font configuration above, so the copy is the same bytes every time: it is
# kept per face, the face referenced meanwhile (its address cannot be reused for another).
# Only the copy `Font.__init__` makes right after taking a Pango face goes through the
# cache; subset results and colour glyphs are copied as before.
_FONT_FILES_KEPT = 16
_font_files: dict[int, tuple[Any, bytes]] = {}
_font_files_lock = threading.Lock()
_pango_face = threading.local()
_weasyprint_face_of = weasyprint_pdf_fonts.get_pango_font_hb_face
_weasyprint_data_of = weasyprint_pdf_fonts.get_hb_object_data


def _face_of_pango_font(pango_font):
    face = _weasyprint_face_of(pango_font)
    _pango_face.last = face
    return face


def _data_of_hb_object(hb_object, ot_color=None, glyph=None):
    if ot_color is not None or hb_object is not getattr(_pango_face, "last", None):
        return _weasyprint_data_of(hb_object, ot_color, glyph)
    _pango_face.last = None
    address = int(ffi.cast("uintptr_t", hb_object))
    with _font_files_lock:
        kept = _font_files.get(address)
    if kept is None:
        kept = (hb_object, _weasyprint_data_of(hb_object))
        with _font_files_lock:
            if len(_font_files) >= _FONT_FILES_KEPT:
                _font_files.clear()
            _font_files[address] = kept
    return kept[1]


weasyprint_pdf_fonts.get_pango_font_hb_face = _face_of_pango_font
weasyprint_pdf_fonts.get_hb_object_data = _data_of_hb_object


def _render_document(
    content: dict[str, Any],
    *,
    issue: dict[str, Any] | None,
    draft_watermark: bool,
    fetcher: StaticOnlyFetcher | None,
    outline: dict[str, Any] | None,
):
    problem = printing_problem(content)
    if problem:
        raise ReportRenderError(problem)
    with translation.override(REPORT_LANGUAGE):
        html = keep_paragraph_ends(
            render_to_string(
                "reports/report.html",
                {
                    **report_context(content, outline),
                    "issue": issue,
                    "draft_watermark": draft_watermark,
                },
            )
        )
    return HTML(
        string=html,
        base_url=STATIC_DIR.resolve().as_uri() + "/",
        url_fetcher=fetcher or StaticOnlyFetcher(),
    ).render(font_config=_font_config())


def render_pdf(
    content: dict[str, Any],
    *,
    issue: dict[str, Any] | None = None,
    draft_watermark: bool = False,
    fetcher: StaticOnlyFetcher | None = None,
    outline: dict[str, Any] | None = None,
) -> bytes:
    """The report as PDF, from the same body template as the preview, under the headings
    of `outline` (the default outline of the content's mode when None)."""
    document = _render_document(
        content, issue=issue, draft_watermark=draft_watermark, fetcher=fetcher, outline=outline
    )
    return document.write_pdf()


ISSUED_PDF_VARIANT = "pdf/a-2b"
PX_TO_PT = 0.75  # CSS pixels (1/96 in) to PDF points (1/72 in)


def _find_box(box, css_class: str):
    element = getattr(box, "element", None)
    if element is not None and css_class in (element.get("class") or "").split():
        return box
    for child in getattr(box, "children", None) or []:
        found = _find_box(child, css_class)
        if found is not None:
            return found
    return None


def render_issued_pdf(
    content: dict[str, Any], *, issue: dict[str, Any], outline: dict[str, Any] | None = None
) -> tuple[bytes, tuple[int, int, int, int]]:
    """The issued report and, in PDF points on its last page, the rectangle of the 落款
    (evaluating unit, date, seal) — where the digital signature's field is placed so viewers
    show it there."""
    document = _render_document(
        content, issue=issue, draft_watermark=False, fetcher=None, outline=outline
    )
    page = document.pages[-1]
    block = _find_box(page._page_box, "report-closing")
    if block is None:
        raise ReportRenderError("the closing block (落款) is missing from the last page")
    x = block.border_box_x() * PX_TO_PT
    y = block.border_box_y() * PX_TO_PT
    width = block.border_width() * PX_TO_PT
    height = block.border_height() * PX_TO_PT
    page_height = page.height * PX_TO_PT
    rectangle = (
        round(x),
        round(page_height - y - height),
        round(x + width),
        round(page_height - y),
    )
    # PDF/A-2b for the archive: WeasyPrint embeds the fonts, an sRGB output intent and the
    # XMP identification; nothing is encrypted.
    return document.write_pdf(pdf_variant=ISSUED_PDF_VARIANT), rectangle


def render_html_pdf(html: str, *, pdf_variant: str | None = ISSUED_PDF_VARIANT) -> bytes:
    """Another official form (the 报备表, `reports.filing_form`) as PDF, by the report's
    rules: the same fetcher (static files only), the same fonts, PDF/A-2b by default."""
    document = HTML(
        string=keep_paragraph_ends(html),
        base_url=STATIC_DIR.resolve().as_uri() + "/",
        url_fetcher=StaticOnlyFetcher(),
    ).render(font_config=_font_config())
    return document.write_pdf(pdf_variant=pdf_variant)
