"""The rules about content: when each part is complete and what the rules still require
before submission. The wizard, the workflow and the preview all ask here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..models import ProcedureRule, RiskLevel, RuleKind, Side
from .mode import mode_reason_required
from .outline import free_section_problems
from .parts import PART_TITLES, order_for
from .snapshot import upgrade


@dataclass(frozen=True)
class Missing:
    """One thing the rules still require: a message and the wizard step where it is fixed."""

    step: str
    message: str


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


def step_completeness(content: dict[str, Any], scheme=None) -> dict[str, bool]:
    """Whether each part of the content is complete, by the wizard step that edits it."""
    return {slug: not problems for slug, problems in part_problems(content, scheme).items()}


def part_problems(content: dict[str, Any], scheme=None) -> dict[str, list[str]]:
    """What is still missing in each part, by wizard step (an empty list: complete). A
    standard assessment has more parts, and stricter ones, than a simple one."""
    content = upgrade(content)
    scheme = _scheme() if scheme is None else scheme
    project = all(
        content[name]
        for name in (
            "title",
            "project_name",
            "responsible_entity",
            "mode",
            "evaluating_unit",
            "report_date",
        )
    )
    contacts = all(content["contacts"][side] for side in Side.values)
    findings = all(f["text"].strip() and f["verdict"] for f in content["findings"])
    parts = {
        "project": [] if project else [str(PART_TITLES["project"])],
        "contacts": [] if contacts else [str(PART_TITLES["contacts"])],
        "basic": [] if content["basic_situation"].strip() else [str(PART_TITLES["basic"])],
        "findings": [] if findings else [str(PART_TITLES["findings"])],
        "risks": [] if content["risk_narrative"].strip() else [str(PART_TITLES["risks"])],
        "conclusion": []
        if _conclusion_complete(content, scheme)
        else [str(PART_TITLES["conclusion"])],
    }
    if parts["project"] == [] and _mode_reason_missing(content):
        parts["project"] = [
            _("Project: the figures suggest a standard assessment; say why simple mode is used.")
        ]
    if content["mode"] == "standard":
        parts.update(_standard_problems(content, parts))
    return parts


def _conclusion_complete(content: dict[str, Any], scheme: dict[str, RiskLevel]) -> bool:
    level = scheme.get(content["risk_level"] or "")
    if level is None or not content["recommendation"] or not content["conclusion"].strip():
        return False
    ranks = {code: item.rank for code, item in scheme.items()}
    needs_reason = deviates(
        level_code=level.code,
        recommendation=content["recommendation"],
        suggested_code=suggested_level_code(content, ranks),
        implied=level.recommendation,
    )
    return not needs_reason or bool(content["deviation_reason"].strip())


def _mode_reason_missing(content: dict[str, Any]) -> bool:
    return mode_reason_required(
        mode=content["mode"],
        thresholds=content["thresholds"],
        reason=content["mode_reason"],
    )


def _standard_problems(content: dict[str, Any], parts: dict) -> dict[str, list[str]]:
    record = content["standard"]
    expert = record["expert_review"]
    emergency = record["emergency"]
    decision = record["decision"]
    risks = list(parts["risks"])
    if not content["risk_points"]:
        risks.append(_("Risks: list the risk points found, each with its resolution."))
    elif not all(point["resolution_state"] for point in content["risk_points"]):
        risks.append(_("Risks: say for every risk point whether it is resolved."))
    problems = {
        "basis": [] if record["basis_documents"] else [_("Basis: list at least one document.")],
        "subject": [],
        "consultation": []
        if record["activities"]
        else [_("Consultation: record the consultation activities.")],
        "opinions": [] if record["opinions"] else [_("Opinions: record the opinions heard.")],
        "expert": [],
        "risks": risks,
        "emergency": [],
        "decision": [],
    }
    if not record["responsible_leader"].strip():
        problems["subject"].append(_("Who assessed: name the responsible leader."))
    if not record["working_group"]:
        problems["subject"].append(_("Who assessed: list the working group."))
    if any(o["adoption"] != "adopted" and not o["response"].strip() for o in record["opinions"]):
        problems["opinions"].append(
            _("Opinions: give the reason for every opinion not fully adopted.")
        )
    if not (expert["date"] and expert["level"] and expert["recommendation"]):
        problems["expert"].append(
            _("Expert review: give its date, the level found and the recommendation.")
        )
    if not expert["opinion"].strip():
        problems["expert"].append(_("Expert review: record the panel's opinion."))
    if not record["experts"]:
        problems["expert"].append(_("Expert review: list the panel's members."))
    if not (emergency["triggers"].strip() and emergency["measures"].strip()):
        problems["emergency"].append(
            _("Emergency plan: give the trigger conditions and the response measures.")
        )
    if not emergency["command_leader"].strip():
        problems["emergency"].append(_("Emergency plan: name who commands the response."))
    if not record["emergency_contacts"]:
        problems["emergency"].append(_("Emergency plan: list the emergency contacts."))
    if not (decision["meeting_kind"].strip() and decision["date"] and decision["chair"].strip()):
        problems["decision"].append(
            _("Collective decision: give the meeting, its date and who chaired it.")
        )
    if not decision["decision"]:
        problems["decision"].append(_("Collective decision: record what was decided."))
    for slug, found in procedure_problems(content).items():
        problems[slug] = problems.get(slug, []) + found
    return problems


def procedure_problems(content: dict[str, Any], rules=None) -> dict[str, list[str]]:
    """The minimum procedure of standard mode, read from the rules data: a change to the
    rules changes what is required, without code."""
    content = upgrade(content)
    rules = list(ProcedureRule.objects.select_related("activity_kind")) if rules is None else rules
    record = content["standard"]
    kinds_held = {activity["kind"] for activity in record["activities"]}
    investment = content["thresholds"].get("investment_wan")
    investment = Decimal(str(investment)) if investment not in (None, "") else None
    problems: dict[str, list[str]] = {"consultation": [], "expert": []}
    required = {r.activity_kind.code for r in rules if r.kind == RuleKind.ACTIVITY_REQUIRED}
    for rule in rules:
        if rule.kind == RuleKind.ACTIVITY_REQUIRED and rule.activity_kind.code not in kinds_held:
            problems["consultation"].append(
                _("Consultation: a %(kind)s is required (%(source)s).")
                % {"kind": rule.activity_kind.name, "source": rule.source}
            )
        elif rule.kind == RuleKind.OTHER_KINDS and len(kinds_held - required) < rule.number:
            problems["consultation"].append(
                _(
                    "Consultation: at least %(number)s other kinds of activity are required "
                    "(%(source)s)."
                )
                % {"number": rule.number, "source": rule.source}
            )
    panel_rules = [
        r
        for r in rules
        if r.kind == RuleKind.EXPERT_PANEL
        and (
            r.min_investment_wan is None
            or (investment is not None and investment >= r.min_investment_wan)
        )
    ]
    if panel_rules:
        strictest = max(panel_rules, key=lambda r: r.number)
        if len(record["experts"]) < strictest.number:
            problems["expert"].append(
                _("Expert review: a panel of at least %(number)s experts is required (%(source)s).")
                % {"number": strictest.number, "source": strictest.source}
            )
    return {slug: found for slug, found in problems.items() if found}


def missing_requirements(
    content: dict[str, Any], scheme=None, outline: dict[str, Any] | None = None
) -> list[Missing]:
    """What must still be done before the content may be submitted, in the wizard's order;
    with the report's `outline`, its free sections too."""
    problems = part_problems(content, scheme)
    problems["sections"] = free_section_problems(content, outline)
    order = order_for(upgrade(content)["mode"], with_sections=bool(problems["sections"]))
    return [Missing(slug, message) for slug in order for message in problems.get(slug, [])]
