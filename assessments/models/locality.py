"""A locality's rules (各地实施细则) as data: what the completeness check requires of an
assessment, per mode, set at the root by the operator (national defaults) and tightened or
loosened by a unit for the units below it. `content.locality` walks the unit tree;
`content.requirements` names the keys and knows how to check each."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .assessment import Mode
from .org import Unit
from .scheme import RiskLevel


class LocalityRule(models.Model):
    """One requirement of the completeness check for one mode, as one unit (or, with no
    unit, the operator's national defaults) sets it, with the rule it comes from.

    `required` says whether the requirement applies at all; a counted requirement (contacts
    per side, experts on the panel …) also says how many, in `number`.
    """

    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name=_("Unit"),
        help_text=_("Empty: the national default, inherited by every unit."),
    )
    mode = models.CharField(_("Evaluation mode"), max_length=10, choices=Mode.choices)
    key = models.CharField(_("Requirement"), max_length=60)
    required = models.BooleanField(_("Required"), default=True)
    number = models.PositiveIntegerField(_("At least"), null=True, blank=True)
    source = models.CharField(_("Source of the rule"), max_length=200)
    updated_at = models.DateTimeField(_("Changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("Locality rule")
        verbose_name_plural = _("Locality rules")
        ordering = ["mode", "key", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "mode", "key"], name="locality_rule_unique_per_unit"
            ),
            # NULLs are distinct in a unique index: the national row needs its own.
            models.UniqueConstraint(
                fields=["mode", "key"],
                condition=Q(unit__isnull=True),
                name="locality_rule_unique_national",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=Mode.values), name="locality_rule_mode_valid"
            ),
            models.CheckConstraint(condition=~Q(source=""), name="locality_rule_has_source"),
        ]

    def __str__(self) -> str:
        where = self.unit.name if self.unit_id else _("national default")
        return f"{where} · {self.get_mode_display()} · {self.key}"


class Retention(models.TextChoices):
    """The retention periods (保管期限) of the archive schedules: 永久, 定期30年, 定期10年."""

    PERMANENT = "permanent", _("Permanent")
    YEARS_30 = "30y", _("30 years")
    YEARS_10 = "10y", _("10 years")


class RetentionRule(models.Model):
    """How long the archive keeps the file of an assessment of one mode and risk level, as
    one unit (or, with no unit, the operator's national defaults) sets it, with its source.
    Inherited down the unit tree like `LocalityRule`; none is set by default (no national
    schedule assigns a period to 稳评 files by level), and the archive package then says
    the retention period is not set."""

    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="retention_rules",
        verbose_name=_("Unit"),
        help_text=_("Empty: the national default, inherited by every unit."),
    )
    mode = models.CharField(_("Evaluation mode"), max_length=10, choices=Mode.choices)
    risk_level = models.ForeignKey(
        RiskLevel, on_delete=models.PROTECT, related_name="+", verbose_name=_("Risk level")
    )
    retention = models.CharField(_("Retention period"), max_length=10, choices=Retention.choices)
    source = models.CharField(_("Source of the rule"), max_length=200)
    updated_at = models.DateTimeField(_("Changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("Retention rule")
        verbose_name_plural = _("Retention rules")
        ordering = ["mode", "risk_level", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "mode", "risk_level"], name="retention_rule_unique_per_unit"
            ),
            models.UniqueConstraint(
                fields=["mode", "risk_level"],
                condition=Q(unit__isnull=True),
                name="retention_rule_unique_national",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=Mode.values), name="retention_rule_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(retention__in=Retention.values), name="retention_rule_period_valid"
            ),
            models.CheckConstraint(condition=~Q(source=""), name="retention_rule_has_source"),
        ]

    def __str__(self) -> str:
        where = self.unit.name if self.unit_id else _("national default")
        period = self.get_retention_display()
        return f"{where} · {self.get_mode_display()} · {self.risk_level} · {period}"
