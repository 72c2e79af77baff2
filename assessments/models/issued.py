"""What issuing leaves behind: the signed report, the number counters, failures, seals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .assessment import Assessment
from .history import Version
from .org import Unit


class SignedReport(models.Model):
    """The PDF rendered and signed at approval. Stored once; never regenerated in place.

    The file itself is in the ``reports`` storage under a name derived from ``sha256``
    (`assessments.storage.report_name`); every read re-hashes it against this row.
    """

    assessment = models.OneToOneField(
        Assessment,
        on_delete=models.PROTECT,
        related_name="signed_report",
        verbose_name=_("Assessment"),
    )
    version = models.OneToOneField(
        Version, on_delete=models.PROTECT, related_name="signed_report", verbose_name=_("Version")
    )
    report_number = models.CharField(_("Report number"), max_length=40, unique=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Approved by"),
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    signed_at = models.DateTimeField(_("Signed at"))
    signer = models.CharField(_("Signer"), max_length=100)
    certificate_fingerprint = models.CharField(_("Certificate fingerprint"), max_length=95)
    verification_token = models.CharField(_("Verification token"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("Signed report")
        verbose_name_plural = _("Signed report")
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return self.report_number


class ReportCounter(models.Model):
    """The last report number used by a unit in a year; locked while a number is taken."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Report counter")
        verbose_name_plural = _("Report counters")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="report_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.last_number}"


class ReportNumber(models.Model):
    """The report number an approval took: numbered per unit and year at the moment of
    approval, in the approval's own transaction, so issuing (render and sign, seconds) never
    holds the unit's counter; the issued report carries exactly this number."""

    assessment = models.OneToOneField(
        Assessment,
        on_delete=models.PROTECT,
        related_name="report_number",
        verbose_name=_("Assessment"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("Unit")
    )
    year = models.PositiveSmallIntegerField(_("Year"))
    sequence = models.PositiveIntegerField(_("Number in the year"))
    number = models.CharField(_("Report number"), max_length=40, unique=True)
    taken_at = models.DateTimeField(_("Taken at"), default=timezone.now)

    class Meta:
        verbose_name = _("Report number")
        verbose_name_plural = _("Report numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "sequence"], name="report_number_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class IssueFailure(models.Model):
    """An attempt to render and sign a report that failed. The assessment stayed approved;
    an administrator sees the error here and can try again."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="issue_failures",
        verbose_name=_("Assessment"),
    )
    error = models.TextField(_("Error"))
    created_at = models.DateTimeField(_("Time"), default=timezone.now)

    class Meta:
        verbose_name = _("Issuing failure")
        verbose_name_plural = _("Issuing failures")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.assessment} — {self.created_at:%Y-%m-%d %H:%M}"


class Seal(models.Model):
    """The bureau's own seal image, uploaded by an administrator, shown beside the
    signature block. The system never draws a seal of its own."""

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, related_name="seal", verbose_name=_("Unit")
    )
    image = models.BinaryField(_("Image"), editable=True)
    content_type = models.CharField(_("Image type"), max_length=20)
    uploaded_at = models.DateTimeField(_("Uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("Seal image")
        verbose_name_plural = _("Seal images")

    def __str__(self) -> str:
        return str(self.unit)
