"""What changed between two versions of an assessment, field by field, for the reviewer.

Chinese has no spaces between words, so differences are found character by character, with
diff-match-patch under a time budget: on a 20,000-character section difflib's
`SequenceMatcher(autojunk=False)` took 5–8 s on every load of the review page. Past the
budget diff-match-patch returns a coarser but still correct difference (a longer stretch
marked deleted and inserted). Versions never change, so a pair's difference is computed once
and stored (`VersionDiff`); later loads read it.

Every piece of user text is escaped before the <del>/<ins> marks are put around it; what
is stored is plain text with operations, escaped when shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from diff_match_patch import diff_match_patch
from django.db import IntegrityError, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .content import upgrade
from .diffs_standard import standard_changes
from .models import (
    Dimension,
    Mode,
    Recommendation,
    RiskCategory,
    RiskLevel,
    Side,
    Verdict,
    Version,
    VersionDiff,
)

# Seconds for all the fields of one pair together; past it, coarser differences.
DIFF_BUDGET = 0.2
EQUAL, DELETE, INSERT = 0, -1, 1


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


def _operations(old: str, new: str, seconds: float) -> list[list]:
    engine = diff_match_patch()
    engine.Diff_Timeout = max(seconds, 0.01)
    diffs = engine.diff_main(old, new)
    engine.diff_cleanupSemantic(diffs)
    return [[op, text] for op, text in diffs]


def _render(operations: list[list]) -> tuple[SafeString, SafeString]:
    old_parts, new_parts = [], []
    for op, text in operations:
        escaped = escape(text)
        if op == EQUAL:
            old_parts.append(escaped)
            new_parts.append(escaped)
        elif op == DELETE:
            old_parts.append(f"<del>{escaped}</del>")
        else:
            new_parts.append(f"<ins>{escaped}</ins>")
    return mark_safe("".join(old_parts)), mark_safe("".join(new_parts))  # noqa: S308 - escaped above


def _highlight(old: str, new: str) -> tuple[SafeString, SafeString]:
    return _render(_operations(old, new, DIFF_BUDGET))


def _changed_fields(old: dict, new: dict, level_names: dict[str, str]):
    """(position, label, before, after) of every field that differs."""
    for position, ((label, before), (_label, after)) in enumerate(
        zip(comparable_fields(old, level_names), comparable_fields(new, level_names), strict=True)
    ):
        if before != after:
            yield position, label, before, after


def _compute(old: dict, new: dict, level_names: dict[str, str]) -> list[dict]:
    deadline = time.monotonic() + DIFF_BUDGET
    return [
        {"field": position, "ops": _operations(before, after, deadline - time.monotonic())}
        for position, _label, before, after in _changed_fields(old, new, level_names)
    ]


def content_diff(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """The fields that differ, with the changed characters marked (computed now). Either
    side may be stored content of an older schema: both are read as the current one."""
    old, new = upgrade(old), upgrade(new)
    level_names = dict(RiskLevel.objects.values_list("code", "name"))
    return _labelled(new, level_names, _compute(old, new, level_names)) + _records(old, new)


def _records(old: dict, new: dict) -> list[FieldChange]:
    """Standard mode's records: values, and rows added, removed or changed. Row tables are
    short (a few dozen rows), so they are compared on each view rather than stored."""
    return [FieldChange(*change) for change in standard_changes(old, new, _highlight)]


def _labelled(new: dict, level_names: dict[str, str], stored: list[dict]) -> list[FieldChange]:
    labels = [label for label, _text in comparable_fields(new, level_names)]
    return [FieldChange(labels[item["field"]], *_render(item["ops"])) for item in stored]


def version_diff(old: Version, new: Version) -> list[FieldChange]:
    """What changed from `old` to `new`: stored the first time it is asked for."""
    level_names = dict(RiskLevel.objects.values_list("code", "name"))
    old_content, new_content = upgrade(old.content), upgrade(new.content)
    stored = (
        VersionDiff.objects.filter(old_version=old, new_version=new)
        .values_list("changes", flat=True)
        .first()
    )
    if stored is None:
        stored = _compute(old_content, new_content, level_names)
        try:
            with transaction.atomic():
                VersionDiff.objects.create(old_version=old, new_version=new, changes=stored)
        except IntegrityError:
            pass  # another request stored the same pair first: the same difference
    return _labelled(new_content, level_names, stored) + _records(old_content, new_content)
