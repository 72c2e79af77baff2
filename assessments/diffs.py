"""What changed between two versions of an assessment, field by field, for the reviewer.

Chinese has no spaces between words, so differences are found character by character.
Every piece of user text is escaped before the <del>/<ins> marks are put around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .content import upgrade
from .diffs_standard import standard_changes
from .models import Dimension, Mode, Recommendation, RiskCategory, RiskLevel, Side, Verdict


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: SafeString
    new: SafeString


def _choice(choices, value: str) -> str:
    return str(choices(value).label) if value else ""


def _contacts(content: dict, side: str) -> str:
    return "\n".join(
        "｜".join(part for part in (c["name"], c["position"], c["phone"]) if part)
        for c in content["contacts"][side]
    )


def _risk_points(content: dict) -> str:
    return "\n".join(
        f"{n}. {p['description']}｜{_choice(RiskCategory, p['category'])}｜"
        f"{p['likelihood']}×{p['impact']}｜{p['mitigation']}｜{p['responsible_party']}"
        for n, p in enumerate(content["risk_points"], start=1)
    )


def comparable_fields(
    content: dict[str, Any], level_names: dict[str, str]
) -> list[tuple[str, str]]:
    """(label, text) for every part of the report, in the report's order."""
    fields = [
        (_("Report title"), content["title"]),
        (_("Report date"), content["report_date"] or ""),
        (_("Project name"), content["project_name"]),
        (_("Responsible entity"), content["responsible_entity"]),
        (
            _("%(side)s · contacts") % {"side": Side.RESPONSIBLE.label},
            _contacts(content, Side.RESPONSIBLE),
        ),
        (_("Evaluation mode"), _choice(Mode, content["mode"])),
        (_("Evaluating unit"), content["evaluating_unit"]),
        (
            _("%(side)s · contacts") % {"side": Side.EVALUATOR.label},
            _contacts(content, Side.EVALUATOR),
        ),
        (_("Basic situation"), content["basic_situation"]),
    ]
    for finding in content["findings"]:
        label = str(Dimension(finding["dimension"]).label)
        fields.append((label, finding["text"]))
        fields.append(
            (
                _("Verdict on %(dimension)s") % {"dimension": label},
                _choice(Verdict, finding["verdict"]),
            )
        )
    fields += [
        (_("Risk points and mitigation"), content["risk_narrative"]),
        (_("Risk points"), _risk_points(content)),
        (_("Risk level"), level_names.get(content["risk_level"] or "", "")),
        (_("Recommendation"), _choice(Recommendation, content["recommendation"])),
        (_("Reason for departing from the suggestion"), content["deviation_reason"]),
        (_("Conclusion"), content["conclusion"]),
    ]
    return fields


def _highlight(old: str, new: str) -> tuple[SafeString, SafeString]:
    old_parts, new_parts = [], []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = escape(old[i1:i2]), escape(new[j1:j2])
        if tag == "equal":
            old_parts.append(before)
            new_parts.append(after)
            continue
        if before:
            old_parts.append(f"<del>{before}</del>")
        if after:
            new_parts.append(f"<ins>{after}</ins>")
    return mark_safe("".join(old_parts)), mark_safe("".join(new_parts))  # noqa: S308 - escaped above


def content_diff(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """The fields that differ, with the changed characters marked. Either side may be
    stored content of an older schema: both are read as the current one."""
    old, new = upgrade(old), upgrade(new)
    level_names = dict(RiskLevel.objects.values_list("code", "name"))
    changes = []
    for (label, before), (_label, after) in zip(
        comparable_fields(old, level_names), comparable_fields(new, level_names), strict=True
    ):
        if before != after:
            changes.append(FieldChange(label, *_highlight(before, after)))
    # Standard mode's records: values, and rows added, removed or changed.
    changes += [FieldChange(*change) for change in standard_changes(old, new, _highlight)]
    return changes
