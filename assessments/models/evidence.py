"""Evidence files of an assessment, kept in storage under their SHA-256."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import InvalidStorageError, Storage, default_storage, storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .standard import ConsultationActivity


def attachment_storage() -> Storage:
    """The storage alias "attachments" when configured, else the default storage."""
    try:
        return storages["attachments"]
    except InvalidStorageError:
        return default_storage


class AttachmentSection(models.TextChoices):
    ACTIVITY = "activity", _("Consultation activity")
    EXPERT = "expert", _("Expert review")
    DECISION = "decision", _("Collective decision")
    # A simple assessment's evidence (notices, minutes, photos), uploaded on its risk step.
    MATERIAL = "material", _("Assessment materials")


class Attachment(models.Model):
    """An evidence file (PDF, JPEG or PNG), kept in Django's storage under its SHA-256.

    Never executed and never rendered into the report: the report lists it by name and hash.
    """

    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("Assessment"),
    )
    section = models.CharField(_("Evidence of"), max_length=20, choices=AttachmentSection.choices)
    activity = models.ForeignKey(
        ConsultationActivity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("Consultation activity"),
    )
    name = models.CharField(_("File name"), max_length=150)
    content_type = models.CharField(_("Type"), max_length=30)
    size = models.PositiveIntegerField(_("Size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(
        _("File"), upload_to="attachments/", storage=attachment_storage, max_length=200
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("Uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("Attachment")
        verbose_name_plural = _("Attachments")
        ordering = ["assessment", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(section__in=AttachmentSection.values), name="attachment_section_valid"
            ),
            models.CheckConstraint(
                condition=Q(section="activity", activity__isnull=False)
                | (~Q(section="activity") & Q(activity__isnull=True)),
                name="attachment_activity_iff_section",
            ),
        ]

    def __str__(self) -> str:
        return self.name
