"""Evidence files of a standard assessment: what is accepted, where it is kept, who reads it.

A file is accepted only if its content is a PDF, JPEG or PNG — judged from its bytes, not its
name — and the name says the same; it is stored once through Django's storage API under its
SHA-256, so a submitted version, which records the hash, always finds the file it froze. A
file is never executed, never rendered into the report and served only as a download.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image

from .audit import audit_record
from .models import (
    Assessment,
    Attachment,
    AttachmentSection,
    AuditAction,
    ConsultationActivity,
)
from .models_standard import attachment_storage
from .permissions import EDITABLE_STATUSES
from .services import NotEditable


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]
    label: str


PDF = FileType("application/pdf", (".pdf",), "PDF")
JPEG = FileType("image/jpeg", (".jpg", ".jpeg"), "JPEG")
PNG = FileType("image/png", (".png",), "PNG")


def max_bytes() -> int:
    return getattr(settings, "ZHOUCUN_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def sniff(data: bytes) -> FileType | None:
    """The type the bytes really are, checked beyond the first few bytes: a PDF must end
    like one, an image must decode."""
    if data.startswith(b"%PDF-"):
        return PDF if b"%%EOF" in data[-2048:] else None
    if data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"):
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
                found = image.format
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            return None  # it does not decode: whatever it is, it is not an image we accept
        return {"JPEG": JPEG, "PNG": PNG}.get(found)
    return None


def validate_upload(name: str, size: int, data_reader) -> tuple[bytes, FileType]:
    """The file's bytes and type, or a ValidationError saying in plain words what is wrong.
    The size is checked before anything is read."""
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            _("The file is too large: at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            code="too_large",
        )
    data = data_reader()
    if len(data) > limit:
        raise ValidationError(
            _("The file is too large: at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            code="too_large",
        )
    found = sniff(data)
    if found is None:
        raise ValidationError(
            _("Only PDF, JPEG or PNG files can be attached, and this file is none of them."),
            code="type",
        )
    if not name.lower().endswith(found.extensions):
        raise ValidationError(
            _("The file's name does not match its content (it is a %(type)s file).")
            % {"type": found.label},
            code="name_mismatch",
        )
    return data, found


def storage_name(sha256: str) -> str:
    return f"attachments/{sha256[:2]}/{sha256}"


def store(data: bytes) -> tuple[str, str]:
    """Keep the bytes under their SHA-256 (once: the same file twice is stored once)."""
    sha256 = hashlib.sha256(data).hexdigest()
    storage = attachment_storage()
    name = storage_name(sha256)
    if not storage.exists(name):
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # a storage that renamed it would break the hash's address
            raise RuntimeError(f"storage saved {name} as {saved}")
    return sha256, name


def read_verified(sha256: str) -> bytes | None:
    """The stored bytes of `sha256`, re-hashed; None if missing or not what was stored."""
    storage = attachment_storage()
    name = storage_name(sha256)
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as handle:
        data = handle.read()
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


@transaction.atomic
def attachment_add(
    *,
    assessment: Assessment,
    actor,
    section: str,
    activity: ConsultationActivity | None,
    name: str,
    data: bytes,
    file_type: FileType,
    request=None,
) -> Attachment:
    """Attach validated bytes to the assessment; the edit version moves on (the content
    changed, so a preview taken before no longer submits)."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise NotEditable(locked)
    sha256, stored = store(data)
    attachment = Attachment(
        assessment=locked,
        section=section,
        activity=activity if section == AttachmentSection.ACTIVITY else None,
        name=name[:150],
        content_type=file_type.content_type,
        size=len(data),
        sha256=sha256,
        uploaded_by=actor,
    )
    attachment.file.name = stored
    attachment.full_clean(exclude=["assessment", "file"])
    attachment.save()
    locked.lock_version += 1
    locked.save(update_fields=["lock_version", "updated_at"])
    audit_record(
        action=AuditAction.CREATE,
        user=actor,
        request=request,
        obj=attachment,
        detail=f"attachment to assessment {locked.pk}: {attachment.name} sha256={sha256}",
    )
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor, request=None) -> None:
    """Remove an attachment from the draft. The stored file stays: a submitted version may
    still name it by its hash."""
    locked = Assessment.objects.select_for_update().get(pk=attachment.assessment_id)
    if locked.status not in EDITABLE_STATUSES:
        raise NotEditable(locked)
    audit_record(
        action=AuditAction.EDIT,
        user=actor,
        request=request,
        obj=attachment,
        detail=f"attachment removed: {attachment.name} sha256={attachment.sha256}",
    )
    attachment.delete()
    locked.lock_version += 1
    locked.save(update_fields=["lock_version", "updated_at"])


def known_hashes(assessment: Assessment) -> dict[str, dict]:
    """Every attachment the assessment has or any of its versions froze, by hash."""
    found: dict[str, dict] = {}
    from .content import upgrade

    for content in assessment.versions.values_list("content", flat=True):
        for item in upgrade(content)["standard"]["attachments"]:
            found.setdefault(item["sha256"], item)
    for attachment in assessment.attachments.all():
        found[attachment.sha256] = {
            "name": attachment.name,
            "content_type": attachment.content_type,
            "sha256": attachment.sha256,
        }
    return found
