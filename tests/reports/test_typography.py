"""Chinese typesetting of the printed report, read back from the PDF's lines: no paragraph
ends on a line of one or two characters, a title breaks only between words, the cover sets
full-width colons and the report number under the title, the level is named one way."""

import re
import subprocess
from datetime import UTC, datetime

import pytest

from assessments.content import assessment_content
from assessments.reports import render as render_module
from assessments.reports.context import render_report_body
from assessments.reports.render import render_issued_pdf, render_pdf
from assessments.reports.typography import keep_paragraph_ends, level_name
from tests.factories import complete_assessment, complete_standard, make_assessment

pytestmark = pytest.mark.django_db

# Body lines hold 27 characters of 16 pt in the 156 mm block, the first line of a paragraph
# 25 (2 em indent). A length of 25 + 27k + 1 or + 2 leaves, set naively, one or two
# characters on the last line.
FIRST_LINE, LINE = 25, 27
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
SENTENCE = "项目建设内容符合国家和省市有关政策规定并已广泛征求群众意见"


def paragraph(number: int) -> str:
    lines = number % 3
    spill = 1 + number % 2  # one or two characters over a full last line
    length = FIRST_LINE + LINE * lines + spill
    head = f"第{number}段".translate(FULL_WIDTH_DIGITS)  # every character one em wide
    body = (SENTENCE * 8)[: length - len(head) - 1]
    return head + body + "。"


FORTY = [paragraph(n) for n in range(1, 41)]


@pytest.fixture
def content(unit, assessor, risk_scheme):
    assessment = complete_assessment(make_assessment(unit=unit, author=assessor))
    assessment.basic_situation = "\n".join(FORTY)
    assessment.save()
    return assessment_content(assessment)


def pdf_lines(pdf: bytes) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    lines = [re.sub(r"\s+", "", line) for line in text.splitlines()]
    return [line for line in lines if line and not re.fullmatch(r"—\d+—", line)]


def last_lines(lines: list[str], paragraphs: list[str]) -> list[str]:
    """The printed last line of each paragraph, found by consuming the lines it spans."""
    found, cursor = [], lines.index(next(line for line in lines if line.startswith("第１段")))
    for text in paragraphs:
        printed = ""
        while len(printed) < len(text):
            printed += lines[cursor]
            cursor += 1
        assert printed == text, (printed, text)
        found.append(lines[cursor - 1])
    return found


def test_no_paragraph_of_forty_ends_on_a_line_of_one_or_two_characters(content):
    ends = last_lines(pdf_lines(render_pdf(content)), FORTY)

    short = [line for line in ends if len(line) <= 2]
    assert short == []
    assert all(len(line) >= 3 for line in ends)


def test_without_the_rule_the_same_paragraphs_would_end_on_one_or_two_characters(
    content, monkeypatch
):
    monkeypatch.setattr(render_module, "keep_paragraph_ends", lambda html: html)

    ends = last_lines(pdf_lines(render_pdf(content)), FORTY)

    assert sum(1 for line in ends if len(line) <= 2) >= 30


PROJECT_28 = "周村区城北片区老旧小区综合改造及配套道路管网提升工程项目"
# Its words, as a reader splits them: a line may end only after one of these.
WORDS_28 = [
    "周村区",
    "城北",
    "片区",
    "老旧",
    "小区",
    "综合",
    "改造",
    "及",
    "配套",
    "道路",
    "管网",
    "提升",
    "工程",
    "项目",
]


def test_a_28_character_title_breaks_only_between_words(content):
    assert len(PROJECT_28) == 28 and "".join(WORDS_28) == PROJECT_28
    boundaries = {sum(map(len, WORDS_28[:n])) for n in range(1, len(WORDS_28) + 1)}

    lines = pdf_lines(render_pdf({**content, "title": PROJECT_28 + "社会稳定风险评估报告"}))

    title = lines[: lines.index("2026年11月1日")]
    assert "".join(title) == PROJECT_28 + "社会稳定风险评估报告"
    assert title[-1] == "社会稳定风险评估报告"
    ends = [sum(map(len, title[: n + 1])) for n in range(len(title) - 2)]
    assert ends and all(end in boundaries for end in ends), title


def test_the_cover_sets_full_width_colons_and_the_number_under_the_title(content):
    issue = {
        "report_number": "测试稳评〔2026〕7号",
        "approver": "审核人",
        "signed_at": datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        "signer": "测试签名",
        "fingerprint": "ab" * 32,
        "verify_url": "http://testserver/verify/x/",
        "qr_data_uri": "",
        "seal_data_uri": None,
    }

    pdf, _box = render_issued_pdf(content, issue=issue)

    lines = pdf_lines(pdf)
    assert lines[:3] == ["测试项目社会稳定风险评估报告", "测试稳评〔2026〕7号", "2026年11月1日"]
    cover = lines[: lines.index("一、基本情况")]
    assert "项目名称：" in cover and "评估单位：" in cover and "联系人：聂某" in cover
    assert not [line for line in cover if ":" in line]


def test_a_draft_cover_has_no_report_number(content):
    lines = pdf_lines(render_pdf(content))

    assert lines[:2] == ["测试项目社会稳定风险评估报告", "2026年11月1日"]


def test_the_four_verdicts_are_printed_and_an_empty_one_is_not(content):
    content["findings"][2]["verdict"] = ""

    text = re.sub(r"<[^>]+>", "", render_report_body(content))

    assert text.count("研判结论：无风险。") == 3


def test_the_level_is_named_one_way_throughout(unit, assessor, risk_scheme):
    standard = complete_standard(complete_assessment(make_assessment(unit=unit, author=assessor)))
    standard.conclusion = "综合评估，建议准予实施。"  # what the user typed is printed as typed
    standard.save()

    text = re.sub(r"<[^>]+>|\s+", "", render_report_body(assessment_content(standard)))

    assert "风险等级为低风险：" in text
    assert "风险等级：低风险。" in text
    assert not re.search(r"低级|低风险级|[低中高]→|→[低中高](?!风险)", text)
    assert level_name("低") == level_name("低风险") == level_name("低级") == "低风险"


def test_paragraph_ends_are_held_without_changing_the_text():
    html = (
        "<p>零一二三四五六七八九十。</p><p>短句。</p>"
        "<p>这是一段说明详见<a href='#'>附件一</a>）</p>"
    )

    held = keep_paragraph_ends(html)

    assert held.count('<span class="keep-end">') == 2
    assert "七八九<span" not in held and '<span class="keep-end">八九十。</span>' in held
    assert "<p>短句。</p>" in held
    # The end falls inside a link: the whole (short) link is held, never half of it.
    assert "详见<span class=\"keep-end\"><a href='#'>附件一</a>）</span>" in held
    assert re.sub(r"<[^>]+>", "", held) == re.sub(r"<[^>]+>", "", html)
