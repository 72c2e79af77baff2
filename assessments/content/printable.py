"""Which content the report can print faithfully: one check over the whole content, asked
before submission, by the preview and by the renderer (whatever path the text came by)."""

from __future__ import annotations

import json
from typing import Any

from ..common.text import (
    invisible_characters,
    invisible_message,
    unprintable_characters,
    unprintable_message,
)


def _text(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False)


def uncovered_characters(content: dict[str, Any]) -> list[str]:
    return unprintable_characters(_text(content))


def printing_problem(content: dict[str, Any]) -> str | None:
    """Why the report could not say exactly what this content says, or None: characters
    nobody can see that change how the text reads, or characters the font cannot draw.
    Asked of the whole content, so text that came round the forms (an import, a script) is
    caught at submission as surely as text typed into a step."""
    text = _text(content)
    invisible = invisible_characters(text)
    if invisible:
        return invisible_message(invisible)
    missing = unprintable_characters(text)
    return unprintable_message(missing) if missing else None
