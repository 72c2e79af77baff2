"""The report title as printed lines, decided once for the preview and the PDF."""

from __future__ import annotations

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
