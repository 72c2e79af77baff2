"""The content snapshot: its schema version, the upgrade of old versions, and the rules
about content (completeness, printability) that the wizard and the workflow both ask."""

import pytest

from assessments import content
from assessments.diffs import content_diff
from assessments.models import Version
from assessments.reports.context import render_report_body
from assessments.services import workflow
from tests.factories import complete_assessment, make_assessment

pytestmark = pytest.mark.django_db


def as_schema_1(current: dict) -> dict:
    """Content as a version submitted before schema 2 stored it."""
    old = {k: v for k, v in current.items() if k not in ("schema", "thresholds", "mode_reason")}
    old.pop("standard")
    old["basis_documents"] = ""
    old["emergency_plan"] = ""
    old["risk_points"] = [
        {k: v for k, v in p.items() if k not in ("resolution_state", "resolution")}
        for p in current["risk_points"]
    ]
    return old


def test_new_content_carries_the_current_schema_version(assessor, unit, risk_scheme):
    assessment = complete_assessment(make_assessment(unit=unit, author=assessor))

    data = content.assessment_content(assessment)

    assert data["schema"] == content.SCHEMA_VERSION == 4
    assert content.upgrade(data) is data


def test_a_version_saved_in_the_old_schema_still_renders_and_diffs(
    assessor, reviewer, unit, risk_scheme
):
    assessment = complete_assessment(make_assessment(unit=unit, author=assessor))
    workflow.assessment_submit(assessment=assessment, actor=assessor)
    version = Version.objects.get(assessment=assessment)
    old = as_schema_1(version.content)
    assert "schema" not in old

    html = render_report_body(old)
    changed = dict(old, conclusion="初步确定风险等级为低级，建议准予实施。另有说明。")
    changes = content_diff(old, content.upgrade(changed))

    assert "基本情况第一段" in html
    assert [change.label for change in changes] == ["评估结论"]
    assert "另有说明" in changes[0].new
    assert "schema" not in old  # reading never rewrites what was stored


def test_content_of_a_newer_schema_is_refused_rather_than_guessed():
    with pytest.raises(content.UnknownSchema):
        content.upgrade({"schema": content.SCHEMA_VERSION + 1})


def test_completeness_is_a_rule_about_content(assessor, unit, risk_scheme):
    assessment = complete_assessment(make_assessment(unit=unit, author=assessor))
    data = content.assessment_content(assessment)
    assert content.missing_requirements(data) == []

    data["contacts"]["evaluator"] = []
    data["conclusion"] = " "

    assert [m.step for m in content.missing_requirements(data)] == ["contacts", "conclusion"]


def test_a_version_in_the_old_schema_still_prints(assessor, unit, risk_scheme):
    from assessments.reports.render import render_pdf
    from tests.reports.test_pdf import pdf_text

    assessment = complete_assessment(make_assessment(unit=unit, author=assessor))
    old = as_schema_1(content.assessment_content(assessment))

    text = pdf_text(render_pdf(old))

    assert "基本情况第一段" in text
