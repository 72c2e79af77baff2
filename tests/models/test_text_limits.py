"""One limit per long text, the same in the browser (maxlength, read by the counter), the
form, the model and the database."""

import pytest
from django.db import IntegrityError, transaction

from assessments.forms.steps import BasicSituationForm, ConclusionForm, FindingsForm, RiskPointForm
from assessments.models import TEXT_LIMITS, Assessment, Finding, RiskPoint

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model, field, key",
    [
        (Assessment, "basic_situation", "basic_situation"),
        (Assessment, "risk_narrative", "risk_narrative"),
        (Assessment, "conclusion", "conclusion"),
        (Assessment, "deviation_reason", "deviation_reason"),
        (Finding, "text", "finding"),
    ],
)
def test_the_database_refuses_one_character_over_the_limit(draft, model, field, key):
    rows = model.objects.filter(pk=draft.pk) if model is Assessment else draft.findings.all()[:1]
    pk = rows[0].pk
    limit = TEXT_LIMITS[key]

    model.objects.filter(pk=pk).update(**{field: "甲" * limit})
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=pk).update(**{field: "甲" * (limit + 1)})


def test_risk_point_texts_are_bounded_in_the_database_too():
    names = {c.name for c in RiskPoint._meta.constraints}
    assert {"risk_point_description_length", "risk_point_mitigation_length"} <= names


def test_form_and_browser_use_the_models_limits(draft, risk_scheme):
    basic = BasicSituationForm(instance=draft)
    conclusion = ConclusionForm(instance=draft)
    findings = FindingsForm()
    risk = RiskPointForm(levels=risk_scheme)

    pairs = [
        (basic["basic_situation"], "basic_situation"),
        (conclusion["conclusion"], "conclusion"),
        (conclusion["deviation_reason"], "deviation_reason"),
        (findings["legality_text"], "finding"),
        (risk["description"], "risk_description"),
        (risk["mitigation"], "mitigation"),
    ]
    for bound, key in pairs:
        assert bound.field.max_length == TEXT_LIMITS[key], key
        assert f'maxlength="{TEXT_LIMITS[key]}"' in str(bound), key
