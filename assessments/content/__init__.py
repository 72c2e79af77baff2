"""The content of an assessment and the rules about it (the "rules" layer).

- `snapshot`: the content as a document with a schema version (what a Version freezes);
- `parts`: the parts of the content, their names and order, by mode;
- `rules`: when each part is complete, what submission still requires under the rules in
  force for the assessment's unit;
- `requirements`: what a rule can require, by key; `locality`: inheritance down the unit tree;
- `mode`: which project figures suggest a standard assessment;
- `figures`: the three states of a figure (given / 未载明 / empty) and the numbers the
  standard report states, from the records or the summary-level counts;
- `matters`: the kinds of matter (工程项目, 政策 …) and the facts of each;
- `outline`: which outline a unit's reports follow, the outline as numbered headings;
- `printable`: whether the report can print the content faithfully.

It asks nobody above it: the wizard, the workflow, the preview and the report ask here.
"""

from .figures import (
    EMPTY,
    GIVEN,
    NOT_STATED,
    answered,
    figures,
    not_stated_items,
    state_in,
    state_of,
)
from .matters import FACT_FIELDS, FACT_FIGURES, MATTER_FIELDS, fact_label, fields_of, kinds_of
from .mode import Exceeded, mode_reason_required, mode_suggestion
from .outline import (
    effective_outline,
    free_section_problems,
    free_sections,
    free_texts,
    numbered_headings,
    outline_for,
    outline_snapshot,
)
from .parts import PART_TITLES, SIMPLE_ORDER, STANDARD_ORDER, order_for
from .printable import printing_problem, uncovered_characters
from .rules import (
    Missing,
    deviates,
    missing_requirements,
    part_problems,
    rules_for,
    rules_for_assessment,
    step_completeness,
    suggested_level_code,
)
from .snapshot import (
    CONTENT_FIELDS,
    CONTENT_PREFETCH,
    SCHEMA_VERSION,
    THRESHOLD_FIELDS,
    UnknownSchema,
    assessment_content,
    empty_standard,
    frozen,
    level_names,
    level_scheme,
    scheme_snapshot,
    standard_content,
    upgrade,
)

__all__ = [
    "CONTENT_FIELDS",
    "CONTENT_PREFETCH",
    "EMPTY",
    "FACT_FIELDS",
    "FACT_FIGURES",
    "GIVEN",
    "MATTER_FIELDS",
    "NOT_STATED",
    "PART_TITLES",
    "SCHEMA_VERSION",
    "SIMPLE_ORDER",
    "STANDARD_ORDER",
    "THRESHOLD_FIELDS",
    "Exceeded",
    "Missing",
    "UnknownSchema",
    "answered",
    "assessment_content",
    "deviates",
    "effective_outline",
    "empty_standard",
    "fact_label",
    "fields_of",
    "figures",
    "free_section_problems",
    "free_sections",
    "free_texts",
    "frozen",
    "kinds_of",
    "level_names",
    "level_scheme",
    "missing_requirements",
    "mode_reason_required",
    "mode_suggestion",
    "not_stated_items",
    "numbered_headings",
    "order_for",
    "outline_for",
    "outline_snapshot",
    "part_problems",
    "printing_problem",
    "rules_for",
    "rules_for_assessment",
    "scheme_snapshot",
    "standard_content",
    "state_in",
    "state_of",
    "step_completeness",
    "suggested_level_code",
    "uncovered_characters",
    "upgrade",
]
