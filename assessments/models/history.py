"""Append-only history: versions, review events and the stored differences between versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .assessment import Assessment, Status
from .fields import bounded_text, length_limit


class Version(models.Model):
    """An immutable snapshot of an assessment's content, taken at every submission."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="versions", verbose_name=_("Assessment")
    )
    number = models.PositiveIntegerField(_("Version number"))
    content = models.JSONField(_("Content snapshot"))
    # The outline's headings, numbered, as they stood at submission, so the version re-renders
    # with them after the unit switches outline (content.outline.outline_snapshot). None in a
    # version submitted before outlines were data: it reads in its mode's default outline,
    # which has exactly the headings those reports were printed with.
    outline = models.JSONField(_("Report outline"), null=True, blank=True)
    created_at = models.DateTimeField(_("Submitted at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Submitted by"),
    )

    class Meta:
        verbose_name = _("Version")
        verbose_name_plural = _("Version")
        ordering = ["assessment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} v{self.number}"


class ReviewEvent(models.Model):
    """Append-only: who moved an assessment from which status to which, and why."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        related_name="review_events",
        verbose_name=_("Assessment"),
    )
    version = models.ForeignKey(
        Version,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_events",
        verbose_name=_("Version"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Actor"),
    )
    from_status = models.CharField(_("Old state"), max_length=10, choices=Status.choices)
    to_status = models.CharField(_("New state"), max_length=10, choices=Status.choices)
    comment = bounded_text(_("Comment"), "review_comment", blank=True)
    created_at = models.DateTimeField(_("Time"), default=timezone.now)

    class Meta:
        verbose_name = _("Review events")
        verbose_name_plural = _("Review events")
        ordering = ["assessment", "created_at", "id"]
        indexes = [models.Index(fields=["assessment", "created_at"], name="review_event_timeline")]
        constraints = [
            length_limit("comment", "review_comment", "review_event_comment_length"),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def is_reply(self) -> bool:
        """A resubmission after a return: its comment answers the reviewer's."""
        return self.from_status == Status.RETURNED


class VersionDiff(models.Model):
    """What changed between two versions, computed once and kept.

    Versions never change, so a diff of a pair is true forever: it is stored beside them
    rather than in a cache that could evict it and make a reviewer wait for it again.
    `changes` holds, per changed field, its key (`diffs.compute.comparable_fields`) and the diff as
    [operation, text] pairs; it is escaped and labelled when shown.
    """

    old_version = models.ForeignKey(
        Version, on_delete=models.CASCADE, related_name="+", verbose_name=_("Old version")
    )
    new_version = models.ForeignKey(
        Version, on_delete=models.CASCADE, related_name="+", verbose_name=_("New version")
    )
    changes = models.JSONField(_("Changes"))
    created_at = models.DateTimeField(_("Computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("Version difference")
        verbose_name_plural = _("Version differences")
        constraints = [
            models.UniqueConstraint(
                fields=["old_version", "new_version"], name="version_diff_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_version_id} → {self.new_version_id}"
