"""The report: context built from an assessment's content, rendered from one template.

The on-screen preview and the PDF both render `reports/_body.html` from the same context,
so they cannot differ. The report is an official Chinese document: it is always rendered in
Chinese, whatever language the user interface is in.
"""

from __future__ import annotations

import logging
import threading
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .content import (
    assessment_content,
    uncovered_characters,
    unprintable_characters,  # noqa: F401 - part of this module's interface
    unprintable_message,
    upgrade,
)
from .fonts import BODY_FONT, REPORT_FONTS, font_characters, font_file  # noqa: F401
from .models import Assessment, Dimension, Mode, Recommendation, RiskCategory, RiskLevel
from .report_standard import standard_report_context

REPORT_LANGUAGE = "zh-hans"
logger = logging.getLogger(__name__)


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# Characters per title line: 22 pt characters in the 156 mm text block hold 20; 18 leaves
# the centred title some air and never lets a line reach the margin.
TITLE_LINE_CHARS = 18
# The fixed ending of most report titles: printed whole on its own line when the title is
# too long for one line, as a bureau would set it.
TITLE_ENDINGS = ("社会稳定风险评估报告",)
# A line may not start with closing punctuation nor end with opening punctuation.
NO_LINE_START = set("，。、；：？！》）」』”’·…")
NO_LINE_END = set("《（「『“‘")


def _balanced_lines(text: str, width: int) -> list[str]:
    """Split `text` into as few lines of at most `width` characters as possible, all of
    nearly equal length (never a short orphan at the end), nudged off forbidden breaks."""
    count = -(-len(text) // width)
    lines, start = [], 0
    for remaining in range(count, 0, -1):
        size = -(-(len(text) - start) // remaining)
        end = start + size if remaining > 1 else len(text)
        for shift in (0, -1, 1, -2, 2):
            candidate = end + shift
            if remaining == 1 or not (start < candidate < len(text)):
                continue
            if candidate - start > width:
                continue
            if text[candidate] not in NO_LINE_START and text[candidate - 1] not in NO_LINE_END:
                end = candidate
                break
        lines.append(text[start:end])
        start = end
    return lines


def title_lines(title: str, width: int = TITLE_LINE_CHARS) -> list[str]:
    """The report title as printed lines, decided once for the preview and the PDF."""
    title = title.strip()
    if len(title) <= width:
        return [title] if title else []
    for ending in TITLE_ENDINGS:
        head = title.removesuffix(ending)
        if head != title and len(head) >= 4:
            return [*_balanced_lines(head, width), ending]
    return _balanced_lines(title, width)


def conclusion_statement(level, recommendation: str) -> str:
    """四、评估结论 in the scheme's words: "风险等级：低风险。评估建议：准予实施。"."""
    if level is None or not recommendation:
        return ""
    if recommendation == level.recommendation and level.recommendation_note:
        advice = level.recommendation_note
    else:
        advice = str(Recommendation(recommendation).label)
    name = level.name if level.name.endswith("风险") else f"{level.name}风险"
    return f"风险等级：{name}。评估建议：{advice}。"


def report_context(content: dict[str, Any]) -> dict[str, Any]:
    """Turn content (live, or a frozen Version's of any schema) into what the report
    template shows."""
    content = upgrade(content)
    levels = {level.code: level for level in RiskLevel.objects.all()}
    with translation.override(REPORT_LANGUAGE):
        findings = [
            {
                "number": number,
                "label": str(Dimension(item["dimension"]).label),
                "paragraphs": _paragraphs(item["text"]),
            }
            for number, item in enumerate(content["findings"], start=1)
        ]
        risk_points = [
            {
                **point,
                "category_label": str(RiskCategory(point["category"]).label),
                "level_before_name": levels[point["level_before"]].name,
                "level_after_name": levels[point["level_after"]].name,
            }
            for point in content["risk_points"]
        ]
        level = levels.get(content["risk_level"]) if content["risk_level"] else None
        recommendation = (
            str(Recommendation(content["recommendation"]).label)
            if content["recommendation"]
            else ""
        )
        context = {
            "title": content["title"],
            "title_lines": title_lines(content["title"]),
            "report_date": date.fromisoformat(content["report_date"])
            if content["report_date"]
            else None,
            "project_name": content["project_name"],
            "responsible_entity": content["responsible_entity"],
            "responsible_contacts": content["contacts"]["responsible"],
            "mode_label": str(Mode(content["mode"]).label),
            "is_standard": content["mode"] == Mode.STANDARD,
            "evaluating_unit": content["evaluating_unit"],
            "evaluator_contacts": content["contacts"]["evaluator"],
            "basic_paragraphs": _paragraphs(content["basic_situation"]),
            "findings": findings,
            "risk_paragraphs": _paragraphs(content["risk_narrative"]),
            "risk_points": risk_points,
            "risk_level": level,
            "recommendation_label": recommendation,
            "conclusion_paragraphs": _paragraphs(content["conclusion"]),
            "body_template": "reports/_body.html",
            "conclusion_statement": conclusion_statement(level, content["recommendation"]),
        }
        if context["is_standard"]:
            # The 2013 outline: its own body template, the simple one left as it is.
            context.update(standard_report_context(content, levels, context["risk_points"]))
            context["body_template"] = "reports/_body_standard.html"
        return context


def render_report_body(content: dict[str, Any]) -> str:
    """The report as an HTML fragment, for the preview inside a page."""
    with translation.override(REPORT_LANGUAGE):
        context = report_context(content)
        return render_to_string(context["body_template"], context)


def preview_html(assessment: Assessment) -> str:
    return render_report_body(assessment_content(assessment))


# --- PDF --------------------------------------------------------------------------------

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


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint may load the project's own static files and data: URIs, nothing else.

    No network (SSRF), no file outside static/ — `..` and symlinks are resolved first — and
    no redirects. Every refused URL is kept in `refused`, for tests and for the log.
    """

    def __init__(self, *args, **kwargs):
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


def _render_document(
    content: dict[str, Any],
    *,
    issue: dict[str, Any] | None,
    draft_watermark: bool,
    fetcher: StaticOnlyFetcher | None,
):
    missing = uncovered_characters(content)
    if missing:
        raise ReportRenderError(unprintable_message(missing))
    with translation.override(REPORT_LANGUAGE):
        html = render_to_string(
            "reports/report.html",
            {**report_context(content), "issue": issue, "draft_watermark": draft_watermark},
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
) -> bytes:
    """The report as PDF, from the same body template as the preview."""
    document = _render_document(
        content, issue=issue, draft_watermark=draft_watermark, fetcher=fetcher
    )
    return document.write_pdf()


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
    content: dict[str, Any], *, issue: dict[str, Any]
) -> tuple[bytes, tuple[int, int, int, int]]:
    """The issued report and, in PDF points on its last page, the rectangle of the 落款
    (evaluating unit, date, seal) — where the digital signature's field is placed so viewers
    show it there."""
    document = _render_document(content, issue=issue, draft_watermark=False, fetcher=None)
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
    return document.write_pdf(), rectangle
