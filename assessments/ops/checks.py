"""Start-up checks: the PDF must not silently slow down 30× or print blank characters."""

import ctypes.util

from django.core import checks

from ..common.fonts import REPORT_FONTS, font_file


@checks.register("zhoucun")
def check_pdf_prerequisites(app_configs=None, **kwargs):
    errors = []
    if ctypes.util.find_library("harfbuzz-subset") is None:
        errors.append(
            checks.Error(
                "libharfbuzz-subset is missing: WeasyPrint would fall back to a pure-Python "
                "font subsetter about 30 times slower for Chinese fonts.",
                hint="apt-get install libharfbuzz-subset0 (make run / make test do it).",
                id="zhoucun.E001",
            )
        )
    for family, role in REPORT_FONTS.items():
        if font_file(family) is None:
            errors.append(
                checks.Error(
                    f"The report font {family!r} ({role}) is not installed: the PDF would "
                    "use a fallback font or print blank boxes.",
                    hint="apt-get install fonts-noto-cjk fonts-lxgw-wenkai (make does it).",
                    id="zhoucun.E002",
                )
            )
    return errors
