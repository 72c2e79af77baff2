"""The rules about content: when each part is complete and what the rules still require
before submission. The wizard, the workflow and the preview all ask here.

What is required is data: the `LocalityRule` rows in force for the assessment's unit
(`rules_for`, inherited down the unit tree by `content.locality`), each naming a requirement of
the catalogue in `content.requirements` and the rule it comes from. Nothing is forced that the
rules in force do not require."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.utils.translation import gettext as _

from ..models import ActivityKind, LocalityRule, RiskLevel, Unit
from .locality import applicable, effective_for, nearest
from .outline import free_section_problems
from .parts import order_for
from .requirements import (
    ACTIVITY_PREFIX,
    BY_KEY,
    SIMPLE,
    STANDARD,
    Requirement,
    activity_requirement,
    catalogue,
)
from .snapshot import upgrade


@dataclass(frozen=True)
class Missing:
    """One thing the rules still require: a message, the wizard step where it is fixed, the
    rule's source and the unit that set it (None: the national default)."""

    step: str
    message: str
    source: str = ""
    set_by: str | None = None


def suggested_level_code(content: dict[str, Any], ranks: dict[str, int]) -> str | None:
    """The overall level the risk points suggest: the most serious level after measures."""
    codes = [point["level_after"] for point in content["risk_points"]]
    return max(codes, key=lambda code: ranks[code]) if codes else None


def deviates(
    *, level_code: str, recommendation: str, suggested_code: str | None, implied: str
) -> bool:
    """The one rule for "a choice that differs from the suggestion needs a reason": the level
    differs from the risk points' suggestion, or the recommendation from the one the chosen
    level implies in the scheme."""
    return (suggested_code is not None and suggested_code != level_code) or (
        recommendation != implied
    )


def _scheme() -> dict[str, RiskLevel]:
    return {level.code: level for level in RiskLevel.objects.all()}


# --- the rules in force ----------------------------------------------------------------------

RuleSet = dict[tuple[str, str], LocalityRule]


def rules_for(unit: Unit | None) -> RuleSet:
    """The rules in force for assessments of `unit`, by (mode, key): the nearest unit's
    setting, else the national default. One query (plus the walk up the tree), kept on the
    unit object for the rest of the request."""
    if unit is not None and "_locality_rules" in unit.__dict__:
        return unit.__dict__["_locality_rules"]
    found = effective_for(
        unit,
        LocalityRule.objects.select_related("unit"),
        key=lambda rule: (rule.mode, rule.key),
    )
    if unit is not None:
        unit.__dict__["_locality_rules"] = found
    return found


def rules_for_assessment(assessment) -> RuleSet:
    return rules_for(assessment.owner_unit)


def _in_force(rules: RuleSet, mode: str) -> dict[str, LocalityRule]:
    return {key: rule for (rule_mode, key), rule in rules.items() if rule_mode == mode}


def _requirement(key: str, names: dict[str, str]) -> Requirement | None:
    if key.startswith(ACTIVITY_PREFIX):
        code = key.removeprefix(ACTIVITY_PREFIX)
        return activity_requirement(code, names.get(code, code))
    return BY_KEY.get(key)


def _activity_names(in_force: dict[str, LocalityRule]) -> dict[str, str]:
    codes = [k.removeprefix(ACTIVITY_PREFIX) for k in in_force if k.startswith(ACTIVITY_PREFIX)]
    if not codes:
        return {}
    return dict(ActivityKind.objects.filter(code__in=codes).values_list("code", "name"))


def _unmet(
    content: dict[str, Any], rules: RuleSet | None
) -> list[tuple[Requirement, str, LocalityRule]]:
    """The requirements in force for the content's mode that it does not meet, with the
    message and the rule, in the catalogue's order."""
    rules = rules_for(None) if rules is None else rules
    mode = content["mode"] or "simple"
    in_force = {key: rule for key, rule in _in_force(rules, mode).items() if rule.required}
    names = _activity_names(in_force)
    found = []
    for key, rule in in_force.items():
        requirement = _requirement(key, names)
        if requirement is None:
            continue  # a key this code no longer checks: nothing is forced
        message = requirement.check(content, rule.number, in_force)
        if message:
            found.append((requirement, message, rule))
    order = {item: position for position, item in enumerate(BY_KEY)}
    found.sort(key=lambda item: order.get(item[0].key, order["other_activity_kinds"] - 0.5))
    return found


def step_completeness(content: dict[str, Any], scheme=None, rules=None) -> dict[str, bool]:
    """Whether each part of the content is complete, by the wizard step that edits it."""
    return {slug: not problems for slug, problems in part_problems(content, scheme, rules).items()}


def part_problems(content: dict[str, Any], scheme=None, rules=None) -> dict[str, list[str]]:
    """What is still missing in each part, by wizard step (an empty list: complete), under
    the rules in force (`rules_for`; none given: the national defaults)."""
    return {
        slug: [item.message for item in items]
        for slug, items in _by_step(content, scheme, rules).items()
    }


def _by_step(content, scheme, rules) -> dict[str, list[Missing]]:
    content = upgrade(content)
    scheme = _scheme() if scheme is None else scheme
    parts: dict[str, list[Missing]] = {slug: [] for slug in order_for(content["mode"])}
    if not content["mode"]:
        parts["project"].append(Missing("project", _("Project: choose the evaluation mode.")))
    for requirement, message, rule in _unmet(content, rules):
        parts.setdefault(requirement.step, []).append(
            Missing(
                requirement.step, message, rule.source, rule.unit.name if rule.unit_id else None
            )
        )
    reason = _deviation_reason_missing(content, scheme)
    if reason:
        parts["conclusion"].append(Missing("conclusion", reason))
    return parts


def _deviation_reason_missing(content: dict[str, Any], scheme: dict[str, RiskLevel]) -> str | None:
    """A level or recommendation that differs from the suggestion needs a reason: the one
    rule the report's own logic imposes, whatever the locality."""
    level = scheme.get(content["risk_level"] or "")
    if level is None or not content["recommendation"]:
        return None
    ranks = {code: item.rank for code, item in scheme.items()}
    needs_reason = deviates(
        level_code=level.code,
        recommendation=content["recommendation"],
        suggested_code=suggested_level_code(content, ranks),
        implied=level.recommendation,
    )
    if needs_reason and not (content["deviation_reason"] or "").strip():
        return _(
            "Conclusion: the level or recommendation differs from the suggestion; give the reason."
        )
    return None


def missing_requirements(
    content: dict[str, Any], scheme=None, rules=None, outline: dict[str, Any] | None = None
) -> list[Missing]:
    """What must still be done before the content may be submitted, in the wizard's order,
    under the rules in force (`rules_for(unit)`; none given: the national defaults); with
    the report's `outline`, its free sections too."""
    problems = _by_step(content, scheme, rules)
    problems["sections"] = [
        Missing("sections", message) for message in free_section_problems(content, outline)
    ]
    order = order_for(upgrade(content)["mode"], with_sections=bool(problems["sections"]))
    return [item for slug in order for item in problems.get(slug, [])]


# --- the rules page: what is in force for a unit, and where each setting comes from ----------


@dataclass(frozen=True)
class RuleEntry:
    """One requirement as it stands for a unit: the rule in force (None: no rule, nothing is
    required), whether the unit set it itself, and what it would inherit without it."""

    mode: str
    requirement: Requirement
    rule: LocalityRule | None
    own: bool
    inherited: LocalityRule | None


def rule_table(unit: Unit) -> list[RuleEntry]:
    """Every requirement a rule may set, per mode, with the rule in force for `unit` and the
    one it inherits: one query for the rules, one for the kinds of activity."""
    rows = list(applicable(LocalityRule.objects.select_related("unit"), unit))
    key = attrgetter("mode", "key")
    in_force = nearest(rows, unit, key=key)
    above = nearest([r for r in rows if r.unit_id != unit.pk], unit.parent, key=key)
    kinds = dict(ActivityKind.objects.values_list("code", "name"))
    table = []
    for mode in (SIMPLE, STANDARD):
        for requirement in catalogue(mode, kinds):
            rule = in_force.get((mode, requirement.key))
            table.append(
                RuleEntry(
                    mode=mode,
                    requirement=requirement,
                    rule=rule,
                    own=rule is not None and rule.unit_id == unit.pk,
                    inherited=above.get((mode, requirement.key)),
                )
            )
    return table


def rule_entry(unit: Unit, mode: str, key: str) -> RuleEntry | None:
    """One entry of `rule_table` (None: no such requirement in that mode)."""
    return next((e for e in rule_table(unit) if e.mode == mode and e.requirement.key == key), None)


# --- after issue: the filing deadline ---------------------------------------------------------
