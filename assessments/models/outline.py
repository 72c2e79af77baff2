"""Report outlines as data (issue 16): ordered, numbered headings, each bound to a part of
the content or to a free section the locality adds; the outline each unit chooses per mode.

An outline is a locality's, not the product's: the product ships three (migration 0016) and
an operator adds more in the admin. A submitted version keeps the headings it was submitted
with (`Version.outline`), so changing or switching an outline never rewrites an old report.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .assessment import Assessment, Dimension, Mode
from .fields import bounded_text, length_limit
from .org import Unit

FREE = "free"

# What a heading may stand for: the report block it prints, and the modes whose content has
# it. An empty binding is a heading that only groups the headings under it.
SIMPLE_BINDINGS = [
    "basic",
    *(f"finding:{dimension}" for dimension in Dimension.values),
    "risks",
    "conclusion",
]
STANDARD_BINDINGS = [
    "basic",
    "basis",
    "subject",
    "process",
    "opinions",
    *(f"finding:{dimension}" for dimension in Dimension.values),
    "risk_identification",
    "measures",
    "risk_level",
    "conclusion",
    "recommendations",
    "emergency",
    "decision",
    "attachments",
]
BINDINGS_BY_MODE = {Mode.SIMPLE: SIMPLE_BINDINGS, Mode.STANDARD: STANDARD_BINDINGS}
BINDING_VALUES = sorted({*SIMPLE_BINDINGS, *STANDARD_BINDINGS, FREE})


class Numbering(models.TextChoices):
    """How a level's headings are numbered; the number follows from the position."""

    CHINESE = "chinese", "一、"
    CHINESE_PAREN = "chinese_paren", "（一）"
    ARABIC_DOT = "arabic_dot", "1."
    ARABIC_COMMA = "arabic_comma", "1、"
    ARABIC_PAREN = "arabic_paren", "（1）"


# The national outline's numbering (党政机关公文格式 GB/T 9704): 一、（一）1.（1）
NATIONAL_NUMBERING = [
    Numbering.CHINESE,
    Numbering.CHINESE_PAREN,
    Numbering.ARABIC_DOT,
    Numbering.ARABIC_PAREN,
]
MAX_LEVEL = 4
_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (outlines stay under 100)."""
    if not 0 < n < 100:
        raise ValueError(f"no heading number for {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else f"{_DIGITS[tens]}十")
    return head + (_DIGITS[ones] if ones else "")


def heading_number(style: str, position: int) -> str:
    return {
        Numbering.CHINESE: f"{chinese_numeral(position)}、",
        Numbering.CHINESE_PAREN: f"（{chinese_numeral(position)}）",
        Numbering.ARABIC_DOT: f"{position}.",
        Numbering.ARABIC_COMMA: f"{position}、",
        Numbering.ARABIC_PAREN: f"（{position}）",
    }[Numbering(style)]


def outline_problems(mode: str, numbering: list[str], headings: list[dict]) -> list[str]:
    """Why these headings cannot be an outline of this mode, in words for the operator; []
    when they can. `headings` in order, each with level, binding and key.

    Every part of the mode's content has exactly one heading — a signed report may neither
    drop what the assessor entered nor print it twice — and a free section has a key under
    which its text is kept."""
    problems = []
    if not numbering or any(style not in Numbering.values for style in numbering):
        problems.append(str(_("Give a numbering style for every level.")))
    allowed = BINDINGS_BY_MODE.get(mode, [])
    seen: list[str] = []
    keys: set[str] = set()
    previous_level = 0
    for position, heading in enumerate(headings, start=1):
        level, binding, key = heading["level"], heading["binding"], heading.get("key", "")
        if not 1 <= level <= min(MAX_LEVEL, len(numbering) or MAX_LEVEL):
            problems.append(
                str(_("Heading %(n)s has a level without numbering.") % {"n": position})
            )
        if level > previous_level + 1:
            problems.append(str(_("Heading %(n)s skips a level.") % {"n": position}))
        previous_level = level
        if binding == FREE:
            if not key:
                problems.append(str(_("Free section %(n)s needs a key.") % {"n": position}))
            elif key in keys:
                problems.append(str(_("The key “%(key)s” is used twice.") % {"key": key}))
            keys.add(key)
        elif binding:
            if binding not in allowed:
                problems.append(
                    str(
                        _("Heading %(n)s is bound to a part this mode does not have.")
                        % {"n": position}
                    )
                )
            seen.append(binding)
    for binding in allowed:
        count = seen.count(binding)
        if count != 1:
            problems.append(
                str(_("The part “%(part)s” must have exactly one heading, not %(count)s."))
                % {"part": binding, "count": count}
            )
    return problems


class Outline(models.Model):
    """A report outline: a name, the mode it is written for, how each level is numbered,
    and its headings in order."""

    code = models.SlugField(_("Code"), max_length=40, unique=True)
    name = models.CharField(_("Outline name"), max_length=100)
    mode = models.CharField(_("Evaluation mode"), max_length=10, choices=Mode.choices)
    numbering = models.JSONField(
        _("Numbering per level"),
        help_text=_('One style per level, from the top, e.g. ["chinese", "chinese_paren"].'),
    )
    default_for_mode = models.BooleanField(
        _("Default for its mode"),
        default=False,
        help_text=_("Used by every unit that has not chosen an outline, nor its parents."),
    )

    class Meta:
        verbose_name = _("Report outline")
        verbose_name_plural = _("Report outlines")
        ordering = ["mode", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["mode"], condition=Q(default_for_mode=True), name="outline_one_default"
            ),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="outline_mode_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class OutlineHeading(models.Model):
    """One heading of an outline. Its number is not stored here: it follows from the level
    and the position among its siblings (`Outline.numbering`)."""

    outline = models.ForeignKey(
        Outline, on_delete=models.CASCADE, related_name="headings", verbose_name=_("Outline")
    )
    position = models.PositiveIntegerField(_("Position"))
    level = models.PositiveSmallIntegerField(_("Level"), default=1)
    title = models.CharField(_("Heading text"), max_length=60)
    numbered = models.BooleanField(_("Numbered"), default=True)
    binding = models.CharField(
        _("Part of the content"),
        max_length=30,
        blank=True,
        choices=[(value, value) for value in BINDING_VALUES],
        help_text=_(
            "Empty: a heading over the headings below it. “free”: a section of the "
            "locality's own, which the assessor writes."
        ),
    )
    key = models.SlugField(
        _("Key of a free section"),
        max_length=40,
        blank=True,
        help_text=_("Under this key the assessor's text of a free section is kept."),
    )

    class Meta:
        verbose_name = _("Outline heading")
        verbose_name_plural = _("Outline headings")
        ordering = ["outline", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["outline", "position"], name="outline_heading_position"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=MAX_LEVEL), name="outline_heading_level"
            ),
            models.CheckConstraint(
                condition=Q(binding__in=["", *BINDING_VALUES]), name="outline_heading_binding"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class UnitOutline(models.Model):
    """The outline a unit chose for one mode; the units below it inherit the choice unless
    they choose their own (`Unit.lineage`)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="outline_choices", verbose_name=_("Unit")
    )
    mode = models.CharField(_("Evaluation mode"), max_length=10, choices=Mode.choices)
    outline = models.ForeignKey(
        Outline, on_delete=models.PROTECT, related_name="+", verbose_name=_("Report outline")
    )

    class Meta:
        verbose_name = _("Unit's report outline")
        verbose_name_plural = _("Units' report outlines")
        constraints = [
            models.UniqueConstraint(fields=["unit", "mode"], name="unit_outline_per_mode"),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="unit_outline_mode"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_mode_display()} · {self.outline}"

    def clean(self) -> None:
        if self.outline_id and self.outline.mode != self.mode:
            raise ValidationError({"outline": _("This outline is written for the other mode.")})


class FreeSectionText(models.Model):
    """What the assessor wrote in a free section of the outline, by the section's key."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="free_sections",
        verbose_name=_("Assessment"),
    )
    key = models.SlugField(_("Key of a free section"), max_length=40)
    text = bounded_text(_("Text"), "free_section", blank=True)

    class Meta:
        verbose_name = _("Free section text")
        verbose_name_plural = _("Free section texts")
        ordering = ["assessment", "key"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="free_section_key"),
            length_limit("text", "free_section", "free_section_text_length"),
        ]

    def __str__(self) -> str:
        return self.key
