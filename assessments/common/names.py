"""How people are named on screen and in reports, and which usernames could be mistaken for
one another."""

import re
import unicodedata

from confusable_homoglyphs import confusables
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .text import normalise_identifier, validate_identifier

CJK = re.compile(r"[\u3400-\u9fff]")

# The scripts a mixed username is most often made of, named for the person who typed it.
SCRIPT_NAMES = {
    "LATIN": gettext_lazy("Latin letters"),
    "CYRILLIC": gettext_lazy("Cyrillic letters"),
    "GREEK": gettext_lazy("Greek letters"),
    "HAN": gettext_lazy("Chinese characters"),
}


def display_name(user) -> str:
    """张晓明 for Chinese names (family name first, no space), else Django's full name."""
    if user is None:
        return ""
    first, last = user.first_name.strip(), user.last_name.strip()
    if CJK.search(first + last):
        return f"{last}{first}"
    return user.get_full_name() or user.get_username()


def mask_phone(value: str) -> str:
    """138****0001: personal data shown in lists keeps only the first three and last four."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


def _looks_like(character: str) -> str:
    """The Latin letter (or digit-like Latin letter) a character is drawn like, after case
    folding: Cyrillic а is a, Greek ο is o, the digit 0 is o. Others stand for themselves."""
    if confusables.alias(character) == "LATIN":
        return character
    for glyph in confusables.confusables_data.get(character, ()):
        if all(confusables.alias(ch) == "LATIN" for ch in glyph["c"]):
            return glyph["c"].casefold()
    return character


def username_skeleton(username: str) -> str:
    """What a username looks like on screen: two usernames with the same skeleton could be
    taken for one another (Assessor, аssessor with a Cyrillic а, ａｓｓｅｓｓｏｒ, assess0r all
    look like assessor). Stored for every account and unique, so a look-alike is refused."""
    folded = unicodedata.normalize("NFKC", normalise_identifier(username).casefold())
    return "".join(_looks_like(ch) for ch in folded)


def validate_username(value: str) -> None:
    """What a username may be on its own, before it is compared with the others: nothing
    hidden, normalised, and letters of one script (Latin, or Han, or Cyrillic — not a Latin
    name with one Cyrillic letter in it). Digits and . @ + - _ go with any script."""
    validate_identifier(value)
    if confusables.is_mixed_script(value):
        scripts = sorted(confusables.unique_aliases(value) - {"COMMON"})
        raise ValidationError(
            _(
                "A username may use the letters of one script only; this one mixes %(scripts)s, "
                "so it could look like someone else's. Please type it again in one script."
            )
            % {"scripts": "、".join(str(SCRIPT_NAMES.get(name, name)) for name in scripts)},
            code="mixed_script",
        )
