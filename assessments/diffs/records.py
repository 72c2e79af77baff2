"""What changed in the standard-mode records between two versions, for the reviewer.

Lists of records are compared row by row — a row added, removed or changed is named as such,
with its number — and single values field by field. Both sides are upgraded content.
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher
from typing import Any

from django.utils.translation import gettext as _

from ..common.text import choice_label as _choice
from ..content import level_names, not_stated_items
from ..models import (
    Adoption,
    Assessment,
    AttachmentSection,
    Measure,
    OpinionSource,
    Recommendation,
    Resolution,
    StandardRecord,
)


def _join(*parts) -> str:
    return "｜".join(str(part) for part in parts if part not in (None, ""))


def _lists(content: dict[str, Any]) -> list[tuple[str, list[str]]]:
    s = content["standard"]
    return [
        (
            _("Basis documents"),
            [_join(d["title"], d["number"], d["issuer"]) for d in s["basis_documents"]],
        ),
        (_("Working group"), [_join(m["name"], m["unit"], m["role"]) for m in s["working_group"]]),
        (
            _("Consultation activities"),
            [
                _join(
                    a["kind_name"],
                    a["occasions"],
                    a["start_date"],
                    a["end_date"],
                    a["place"],
                    a["participants"],
                    a["questionnaires_issued"],
                    a["questionnaires_returned"],
                    a["questionnaires_in_favour"],
                    a["summary"],
                    *(f"{name}=未载明" for name in a["not_stated"]),
                )
                for a in s["activities"]
            ],
        ),
        (
            _("Opinions and their adoption"),
            [
                _join(
                    o["source"],
                    _choice(OpinionSource, o["raised_by"]),
                    o["content"],
                    _choice(Adoption, o["adoption"]),
                    o["response"],
                )
                for o in s["opinions"]
            ],
        ),
        (
            _("Expert panel"),
            [_join(e["name"], e["title"], e["organisation"], e["opinion"]) for e in s["experts"]],
        ),
        (
            _("Emergency contacts"),
            [_join(c["name"], c["role"], c["phone"]) for c in s["emergency_contacts"]],
        ),
        (
            _("Resolution"),
            [
                _join(
                    p["description"][:30],
                    _choice(Resolution, p["resolution_state"]),
                    p["resolution"],
                )
                for p in content["risk_points"]
            ],
        ),
        (
            _("Attachments"),
            [
                _join(
                    _choice(AttachmentSection, f["section"]), f["activity"], f["name"], f["sha256"]
                )
                for f in s["attachments"]
            ],
        ),
    ]


def _values(content: dict[str, Any]) -> list[tuple[str, str]]:
    s = content["standard"]
    expert, emergency, decision = s["expert_review"], s["emergency"], s["decision"]
    thresholds = [
        (str(Measure(name).label), "" if value is None else str(value))
        for name, value in content["thresholds"].items()
    ]
    facts = [
        (str(Assessment._meta.get_field(name).verbose_name), "" if value is None else str(value))
        for name, value in content["facts"].items()
    ]
    counts = [
        (
            str(StandardRecord._meta.get_field(name).verbose_name),
            "" if s[name] is None else str(s[name]),
        )
        for name in (
            "opinions_count",
            "opinions_adopted_count",
            "satisfaction_rate",
            "expert_count",
        )
    ]
    marks = "、".join(item["label"] for item in not_stated_items(content))
    return [
        (str(Assessment._meta.get_field("matter_kind").verbose_name), content["matter_kind"]),
        *facts,
        *thresholds,
        (
            _("Number of measures"),
            "" if content["measures_count"] is None else str(content["measures_count"]),
        ),
        *counts,
        (_("Marked not stated"), marks),
        (_("Reason for the lighter mode"), content["mode_reason"]),
        (_("Responsible leader"), s["responsible_leader"]),
        (_("Third-party assessor"), s["third_party"]),
        (_("Date of the expert review"), expert["date"] or ""),
        (_("Level found by the panel"), level_names(content).get(expert["level"] or "", "")),
        (_("Panel's recommendation"), _choice(Recommendation, expert["recommendation"])),
        (_("Panel's opinion"), expert["opinion"]),
        (_("Trigger conditions"), emergency["triggers"]),
        (_("Commander"), emergency["command_leader"]),
        (_("Responsible units"), emergency["command_units"]),
        (_("Response measures"), emergency["measures"]),
        (_("Meeting"), decision["meeting_kind"]),
        (_("Meeting date"), decision["date"] or ""),
        (_("Chaired by"), decision["chair"]),
        (_("Attendance"), decision["attendance"]),
        (_("Decision"), decision["decision_name"]),
    ]


def standard_changes(
    old: dict[str, Any], new: dict[str, Any], highlight: Callable[[str, str], tuple]
) -> list[tuple[str, Any, Any]]:
    """(label, old, new) for every changed value and every added, removed or changed row."""
    changes = []
    for (label, before), (_label, after) in zip(_values(old), _values(new), strict=True):
        if before != after:
            changes.append((label, *highlight(before, after)))
    for (label, before), (_label, after) in zip(_lists(old), _lists(new), strict=True):
        matcher = SequenceMatcher(None, before, after, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            olds, news = before[i1:i2], after[j1:j2]
            for k in range(max(len(olds), len(news))):
                was = olds[k] if k < len(olds) else None
                now = news[k] if k < len(news) else None
                if was is None:
                    what = _("%(list)s · row %(n)s added") % {"list": label, "n": j1 + k + 1}
                elif now is None:
                    what = _("%(list)s · row %(n)s removed") % {"list": label, "n": i1 + k + 1}
                else:
                    what = _("%(list)s · row %(n)s changed") % {"list": label, "n": j1 + k + 1}
                changes.append((what, *highlight(was or "", now or "")))
    return changes
