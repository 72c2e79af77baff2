"""Field helpers shared by the models: score validators and the one table of text limits."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]

# The longest text a user may type in each long field, in characters: one number for the
# browser's counter, the form, the model and a database constraint. Sized on the reference
# report (基本情况 ≈ 1,100 characters) with room to spare, and so that a paste accident
# cannot make a report of dozens of pages.
TEXT_LIMITS = {
    # the simple report's sections
    "basic_situation": 6000,
    "risk_narrative": 4000,
    "conclusion": 2000,
    "deviation_reason": 1000,
    "mode_reason": 1000,
    "finding": 3000,
    # a risk point
    "risk_description": 1000,
    "mitigation": 2000,
    "risk_resolution": 2000,
    # standard mode's records
    "activity_summary": 2000,
    "opinion_content": 2000,
    "opinion_response": 2000,
    "expert_opinion": 5000,
    "emergency_triggers": 2000,
    "emergency_measures": 5000,
    "expert_member_opinion": 2000,
    # the project's own facts
    "scale_content": 3000,
    # a free section of the locality's outline
    "free_section": 5000,
    # the review
    "review_comment": 2000,
    # after the decision: tracking and post-evaluation
    "tracking_findings": 3000,
    "tracking_new_risks": 2000,
    "measure_note": 500,
    "post_evaluation_findings": 5000,
    # 备案: what the clerk adds to the 报备表, and the oversight unit's written opinion
    "filing_text": 2000,
    "filing_opinion": 3000,
}


def bounded_text(verbose_name, limit_key: str, **kwargs) -> models.TextField:
    """A long text with its limit from TEXT_LIMITS: the model validates it (every service
    path), a ModelForm and the browser's counter take it from `max_length`, and the model's
    Meta adds the database CHECK with `length_limit`."""
    limit = TEXT_LIMITS[limit_key]
    return models.TextField(
        verbose_name, max_length=limit, validators=[MaxLengthValidator(limit)], **kwargs
    )


def length_limit(field: str, limit_key: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), TEXT_LIMITS[limit_key]), name=name
    )
