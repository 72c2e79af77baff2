"""The report's fonts: which files fontconfig finds and which characters they draw.

A low layer with no knowledge of assessments: the content rules (what is printable), the
report renderer and the start-up checks all ask it.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

from fontTools.ttLib import TTFont

# The fonts the report names in its CSS, and the role each plays (DESIGN §6).
REPORT_FONTS = {
    "Noto Serif CJK SC": "宋体-style serif: title and body",
    "Noto Sans CJK SC": "黑体-style sans: level-1 headings",
    "LXGW WenKai": "楷体-style: level-2 headings",
}
BODY_FONT = "Noto Serif CJK SC"


@lru_cache(maxsize=8)
def font_file(family: str) -> tuple[str, int] | None:
    """The file (and face index) fontconfig uses for `family`, if it really is that family."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        result = subprocess.run(  # noqa: S603 - fixed program, the family is ours
            [fc_match, "-f", "%{family}\n%{file}\n%{index}", f"{family}:style=Regular"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    families, path, index = [*result.stdout.split("\n"), "", "", "0"][:3]
    if family not in families.split(","):
        return None
    return path, int(index or 0)


@lru_cache(maxsize=8)
def font_characters(family: str) -> frozenset[int]:
    found = font_file(family)
    if found is None:
        return frozenset()
    path, index = found
    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap())
