"""The report title as printed lines, decided once for the preview and the PDF."""

from __future__ import annotations

from functools import cache

from .typography import words

# Characters per title line: 22 pt characters in the 156 mm text block hold 20; 18 leaves
# the centred title some air and never lets a line reach the margin.
TITLE_LINE_CHARS = 18
# The fixed ending of most report titles: printed whole on its own line when the title is
# too long for one line, as a bureau would set it.
TITLE_ENDINGS = ("社会稳定风险评估报告",)
# A line may not start with closing punctuation nor end with opening punctuation.
NO_LINE_START = set("，。、；：？！》）」』”’·…")
NO_LINE_END = set("《（「『“‘")


def _break_points(text: str) -> list[int]:
    """Where a line may end: between two words, never before closing or after opening
    punctuation."""
    points, position = [], 0
    for word in words(text):
        position += len(word)
        points.append(position)
    return [
        p for p in points[:-1] if text[p] not in NO_LINE_START and text[p - 1] not in NO_LINE_END
    ]


def _balanced_lines(text: str, width: int) -> list[str]:
    """Split `text` into as few lines of at most `width` characters as possible, breaking
    only between words, the lines as nearly equal in length as the words allow (never a
    short orphan at the end). Only a word longer than a line is cut inside."""
    return _set_lines(text, _break_points(text), width) or _set_lines(
        text, list(range(1, len(text))), width
    )


def _set_lines(text: str, breaks: list[int], width: int) -> list[str]:
    """The most even setting of `text` in the fewest lines ending at `breaks`; [] if none."""
    points = [0, *breaks, len(text)]
    last = len(points) - 1

    @cache
    def best(i: int, lines: int) -> tuple[float, tuple[int, ...]] | None:
        """The most even way to set text[points[i]:] in `lines` lines: (cost, line ends)."""
        if lines == 1:
            size = len(text) - points[i]
            return ((size - ideal) ** 2, (len(text),)) if size <= width else None
        options = []
        for j in range(i + 1, last):
            size = points[j] - points[i]
            if size > width:
                break
            rest = best(j, lines - 1)
            if rest is not None:
                options.append(((size - ideal) ** 2 + rest[0], (points[j], *rest[1])))
        return min(options) if options else None

    for count in range(-(-len(text) // width), len(points)):
        ideal = len(text) / count
        found = best(0, count)
        best.cache_clear()
        if found is not None:
            starts = (0, *found[1][:-1])
            return [text[a:b] for a, b in zip(starts, found[1], strict=True)]
    return []


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
