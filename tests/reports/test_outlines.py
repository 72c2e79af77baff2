"""Report outlines as data (issue 16): each shipped outline's headings, and only its headings,
are printed in the issued PDF; a version keeps the outline it was submitted with; a unit's
choice is inherited down the tree."""

import pytest

from assessments.content import (
    assessment_content,
    effective_outline,
    numbered_headings,
    outline_snapshot,
)
from assessments.issuing import tasks
from assessments.models import Mode, Outline, Role, Unit, UnitOutline, outline_problems
from assessments.reports import storage
from assessments.reports.context import live_outline, render_report_body
from assessments.services import outlines, workflow
from assessments.services.editing import free_sections_update
from tests.factories import (
    complete_assessment,
    complete_standard,
    make_assessment,
    make_unit,
    make_user,
)
from tests.reports.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

SHIPPED = {
    "simple": [
        "一、基本情况",
        "二、社会稳定风险评估开展情况",
        "1、合法性",
        "2、合理性",
        "3、可行性",
        "4、可控性",
        "三、社会稳定风险点及化解情况",
        "四、评估结论",
    ],
    "national-2013": [
        "一、基本情况",
        "（一）项目概况",
        "（二）评估依据",
        "（三）评估主体",
        "（四）评估过程和方法",
        "二、评估内容",
        "（一）风险调查及各方意见采纳情况",
        "（二）合法性",
        "（三）合理性",
        "（四）可行性",
        "（五）可控性",
        "（六）风险识别和估计",
        "（七）防范化解措施",
        "（八）风险等级",
        "三、评估结论",
        "四、对策建议",
        "五、应急处置预案",
        "六、集体讨论决定",
        "附件清单",
    ],
    "qingshi-simple": [
        "一、项目基本情况",
        "二、青石区社会稳定风险分析",
        "（一）项目合法性分析",
        "（二）项目合理性分析",
        "（三）项目可行性分析",
        "（四）项目可控性分析",
        "三、舆情风险研判",
        "四、风险点及化解措施",
        "五、评估结论",
    ],
}
ALL_HEADINGS = {heading for headings in SHIPPED.values() for heading in headings}
PUBLIC_OPINION = "网络舆情监测未发现负面炒作，群众关注点集中在数据安全。"


def printed(outline: dict) -> list[str]:
    return [heading["number"] + heading["title"] for heading in outline["headings"]]


def heading_lines(text: str) -> list[str]:
    """The lines of a PDF's text that are a heading of any shipped outline, in order."""
    return [line.strip() for line in text.splitlines() if line.strip() in ALL_HEADINGS]


@pytest.fixture
def qingshi():
    return Outline.objects.get(code="qingshi-simple")


def _issue(assessment, assessor, reviewer):
    workflow.assessment_submit(assessment=assessment, actor=assessor)
    workflow.assessment_approve(assessment=assessment, actor=reviewer)
    return tasks.issue_report(assessment_id=assessment.pk)


def test_the_shipped_outlines_are_whole_and_numbered_as_shipped():
    for code, expected in SHIPPED.items():
        outline = Outline.objects.get(code=code)
        headings = list(outline.headings.values("level", "binding", "key"))
        assert outline_problems(outline.mode, outline.numbering, headings) == []
        assert printed(outline_snapshot(outline)) == expected


def test_an_outline_that_drops_or_repeats_a_part_is_refused():
    headings = [
        {"level": 1, "binding": "basic"},
        {"level": 1, "binding": "basic"},
        {"level": 3, "binding": "free"},
    ]

    problems = outline_problems(Mode.SIMPLE, ["chinese", "chinese_paren"], headings)

    assert "第3个标题跳过了一级。" in problems or "Heading 3 skips a level." in problems
    assert any("basic" in problem and "2" in problem for problem in problems)
    assert any("conclusion" in problem and "0" in problem for problem in problems)
    assert any("3" in problem and ("key" in problem or "标识" in problem) for problem in problems)


def test_numbers_follow_level_and_position_and_restart_under_each_parent():
    headings = [
        {"level": 1},
        {"level": 2},
        {"level": 2},
        {"level": 3},
        {"level": 1},
        {"level": 2},
        {"level": 1, "numbered": False},
        {"level": 1},
    ]
    numbering = ["chinese", "chinese_paren", "arabic_dot"]

    numbers = [h["number"] for h in numbered_headings(numbering, headings)]

    assert numbers == ["一、", "（一）", "（二）", "1.", "二、", "（一）", "", "三、"]


@pytest.mark.parametrize("code", list(SHIPPED))
def test_an_issued_report_prints_exactly_its_outlines_headings_in_order(
    code, unit, assessor, reviewer, unit_admin, risk_scheme
):
    outline = Outline.objects.get(code=code)
    outlines.unit_outline_choose(actor=unit_admin, unit=unit, mode=outline.mode, outline=outline)
    assessment = complete_assessment(make_assessment(unit=unit, author=assessor))
    if outline.mode == Mode.STANDARD:
        complete_standard(assessment)
    free_sections_update(assessment=assessment, texts={"public-opinion": PUBLIC_OPINION})

    report = _issue(assessment, assessor, reviewer)

    text = pdf_text(_bytes(report))
    assert heading_lines(text) == SHIPPED[code]
    # The locality's own section prints what the assessor wrote in it, and only there.
    assert (PUBLIC_OPINION in text.replace("\n", "")) == (code == "qingshi-simple")


def _bytes(report) -> bytes:
    return storage.read_report_bytes(report.sha256)


def test_an_old_version_renders_with_the_outline_it_was_submitted_with(
    unit, assessor, reviewer, unit_admin, risk_scheme, qingshi
):
    assessment = complete_assessment(make_assessment(unit=unit, author=assessor))
    workflow.assessment_submit(assessment=assessment, actor=assessor)
    outlines.unit_outline_choose(actor=unit_admin, unit=unit, mode=Mode.SIMPLE, outline=qingshi)
    workflow.assessment_approve(assessment=assessment, actor=reviewer)

    report = tasks.issue_report(assessment_id=assessment.pk)

    version = assessment.versions.get()
    assert printed(version.outline) == SHIPPED["simple"]
    assert heading_lines(pdf_text(_bytes(report))) == SHIPPED["simple"]
    # A new draft of the unit follows the outline chosen since.
    fresh = complete_assessment(make_assessment(unit=unit, author=assessor))
    html = render_report_body(assessment_content(fresh), live_outline(fresh))
    assert "二、青石区社会稳定风险分析" in html and "社会稳定风险评估开展情况" not in html


def test_a_version_from_before_outlines_were_data_reads_in_its_modes_default(
    complete_draft, assessor
):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    version = complete_draft.versions.get()

    html = render_report_body(version.content, None)

    assert "二、社会稳定风险评估开展情况" in html and "<h3>1、合法性</h3>" in html


def test_a_choice_is_inherited_down_the_tree_and_the_nearest_wins(qingshi, risk_scheme):
    district = make_unit("青石区")
    bureau = make_unit("青石区大数据局", parent=district)
    office = make_unit("青石区大数据局办公室", parent=bureau)
    admin = make_user("district-admin", roles=[Role.UNIT_ADMIN], units=[district, bureau])
    simple = Outline.objects.get(code="simple")

    assert effective_outline(office, Mode.SIMPLE) == simple
    outlines.unit_outline_choose(actor=admin, unit=district, mode=Mode.SIMPLE, outline=qingshi)
    assert effective_outline(office, Mode.SIMPLE) == qingshi
    assert effective_outline(office, Mode.STANDARD).code == "national-2013"
    outlines.unit_outline_choose(actor=admin, unit=bureau, mode=Mode.SIMPLE, outline=simple)
    assert effective_outline(office, Mode.SIMPLE) == simple
    outlines.unit_outline_choose(actor=admin, unit=bureau, mode=Mode.SIMPLE, outline=None)
    assert effective_outline(office, Mode.SIMPLE) == qingshi
    assert not UnitOutline.objects.filter(unit=bureau).exists()


def test_the_outline_is_found_in_a_fixed_number_of_queries(django_assert_num_queries):
    root = make_unit()
    unit = Unit.objects.get(pk=make_unit(parent=make_unit(parent=root)).pk)

    # three units of lineage (the first is in hand: two parents), the choices, the default
    with django_assert_num_queries(4):
        effective_outline(unit, Mode.SIMPLE)


def test_a_reviewer_sees_a_free_section_changed_and_emptied(draft):
    from assessments.diffs import content_diff

    free_sections_update(assessment=draft, texts={"public-opinion": PUBLIC_OPINION})
    old = assessment_content(draft)
    free_sections_update(assessment=draft, texts={"public-opinion": ""})
    new = assessment_content(draft)

    changes = content_diff(old, new)

    assert [str(change.label) for change in changes] == ["本地章节 · public-opinion"]
