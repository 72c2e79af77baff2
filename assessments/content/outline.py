"""Which outline a report follows, and the outline as a document: numbered headings in order.

A unit's outline for a mode is inherited down the unit tree (`Unit.lineage`): the nearest
unit that chose one wins, else the mode's default outline. `outline_snapshot` is what a
Version keeps at submission and what the report is rendered from, so the preview, the draft
PDF and the signed PDF walk the same headings, and an old version walks its own.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.utils.translation import gettext as _

from ..models import FREE, Outline, Unit, UnitOutline, heading_number
from .locality import effective_for


def effective_outline(unit: Unit | None, mode: str) -> Outline:
    """The outline the unit's reports of this mode follow: the choice of the nearest unit up
    the tree (the one walk of `content.locality`), else the mode's default outline."""
    choices = UnitOutline.objects.filter(mode=mode).select_related("outline")
    chosen = effective_for(unit, choices, key=attrgetter("mode")).get(mode)
    if chosen is not None:
        return chosen.outline
    return Outline.objects.get(mode=mode, default_for_mode=True)


def numbered_headings(numbering: list[str], headings: list[dict]) -> list[dict]:
    """The headings with their numbers: a level's counter runs on among siblings and
    restarts under each new heading above it; an unnumbered heading takes no number."""
    counters = [0] * (len(numbering) + 1)
    result = []
    for heading in headings:
        level = heading["level"]
        number = ""
        if heading.get("numbered", True):
            counters[level] += 1
            number = heading_number(numbering[level - 1], counters[level])
        for deeper in range(level + 1, len(counters)):
            counters[deeper] = 0
        result.append({**heading, "number": number})
    return result


def outline_snapshot(outline: Outline) -> dict[str, Any]:
    """The outline as a document: what a Version keeps and the report walks."""
    headings = [
        {
            "level": heading.level,
            "title": heading.title,
            "binding": heading.binding,
            "key": heading.key,
            "numbered": heading.numbered,
        }
        for heading in outline.headings.order_by("position")
    ]
    return {
        "code": outline.code,
        "name": outline.name,
        "mode": outline.mode,
        "headings": numbered_headings(outline.numbering, headings),
    }


def outline_for(unit: Unit | None, mode: str) -> dict[str, Any]:
    """The snapshot of the outline the unit's reports of this mode follow now."""
    return outline_snapshot(effective_outline(unit, mode))


def free_sections(outline: dict[str, Any]) -> list[dict]:
    """The outline's sections of the locality's own, which the assessor writes."""
    return [heading for heading in outline["headings"] if heading["binding"] == FREE]


def free_texts(content: dict[str, Any]) -> dict[str, str]:
    """The texts of the free sections in `content`, by key. Added to the content without a
    schema bump: content from before has none, which is what its assessor wrote."""
    return content.get("free_sections") or {}


def free_section_problems(content: dict[str, Any], outline: dict[str, Any] | None) -> list[str]:
    """The free sections of `outline` that `content` leaves empty, in words for the user: a
    report does not print a heading of the locality's with nothing the assessor wrote."""
    if outline is None:
        return []
    texts = free_texts(content)
    return [
        _("Sections of the outline: %(heading)s is empty.")
        % {"heading": heading["number"] + heading["title"]}
        for heading in free_sections(outline)
        if not texts.get(heading["key"], "").strip()
    ]
