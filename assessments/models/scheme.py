"""The data a locality may change: the risk-level scheme and matrix, the kinds of
consultation activity, the decision options, and the thresholds of standard mode (what each
mode requires is in `locality`)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .fields import SCORE_VALIDATORS


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Approve implementation")
    DEFER = "defer", _("Defer implementation")
    REJECT = "reject", _("Do not implement")


# Names of the standard levels (发改投资〔2012〕2492号) for a user interface in another language.
STANDARD_LEVEL_NAMES = {"low": _("Low"), "medium": _("Medium"), "high": _("High")}


class RiskLevel(models.Model):
    """One level of the risk-level scheme (低/中/高). Data, loaded from fixtures/."""

    code = models.SlugField(_("Code"), max_length=20, unique=True)
    name = models.CharField(_("Level"), max_length=10, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("Rank"), unique=True, help_text=_("Higher is more severe")
    )
    definition = models.TextField(_("Definition"))
    recommendation = models.CharField(
        _("Implied recommendation"), max_length=10, choices=Recommendation.choices
    )
    recommendation_note = models.CharField(_("Recommendation note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Risk level")
        verbose_name_plural = _("Risk level scheme")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return level_display_name(self.code, self.name)


def level_display_name(code: str, name: str) -> str:
    """A level's name for the interface: the scheme's own (data, Chinese) in Chinese, a
    translated name for the standard codes in other languages. The report always prints the
    scheme's own name."""
    if (translation.get_language() or "").startswith("zh"):
        return name
    standard = STANDARD_LEVEL_NAMES.get(code)
    return str(standard) if standard is not None else name


class RiskMatrixCell(models.Model):
    """One cell of the likelihood × impact matrix: which level that pair means."""

    likelihood = models.PositiveSmallIntegerField(_("Likelihood"), validators=SCORE_VALIDATORS)
    impact = models.PositiveSmallIntegerField(_("Impact"), validators=SCORE_VALIDATORS)
    level = models.ForeignKey(
        RiskLevel, on_delete=models.PROTECT, related_name="matrix_cells", verbose_name=_("Level")
    )

    class Meta:
        verbose_name = _("Risk matrix cell")
        verbose_name_plural = _("Risk matrix")
        ordering = ["likelihood", "impact"]
        constraints = [
            models.UniqueConstraint(fields=["likelihood", "impact"], name="matrix_cell_unique"),
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="matrix_cell_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.likelihood}×{self.impact} → {self.level}"


class EnvironmentalCategory(models.TextChoices):
    """The project's environmental impact assessment document, lightest first."""

    REGISTRATION = "registration", _("Registration form (登记表)")
    REPORT_FORM = "report_form", _("Report form (报告表)")
    REPORT_BOOK = "report_book", _("Report (报告书)")


class ActivityKind(models.Model):
    """A kind of consultation activity (公示公告, 问卷调查, 座谈会 …). Data a locality extends."""

    code = models.SlugField(_("Code"), max_length=30, unique=True)
    name = models.CharField(_("Name"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("Order"), default=0)

    class Meta:
        verbose_name = _("Kind of consultation activity")
        verbose_name_plural = _("Kinds of consultation activity")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class DecisionOption(models.Model):
    """What a collective decision may decide (实施 / 暂缓实施 / 不予实施), beside the level
    scheme's recommendation it corresponds to."""

    code = models.SlugField(_("Code"), max_length=20, unique=True)
    name = models.CharField(_("Decision"), max_length=20, unique=True)
    recommendation = models.CharField(
        _("Corresponding recommendation"),
        max_length=10,
        choices=Recommendation.choices,
    )
    order = models.PositiveSmallIntegerField(_("Order"), default=0)

    class Meta:
        verbose_name = _("Decision option")
        verbose_name_plural = _("Decision options")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


# --- mode rules (data) ---------------------------------------------------------------------


class Measure(models.TextChoices):
    """The project figures a threshold can be set on (the project step asks for them)."""

    HOUSEHOLDS = "households_relocated", _("Households relocated")
    RESETTLED = "people_resettled", _("People resettled")
    FARMLAND = "farmland_mu", _("Farmland occupied (mu)")
    ENVIRONMENT = "environmental_category", _("Environmental assessment category")
    INVESTMENT = "investment_wan", _("Investment (10,000 yuan)")
    AFFECTED = "people_affected", _("People directly affected")


class ModeThreshold(models.Model):
    """A project at or above this figure should be assessed in standard mode."""

    measure = models.CharField(_("Figure"), max_length=30, choices=Measure.choices, unique=True)
    minimum = models.DecimalField(_("At or above"), max_digits=14, decimal_places=2)
    source = models.CharField(_("Source of the rule"), max_length=200)

    class Meta:
        verbose_name = _("Standard-mode threshold")
        verbose_name_plural = _("Standard-mode thresholds")
        ordering = ["measure"]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} ≥ {self.minimum}"
