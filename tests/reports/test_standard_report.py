"""The standard report follows the 2013 outline; the review diff covers every record."""

import re

import pytest

from assessments import content
from assessments.diffs import content_diff
from assessments.models import ExpertMember, Opinion
from assessments.reports.context import render_report_body
from assessments.services import editing, workflow
from tests.factories import complete_assessment, complete_standard, make_assessment

pytestmark = pytest.mark.django_db

STANDARD_HEADINGS = [
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
]


@pytest.fixture
def standard(assessor, unit, risk_scheme):
    return complete_standard(complete_assessment(make_assessment(unit=unit, author=assessor)))


def text_of(html: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def test_the_standard_report_follows_the_outline_in_order(standard):
    html = render_report_body(content.assessment_content(standard))
    headings = re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html)

    assert [h for h in headings if h in STANDARD_HEADINGS] == STANDARD_HEADINGS


def test_the_standard_report_states_the_computed_figures_and_tables(standard):
    text = text_of(render_report_body(content.assessment_content(standard)))

    assert "共开展公众参与活动3次，其中公示公告1次、问卷调查1次、座谈会1次，参与135人次" in text
    # Parts no opinion or risk point is in are not printed as 0 (issue 16).
    assert "共收集各方意见1条，其中采纳1条。" in text
    assert "支持率92.0%" in text
    assert "共识别风险点1个，其中已化解1个。" in text
    assert "针对识别的1个风险点，制定防范化解措施1项" in text
    assert "公众参与活动一览表" in text and "各方意见及采纳情况一览表" in text
    assert "会议决定：实施" in text


def test_the_simple_report_is_unchanged(assessor, unit, risk_scheme):
    simple = complete_assessment(make_assessment(unit=unit, author=assessor))
    html = render_report_body(content.assessment_content(simple))

    assert "二、社会稳定风险评估开展情况" in html
    assert "附件清单" not in html


def test_the_review_diff_names_added_removed_and_changed_rows(assessor, reviewer, standard):
    workflow.assessment_submit(assessment=standard, actor=assessor)
    first = standard.versions.get().content
    workflow.assessment_return(assessment=standard, actor=reviewer, comment="补充专家")

    editing.rows_sync(
        assessment=standard,
        model=ExpertMember,
        rows=[
            *[
                {"id": e.pk, "name": e.name, "title": e.title, "organisation": e.organisation}
                for e in standard.experts.order_by("order")
            ][1:],
            {"name": "新专家", "title": "教授", "organisation": "某大学"},
        ],
    )
    opinion = Opinion.objects.get(assessment=standard)
    opinion.adoption = "not_adopted"
    opinion.response = "超出项目范围。"
    opinion.save()
    record = standard.standard_record
    record.meeting_chair = "刘某"
    record.save()
    second = content.assessment_content(type(standard).objects.get(pk=standard.pk))

    labels = [change.label for change in content_diff(first, second)]

    assert "主持人" in labels
    assert "专家组 · 第1行 已删除" in labels
    assert "专家组 · 第3行 已新增" in labels
    assert "各方意见及采纳情况 · 第1行 已修改" in labels


def test_the_standard_pdf_has_every_heading_in_order_and_embeds_its_fonts(standard):
    from assessments.reports.render import render_pdf
    from tests.reports.test_pdf import pdf_text, pdffonts

    pdf = render_pdf(content.assessment_content(standard))
    text = re.sub(r"\s+", "", pdf_text(pdf))

    positions = [text.find(heading) for heading in STANDARD_HEADINGS]
    assert -1 not in positions, [
        h for h, p in zip(STANDARD_HEADINGS, positions, strict=True) if p < 0
    ]
    assert positions == sorted(positions)
    assert "公众参与活动一览表" in text and "支持率92.0%" in text
    assert all(row[-5] == "yes" for row in pdffonts(pdf))  # the "emb" column
