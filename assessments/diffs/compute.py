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

from ..common.text import choice_label
from ..content import free_texts, level_names, upgrade
from ..models import (
    Dimension,
    Mode,
    Recommendation,
    RiskCategory,
    Side,
    Verdict,
    Version,
    VersionDiff,
)
from .records import standard_changes

# Seconds for all the fields of one pair together; past it, coarser differences.
DIFF_BUDGET = 0.2
EQUAL, DELETE, INSERT = 0, -1, 1


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: SafeString
    new: SafeString


def _contacts(content: dict, side: str) -> str:
    return "\n".join(
        "｜".join(part for part in (c["name"], c["position"], c["phone"]) if part)
        for c in content["contacts"][side]
    )


def _risk_points(content: dict, names: dict[str, str]) -> str:
    """One line per risk point, with everything the report prints of it — the levels before
    and after measures included."""
    return "\n".join(
        f"{n}. {p['description']}｜{choice_label(RiskCategory, p['category'])}｜"
        f"{p['likelihood']}×{p['impact']}｜"
        f"{names.get(p['level_before'], p['level_before']) or '—'}→"
        f"{names.get(p['level_after'], p['level_after'])}｜"
        f"{p['mitigation']}｜{p['responsible_party']}"
        for n, p in enumerate(content["risk_points"], start=1)
    )


def comparable_fields(content: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key, label, text) for every part of the report, in the report's order. A stored
    difference names its fields by these keys, so it reads the same whatever the order."""
    names = level_names(content)
    fields = [
        ("title", _("Report title"), content["title"]),
        ("report_date", _("Report date"), content["report_date"] or ""),
        ("project_name", _("Project name"), content["project_name"]),
        ("responsible_entity", _("Responsible entity"), content["responsible_entity"]),
        (
            "contacts.responsible",
            _("%(side)s · contacts") % {"side": Side.RESPONSIBLE.label},
            _contacts(content, Side.RESPONSIBLE),
        ),
        ("mode", _("Evaluation mode"), choice_label(Mode, content["mode"])),
        ("evaluating_unit", _("Evaluating unit"), content["evaluating_unit"]),
        (
            "contacts.evaluator",
            _("%(side)s · contacts") % {"side": Side.EVALUATOR.label},
            _contacts(content, Side.EVALUATOR),
        ),
        ("basic_situation", _("Basic situation"), content["basic_situation"]),
    ]
    for finding in content["findings"]:
        dimension = finding["dimension"]
        label = str(Dimension(dimension).label)
        fields.append((f"findings.{dimension}.text", label, finding["text"]))
        fields.append(
            (
                f"findings.{dimension}.verdict",
                _("Verdict on %(dimension)s") % {"dimension": label},
                choice_label(Verdict, finding["verdict"]),
            )
        )
    fields += [
        ("risk_narrative", _("Risk points and mitigation"), content["risk_narrative"]),
        ("risk_points", _("Risk points"), _risk_points(content, names)),
        ("risk_level", _("Risk level"), names.get(content["risk_level"] or "", "")),
        (
            "recommendation",
            _("Recommendation"),
            choice_label(Recommendation, content["recommendation"]),
        ),
        (
            "deviation_reason",
            _("Reason for departing from the suggestion"),
            content["deviation_reason"],
        ),
        ("conclusion", _("Conclusion"), content["conclusion"]),
    ]
    # The free sections of the outline, by key (the diff knows the content, not its headings).
    for key, text in sorted(free_texts(content).items()):
        fields.append(
            (f"free_sections.{key}", _("Section of the outline · %(key)s") % {"key": key}, text)
        )
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


def _compute(old: dict, new: dict) -> list[dict]:
    """The operations of every field that differs, keyed by the field's name."""
    deadline = time.monotonic() + DIFF_BUDGET
    before = {key: text for key, _label, text in comparable_fields(old)}
    return [
        {"field": key, "ops": _operations(before.get(key, ""), after, deadline - time.monotonic())}
        for key, _label, after in comparable_fields(new)
        if before.get(key, "") != after
    ]


def content_diff(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """The fields that differ, with the changed characters marked (computed now). Either
    side may be stored content of an older schema: both are read as the current one."""
    old, new = upgrade(old), upgrade(new)
    return _labelled(new, _compute(old, new)) + _records(old, new)


def _records(old: dict, new: dict) -> list[FieldChange]:
    """Standard mode's records: values, and rows added, removed or changed. Row tables are
    short (a few dozen rows), so they are compared on each view rather than stored."""
    return [FieldChange(*change) for change in standard_changes(old, new, _highlight)]


def _labelled(new: dict, stored: list[dict]) -> list[FieldChange]:
    labels = {key: label for key, label, _text in comparable_fields(new)}
    return [FieldChange(labels[item["field"]], *_render(item["ops"])) for item in stored]


def _current(stored: list[dict] | None, new: dict) -> bool:
    """A stored difference of this code's making: fields named by keys this code knows.
    (Older rows named them by position in a list that has since changed.)"""
    if stored is None:
        return False
    keys = {key for key, _label, _text in comparable_fields(new)}
    return all(isinstance(item.get("field"), str) and item["field"] in keys for item in stored)


def version_diff(old: Version, new: Version) -> list[FieldChange]:
    """What changed from `old` to `new`: stored the first time it is asked for (and stored
    again when the stored row predates the keys it is read by)."""
    old_content, new_content = upgrade(old.content), upgrade(new.content)
    row = VersionDiff.objects.filter(old_version=old, new_version=new).first()
    stored = row.changes if row is not None else None
    if not _current(stored, new_content):
        stored = _compute(old_content, new_content)
        try:
            with transaction.atomic():
                VersionDiff.objects.update_or_create(
                    old_version=old, new_version=new, defaults={"changes": stored}
                )
        except IntegrityError:
            pass  # another request stored the same pair first: the same difference
    return _labelled(new_content, stored) + _records(old_content, new_content)
