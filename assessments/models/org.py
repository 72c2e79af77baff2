"""Units, the roles people hold in them, and per-person security state."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..common.text import normalise_identifier, validate_identifier


class Role(models.TextChoices):
    """A role a person holds *in a unit* (DESIGN §2). Stored as the code; never found by a
    display name, so renaming a label changes nothing anyone may do."""

    ASSESSOR = "assessor", _("Assessor")
    REVIEWER = "reviewer", _("Reviewer")
    CLERK = "clerk", _("Clerk")
    UNIT_ADMIN = "unit_admin", _("Unit administrator")
    OVERSIGHT = "oversight", _("Oversight")


class IdentifierField(models.CharField):
    """A name or number a signed report prints (a unit's name, its report-number prefix):
    cleaned to its one normalised form (`common.text.normalise_identifier`), refused if it
    holds a hidden character, and unique in that form — the database compares what is
    stored, and what is stored is the normalised form."""

    default_validators = [validate_identifier]

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_identifier(value) if isinstance(value, str) else value


def _shown_as_typed(field: str) -> Q:
    """The database's half of the rule: the characters most used to make a look-alike, and
    white space at either end, are refused even to code that skips the model's validation."""
    condition = ~Q(**{f"{field}__startswith": " "}) & ~Q(**{f"{field}__endswith": " "})
    for code in HIDDEN_IN_DATABASE:
        condition &= ~Q(**{f"{field}__contains": chr(code)})
    return condition


# The hidden characters the database checks for itself (the full rule, every format
# character, is `common.text.hidden_characters`, applied by the model's validation).
HIDDEN_IN_DATABASE = (
    0x00AD,
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2060, 0x2065),
    *range(0x2066, 0x206A),
    0xFEFF,
    0x3000,
)


# A report number is `<prefix>〔<year>〕<n>号`: the brackets belong to the format, so a prefix
# may not contain them (two prefixes could then produce the same number).
REPORT_PREFIX_VALIDATORS = [
    RegexValidator(
        r"^[^〔〕\[\]\s]+$",
        _("The prefix may not contain brackets 〔〕 or spaces."),
    )
]


class Unit(models.Model):
    """A department or organisation. People hold roles in units; assessments belong to one.

    Units form a tree (区 → 部门 / 镇街): an oversight role in a unit sees the issued reports
    of the units below it.
    """

    name = IdentifierField(_("Unit name"), max_length=100, unique=True)
    code = models.SlugField(_("Unit code"), max_length=30, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("Parent unit"),
    )
    report_prefix = IdentifierField(
        _("Report number prefix"),
        max_length=20,
        blank=True,
        validators=REPORT_PREFIX_VALIDATORS,
        help_text=_(
            "Printed before the year in report numbers, e.g. 某某稳评〔2026〕3号. "
            "A unit cannot issue reports until it has a prefix no other unit uses."
        ),
    )

    class Meta:
        verbose_name = _("Unit")
        verbose_name_plural = _("Unit")
        ordering = ["name"]
        constraints = [
            # Report numbers are unique because prefixes are: one rule for both.
            models.UniqueConstraint(
                fields=["report_prefix"],
                condition=~Q(report_prefix=""),
                name="unit_report_prefix_unique",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="unit_not_its_own_parent"
            ),
            models.CheckConstraint(condition=_shown_as_typed("name"), name="unit_name_visible"),
            models.CheckConstraint(
                condition=_shown_as_typed("report_prefix"), name="unit_report_prefix_visible"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def lineage(self) -> list[Unit]:
        """This unit, then its parent, up to the root: the order in which a locality's
        settings (rules, outlines) are inherited — the nearest unit that sets one wins.

        Unit trees are shallow (city → district → bureau), so one query per level is cheap;
        the walk stops on a cycle the database constraint cannot see (a → b → a).
        """
        chain, seen, unit = [], set(), self
        while unit is not None and unit.pk not in seen:
            chain.append(unit)
            seen.add(unit.pk)
            unit = unit.parent
        return chain


class Membership(models.Model):
    """One role of one person in one unit. A role in one unit gives nothing in another."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("User"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Unit")
    )
    role = models.CharField(_("Role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("Granted at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("Membership")
        verbose_name_plural = _("Memberships")
        ordering = ["unit", "user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["unit", "role"], name="membership_unit_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class Profile(models.Model):
    """Per-person state that Django's user model has no field for: the account's home unit,
    the key its username is unique by, and its security state."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("User"),
    )
    must_change_password = models.BooleanField(
        _("Must change password at next login"), default=False
    )
    # The unit that owns the account (docs/accounts.md): set when the account is created,
    # never changed by a role granted elsewhere. Its administrators — and those of the units
    # above it — deactivate, reset and unlock the account; nobody else but the operator.
    home_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="home_profiles",
        verbose_name=_("Home unit"),
    )
    # What the username looks like (`common.names.username_skeleton`): unique, so no account
    # can be made whose name could be taken for another's. Empty only for an account whose
    # profile predates the rule and collided (migration 0013 leaves those to the operator).
    username_key = models.CharField(
        _("Username as it looks"), max_length=150, null=True, blank=True, unique=True
    )

    class Meta:
        verbose_name = _("Profile")
        verbose_name_plural = _("Profiles")

    def __str__(self) -> str:
        return str(self.user)
