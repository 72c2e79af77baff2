"""The parts of an assessment's content, in the order the procedure takes them, with their
names: one list for the wizard's steps, its indicator, the checklist and the messages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Every part by the slug of the wizard step that edits it, and its name.
PART_TITLES = {
    "project": _("Project"),
    "contacts": _("Contacts"),
    "basis": _("Basis documents"),
    "subject": _("Who assessed"),
    "basic": _("Basic situation"),
    "consultation": _("Consultation"),
    "opinions": _("Opinions and their adoption"),
    "expert": _("Expert review"),
    "findings": _("Four dimensions"),
    "risks": _("Risks and mitigation"),
    "emergency": _("Emergency plan"),
    "sections": _("Sections of the outline"),
    "conclusion": _("Conclusion"),
    "decision": _("Collective decision"),
    "preview": _("Preview and submit"),
    # Not a step of the form: the locality's deadlines, on the rules page.
    "deadlines": _("Deadlines"),
    # Not a wizard step: the part of the rules that applies after issue (备案).
    "filing": _("Filing with the oversight unit"),
}
# The parts of each mode, in order; the preview (where submission happens) comes last.
SIMPLE_ORDER = ["project", "contacts", "basic", "findings", "risks", "conclusion"]
# The procedure's order (the 2013 outline and 重大行政决策程序暂行条例).
STANDARD_ORDER = [
    "project",
    "contacts",
    "basis",
    "subject",
    "basic",
    "consultation",
    "opinions",
    "expert",
    "findings",
    "risks",
    "emergency",
    "conclusion",
    "decision",
]


def order_for(mode: str, *, with_sections: bool = False) -> list[str]:
    """The parts of a mode, in order (without the preview). `with_sections`: the report's
    outline has sections of the locality's own, written on a step of their own before the
    conclusion."""
    order = STANDARD_ORDER if mode == "standard" else SIMPLE_ORDER
    if with_sections:
        at = order.index("conclusion")
        order = [*order[:at], "sections", *order[at:]]
    return order
