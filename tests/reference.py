"""The published reference report, as paragraphs, and an in-order matcher.

The reference text was extracted from a PDF: whitespace inside a paragraph (and a few line
breaks inside sentences) are layout, not content, so matching ignores all whitespace.
"""

import re
from pathlib import Path

REFERENCE_FILE = Path(__file__).parent / "data" / "zhoucun-assessment-report-2021.txt"

# "标签: 值" lines whose label the report template prints and whose value is data.
LABEL = re.compile(r"^(项目名称|责任主体|联系人|职务|联系方式|评估模式|评估单位)[:：]")
# Section headings printed by the template: 一、基本情况 … and 1、合法性 …
HEADING = re.compile(r"^([一二三四五六七八九十]+|\d+)、\S{2,20}$")
PHONE_LABEL = "联系方式"


def squash(text: str) -> str:
    """Whitespace removed, and a label's colon read as one mark in either width: the
    reference was typed with ":" and the printed cover sets "：" (full-width punctuation
    is typography, not wording)."""
    return re.sub(r"\s+", "", text).replace(":", "：")


def reference_paragraphs(*, with_phones: bool = False) -> list[str]:
    """Every paragraph of the reference, whitespace removed; phone lines left out unless asked
    (the demo data replaces the real people's numbers with fictional ones)."""
    text = REFERENCE_FILE.read_text(encoding="utf-8")
    paragraphs = [squash(p) for p in re.split(r"\n\s*\n", text) if p.strip()]
    return [p for p in paragraphs if with_phones or not p.startswith(PHONE_LABEL)]


def reference_values() -> list[str]:
    """The paragraphs that are data the user enters: labels stripped, headings and bare
    labels (printed by the template) left out."""
    values = []
    for paragraph in reference_paragraphs():
        if HEADING.match(paragraph):
            continue
        value = LABEL.sub("", paragraph)
        if value:
            values.append(value)
    return values


def missing_in_order(paragraphs: list[str], haystack: str) -> list[str]:
    """The paragraphs not found in `haystack` one after another (whitespace ignored).

    Returns [] when every paragraph is found after the previous one.
    """
    text = squash(haystack)
    cursor = 0
    missing = []
    for paragraph in paragraphs:
        found = text.find(paragraph, cursor)
        if found < 0:
            missing.append(paragraph)
        else:
            cursor = found + len(paragraph)
    return missing
