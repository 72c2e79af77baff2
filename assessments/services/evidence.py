"""Evidence files of a standard assessment: what is accepted, where it is kept, who reads it.

A file is accepted only if its content is a PDF, JPEG or PNG — judged from its bytes, not its
name — and the name says the same; it is stored once through Django's storage API under its
SHA-256, so a submitted version, which records the hash, always finds the file it froze. A
file is never executed, never rendered into the report and served only as a download.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from ..common.files import FileType, sniff
from ..common.text import invisible_characters, invisible_message, validate_visible
from ..content import upgrade
from ..models import Assessment, Attachment, AttachmentSection, AuditAction, ConsultationActivity
from ..models.evidence import attachment_storage
from .audit import audit_record
from .editing import bump_version, lock_for_edit


def max_bytes() -> int:
    return settings.ZHOUCUN_ATTACHMENT_MAX_BYTES


def _too_large() -> ValidationError:
    return ValidationError(
        _("The file is too large: at most %(mb)s MB.") % {"mb": max_bytes() // (1024 * 1024)},
        code="too_large",
    )


def validate_upload(name: str, size: int, data_reader) -> tuple[bytes, FileType]:
    """The file's bytes and type, or a ValidationError saying in plain words what is wrong.
    The size is checked before anything is read; the name is printed in the report's 附件清单,
    so it obeys the same rule about invisible characters as every text of the content."""
    hidden = invisible_characters(name)
    if hidden:
        raise ValidationError(invisible_message(hidden), code="invisible")
    if size > max_bytes():
        raise _too_large()
    data = data_reader()
    if len(data) > max_bytes():
        raise _too_large()
    found = sniff(data)
    if found is None:
        raise ValidationError(
            _("Only PDF, JPEG or PNG files can be attached, and this file is none of them."),
            code="type",
        )
    if not name.lower().endswith(found.type.extensions):
        raise ValidationError(
            _("The file's name does not match its content (it is a %(type)s file).")
            % {"type": found.type.label},
            code="name_mismatch",
        )
    return data, found.type


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
    validate_visible(name)  # printed in the report's 附件清单, whatever path it came by
    locked = lock_for_edit(assessment)
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
    audit_record(
        action=AuditAction.CREATE,
        user=actor,
        request=request,
        obj=attachment,
        detail=f"attachment to assessment {locked.pk}: {attachment.name} sha256={sha256}",
    )
    bump_version(locked, actor=actor, request=request, detail=f"attachment {sha256} added")
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor, request=None) -> None:
    """Remove an attachment from the draft. The stored file stays: a submitted version may
    still name it by its hash."""
    locked = lock_for_edit(attachment.assessment)
    audit_record(
        action=AuditAction.EDIT,
        user=actor,
        request=request,
        obj=attachment,
        detail=f"attachment removed: {attachment.name} sha256={attachment.sha256}",
    )
    attachment.delete()
    bump_version(
        locked, actor=actor, request=request, detail=f"attachment {attachment.sha256} removed"
    )


def known_hashes(assessment: Assessment) -> dict[str, dict]:
    """Every attachment the assessment has or any of its versions froze, by hash."""
    found: dict[str, dict] = {}
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
