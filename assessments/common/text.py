"""Small rules about text, one place for each: which characters are invisible or cannot be
printed, how a long text is cut into paragraphs, how a line break is counted.

Used wherever text enters the content — the forms, the model validators that every service
passes through (imports and the demo loader too), the submit check, file names, restore.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import fonts

# Characters that change what a text appears to say without being seen: bidirectional
# overrides and isolates (U+202E makes "txt.exe" read "exe.txt"), zero-width characters,
# and private-use code points (drawn differently by every font, or not at all). A signed
# report must say exactly what it shows.
INVISIBLE_RANGES = [
    (0x00AD, 0x00AD),  # soft hyphen: drawn only where a line happens to break
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark (a bidi control)
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x200B, 0x200F),  # zero-width space/non-joiner/joiner, LRM, RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x2069),  # bidi isolates
    (0xFEFF, 0xFEFF),  # zero-width no-break space (BOM)
    (0xE000, 0xF8FF),  # private use area
    (0xF0000, 0x10FFFF),  # supplementary private use areas
]


def invisible_characters(text: str) -> list[str]:
    # Each distinct character is looked up once: a report's 45,000 characters hold about a
    # thousand distinct ones, and the check runs before every render (issue 17).
    return sorted(
        ch for ch in set(text) if any(low <= ord(ch) <= high for low, high in INVISIBLE_RANGES)
    )


# Unicode categories of characters that draw nothing: format characters (soft hyphen U+00AD,
# zero-width space, word joiner, BOM, bidi marks), controls, line and paragraph separators.
# Content text may hold line breaks; a name or a number never holds any of these.
HIDDEN_CATEGORIES = frozenset({"Cf", "Cc", "Zl", "Zp", "Co", "Cs", "Cn"})


def hidden_characters(text: str) -> list[str]:
    """The invisible characters above, and every other character that draws nothing."""
    found = set(invisible_characters(text))
    found.update(ch for ch in text if unicodedata.category(ch) in HIDDEN_CATEGORIES)
    return sorted(found)


def normalise_identifier(value: str) -> str:
    """The one form of a name or number that a signed report prints and that uniqueness is
    judged in: NFKC (full-width ＡＢ is AB, compatibility forms become their letters) and
    no white space at either end. Hidden characters are not removed silently — they are
    refused (`validate_identifier`), so the person sees what was wrong with what they typed."""
    return unicodedata.normalize("NFKC", value or "").strip()


def validate_identifier(value: str) -> None:
    """A unit name, a report-number prefix, a username: nothing hidden, already normalised."""
    found = hidden_characters(value or "")
    if found:
        raise ValidationError(
            _(
                "This name contains characters that cannot be seen: %(chars)s. Another name "
                "could look exactly the same, so they are not allowed. Please delete them "
                "(retype the name if you cannot see where they are)."
            )
            % {"chars": "; ".join(describe_character(ch) for ch in found[:5])},
            code="hidden",
        )
    if value != normalise_identifier(value):
        raise ValidationError(
            _("Please remove the spaces at the beginning and end, and use normal-width letters."),
            code="not_normalised",
        )


def describe_character(character: str) -> str:
    """U+202E RIGHT-TO-LEFT OVERRIDE: how a character the user cannot see is named."""
    name = unicodedata.name(character, "") or _("private-use character")
    return f"U+{ord(character):04X} {name}"


def invisible_message(characters: list[str]) -> str:
    return _(
        "The text contains invisible characters that can change what the report "
        "appears to say: %(chars)s. Please delete them (retype the text around them "
        "if you cannot see where they are)."
    ) % {"chars": "; ".join(describe_character(ch) for ch in characters[:5])}


def validate_visible(value: str) -> None:
    found = invisible_characters(value or "")
    if found:
        raise ValidationError(invisible_message(found), code="invisible")


def unprintable_characters(text: str) -> list[str]:
    """Characters the report's body font cannot draw: they would print blank. With no
    report font installed at all, none (that is a start-up error, not the author's)."""
    covered = fonts.font_characters(fonts.BODY_FONT)
    if not covered:
        return []
    return sorted(ch for ch in set(text) if ch.isprintable() and ord(ch) not in covered)


def unprintable_message(characters: list[str]) -> str:
    return _(
        "The report cannot print these characters: %(chars)s. Please remove or replace them."
    ) % {"chars": " ".join(characters[:10])}


def validate_printable(value: str) -> None:
    """Refuse text the report cannot print (emoji, rare symbols) where it is typed, rather
    than when the approved report fails to render."""
    missing = unprintable_characters(value or "")
    if missing:
        raise ValidationError(unprintable_message(missing), code="unprintable")


def one_newline_each(value):
    """Browsers count a line break as one character but send it as CR LF: store LF, so the
    counter beside the field, the form and the database all count the same."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def paragraphs(text: str) -> list[str]:
    """A long text as the report prints it: one paragraph per non-empty line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def choice_label(choices, value) -> str:
    """The label of a choice's stored value ("" when none is set)."""
    return str(choices(value).label) if value else ""
