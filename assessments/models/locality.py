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
