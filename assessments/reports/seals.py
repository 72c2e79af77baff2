"""The unit's seal image: what an upload must be before it is stored (DESIGN §6).

One rule for every place a seal arrives — Django's admin (the operator) and the unit
settings page (the unit administrator). The system never draws a seal of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..common.files import JPEG, PNG, sniff

SEAL_MAX_BYTES = 2 * 1024 * 1024
SEAL_MAX_PIXELS = 3000
NOT_AN_IMAGE = _("This is not a PNG or JPEG image.")


@dataclass(frozen=True)
class SealImage:
    """A checked upload: the bytes to store and their type."""

    data: bytes
    content_type: str


def read_seal_image(upload) -> SealImage:
    """The upload as a seal image, or ValidationError saying in the user's words why not.

    The size is checked before reading, and the image is judged from its bytes (not its name
    or declared type) by the one sniffing rule, with Pillow's decompression-bomb guard, so a
    crafted file cannot exhaust memory when the report is rendered later.
    """
    if upload.size > SEAL_MAX_BYTES:
        raise ValidationError(_("The image is larger than 2 MB."))
    data = upload.read()
    found = sniff(data)
    if found is None or found.type not in (PNG, JPEG):
        raise ValidationError(NOT_AN_IMAGE)
    if max(found.size) > SEAL_MAX_PIXELS:
        raise ValidationError(
            _("The image is larger than %(n)s pixels on a side.") % {"n": SEAL_MAX_PIXELS}
        )
    return SealImage(data=data, content_type=found.type.content_type)
