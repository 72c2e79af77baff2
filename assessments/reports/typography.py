"""Chinese typesetting rules for the printed report, written once for the preview and the PDF.

- A paragraph's last line never holds one or two characters alone: its last characters are
  joined to those before them by a no-break span (`keep_paragraph_ends`). The text itself is
  unchanged — no invisible joiner enters it, so what is copied out of the PDF is what was
  typed.
- A title breaks only between words (`words`, from jieba's dictionary): "综合改造" is never
  printed as "综合改" / "造".
- The risk level is named one way throughout: 低风险, never 低 or 低级 (`level_name`).
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

# How many characters at the end of a paragraph are kept together on its last line: the
# last line then holds at least this many (for "完成。" that is two characters and the
# full stop, the least a typesetter lets stand alone).
PARAGRAPH_END_CHARS = 4
# A shorter paragraph (a date, a name) fits one line anyway; a longer tail inside a link or
# a marked-up string is not held together (it could not wrap inside the text block).
MIN_PARAGRAPH_CHARS = 12
MAX_HELD_CHARS = 12

# The elements whose ends are kept together: paragraphs (headings fit on one line; the
# title's lines are chosen in reports.titles).
_BLOCK = re.compile(r"(<(p)\b[^>]*>)(.*?)(</\2>)", re.DOTALL)
_TAG = re.compile(r"(<[^>]+>)")
# One printed character of escaped HTML text: an entity or a single character.
_UNIT = re.compile(r"&#?\w+;|.", re.DOTALL)
_NO_BREAK_OPEN = '<span class="keep-end">'


def _units(text: str) -> list[str]:
    return _UNIT.findall(text)


def _held_end(inner: str) -> str | None:
    """`inner` (escaped HTML of one paragraph) with its last characters in a no-break span,
    or None when it is too short or its end lies in markup that must not be held."""
    tokens = _TAG.split(inner)
    visible = [u for t in tokens if not t.startswith("<") for u in _units(t) if not u.isspace()]
    if len(visible) < MIN_PARAGRAPH_CHARS:
        return None
    # Walk back over the tokens, counting printed characters, to where the held end starts.
    needed = PARAGRAPH_END_CHARS
    depth = 0  # how many inline elements, opened before the cut, close after it
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        if token.startswith("<"):
            if token.startswith("</"):
                depth += 1
            elif not token.endswith("/>") and not token.lower().startswith(("<br", "<img")):
                depth -= 1
            if depth == 0 and needed <= 0:
                cut = index
                break
            continue
        units = _units(token)
        for position in range(len(units) - 1, -1, -1):
            if not units[position].isspace():
                needed -= 1
            if needed <= 0 and depth == 0:
                head = "".join(units[:position])
                tail = "".join(units[position:])
                return (
                    "".join(tokens[:index])
                    + head
                    + _NO_BREAK_OPEN
                    + tail
                    + "".join(tokens[index + 1 :])
                    + "</span>"
                )
    else:
        return None
    # The cut falls inside an inline element: hold the whole element, if it is short.
    held = "".join(tokens[cut:])
    held_chars = sum(
        1 for t in tokens[cut:] if not t.startswith("<") for u in _units(t) if not u.isspace()
    )
    if held_chars > MAX_HELD_CHARS:
        return None
    return "".join(tokens[:cut]) + _NO_BREAK_OPEN + held + "</span>"


def keep_paragraph_ends(html: str) -> SafeString:
    """The report's HTML with the end of every paragraph held together, so no last line
    holds one or two characters alone. `html` is the rendered (escaped) template."""

    def hold(match: re.Match) -> str:
        opening, _name, inner, closing = match.groups()
        held = _held_end(inner)
        return opening + (held if held is not None else inner) + closing

    # The input is the rendered template (already escaped); only a span is added to it.
    return mark_safe(_BLOCK.sub(hold, html))  # noqa: S308


_segmenter_lock = threading.Lock()


@lru_cache(maxsize=1)
def _segmenter():
    """jieba's tokenizer with its full dictionary, loaded once per process (about a second,
    ~60 MB) and only when a title is long enough to need breaking. Its cache is kept in the
    project's own var/ folder, not in a shared /tmp."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    cache_dir = settings.VAR_DIR / "cache"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tokenizer.tmp_dir = str(cache_dir)
    except OSError:
        tokenizer.tmp_dir = None  # read-only var/: jieba builds the dictionary in memory
        tokenizer.cache_file = None
    with _segmenter_lock:
        tokenizer.initialize()
    return tokenizer


@lru_cache(maxsize=256)
def words(text: str) -> tuple[str, ...]:
    """`text` cut into words (punctuation marks are words of their own)."""
    return tuple(_segmenter().cut(text, HMM=True))


def level_name(name: str) -> str:
    """A risk level as the report names it: 低 → 低风险 (a scheme may already say 低风险)."""
    name = (name or "").strip()
    if not name:
        return ""
    name = name.removesuffix("级")
    return name if name.endswith("风险") else f"{name}风险"
