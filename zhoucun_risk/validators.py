import string

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class CharacterClassesValidator:
    """A password must mix character classes: lower case, upper case, digits, symbols."""

    CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def classes_in(self, password: str) -> int:
        found = sum(any(ch in chars for ch in password) for chars in self.CLASSES)
        symbols = any(not any(ch in chars for chars in self.CLASSES) for ch in password)
        return found + symbols

    def validate(self, password: str, user=None) -> None:
        if self.classes_in(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must contain characters of at least %(n)d kind (lower-case "
            "letters, upper-case letters, digits, symbols).",
            "Your password must contain characters of at least %(n)d kinds (lower-case "
            "letters, upper-case letters, digits, symbols).",
            self.min_classes,
        ) % {"n": self.min_classes}
