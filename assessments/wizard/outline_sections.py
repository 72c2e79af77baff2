"""The step for the free sections of the unit's report outline (issue 16): shown only where
the outline has sections of the locality's own, which the assessor writes."""

from __future__ import annotations

from .. import content
from ..forms.outline_sections import FreeSectionsForm
from ..models import Assessment
from ..services import editing
from .steps import Step, wizard_outline


def has_free_sections(assessment: Assessment) -> bool:
    return bool(content.free_sections(wizard_outline(assessment)))


class FreeSectionsStep(Step):
    def is_complete(self, assessment):
        data = content.assessment_content(assessment)
        return not content.free_section_problems(data, wizard_outline(assessment))

    def forms(self, assessment, data=None, add_row=None):
        texts = {row.key: row.text for row in assessment.free_sections.all()}
        return {
            "form": FreeSectionsForm(
                data,
                sections=content.free_sections(wizard_outline(assessment)),
                initial=texts,
            )
        }

    def apply(self, forms):
        return lambda a: editing.free_sections_update(assessment=a, texts=forms["form"].texts())
