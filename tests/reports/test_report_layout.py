"""The printed report's layout, read back from the PDF's text: titles, tables, long strings,
the 落款 and the conclusion in words. Each test also writes its pages as PNG images to
test-artifacts/pdf/ (pdftoppm), to be looked at."""

import re
import subprocess
from pathlib import Path

import pytest

from assessments.content import assessment_content
from assessments.demo import load_demo, load_demo_spec
from assessments.issuing import tasks
from assessments.models import Assessment
from assessments.reports import storage
from assessments.reports.render import render_pdf
from assessments.reports.titles import title_lines

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"
REFERENCE_PROJECT = "《周村区新型智慧城市顶层设计》"
PROJECT_28 = "周村区城北片区老旧小区综合改造及配套道路管网提升工程项目"
PARTY_8 = "区住房城乡建设局"


@pytest.fixture
def reference_content():
    load_demo(passwords={u["username"]: "Demo-pass-1" for u in load_demo_spec()["users"]})
    return assessment_content(Assessment.objects.get(project_name=REFERENCE_PROJECT))


def layout_text(pdf: bytes, *, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", *pages, "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()


def save_pages(pdf: bytes, name: str) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-", str(ARTIFACTS / name)], input=pdf, check=True
    )
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def test_a_28_character_project_name_gives_a_balanced_title_with_the_ending_whole(
    reference_content,
):
    assert len(PROJECT_28) == 28
    content = {
        **reference_content,
        "title": PROJECT_28 + "社会稳定风险评估报告",
        "project_name": PROJECT_28,
    }

    pdf = render_pdf(content)
    save_pages(pdf, "long-title")

    cover = layout_text(pdf, first=1, last=1).splitlines()
    lines = [line.strip() for line in cover if line.strip()]
    date_index = next(i for i, line in enumerate(lines) if re.fullmatch(r"\d{4}年\d+月\d+日", line))
    title = lines[:date_index]
    assert "".join(title) == content["title"]
    assert title[-1] == "社会稳定风险评估报告"
    assert all(len(line) >= 4 for line in title), title


def test_title_lines_are_balanced_and_keep_brackets_with_their_words():
    assert title_lines("周村区重大项目社会稳定风险评估报告") == [
        "周村区重大项目社会稳定风险评估报告"
    ]
    # Balanced, but never inside a word: 14 + 14 would cut 综合改|造.
    assert title_lines(PROJECT_28 + "社会稳定风险评估报告") == [
        "周村区城北片区老旧小区综合",
        "改造及配套道路管网提升工程项目",
        "社会稳定风险评估报告",
    ]
    lines = title_lines("关于《周村区新型智慧城市顶层设计（二〇二六年修订版）》的评估意见汇总")
    assert max(map(len, lines)) - min(map(len, lines)) <= 3
    assert not any(line[0] in "》）" or line[-1] in "《（" for line in lines)


def test_ten_risk_points_print_each_responsible_party_on_one_line(reference_content):
    point = {
        "category": "safety",
        "likelihood": 3,
        "impact": 4,
        "level_before": "medium",
        "level_after": "low",
        "mitigation": "提前发布交通组织方案，设置临时便道和引导标识。",
    }
    content = {
        **reference_content,
        "risk_points": [
            {
                **point,
                "description": f"风险点{n}：施工期间交通组织调整",
                "responsible_party": PARTY_8,
            }
            for n in range(1, 11)
        ],
    }

    pdf = render_pdf(content)
    save_pages(pdf, "ten-risk-points")

    text = layout_text(pdf)
    assert text.count(PARTY_8) == 10
    # The header fits its cells too: no column title is split over two lines.
    assert re.search(r"序号\s+风险点\s+风险等级\s+化解措施\s+责任单位", text)


def test_a_long_unbroken_string_wraps_inside_the_text_block(reference_content):
    url = "https://example.gov.cn/" + "a1b2c3d4" * 25
    content = {**reference_content, "basic_situation": f"详见{url}。"}

    pdf = render_pdf(content)
    save_pages(pdf, "long-url")

    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    page_width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert re.sub(r"\s+", "", layout_text(pdf)).count(url) == 1
    # The text block ends 26 mm (73.7 pt) from the right edge of the page.
    assert max(right_edges) <= page_width - 26 / 25.4 * 72 + 2


def test_the_issued_reference_ends_with_the_closing_and_states_level_and_recommendation(
    reference_content,
):
    reference = Assessment.objects.get(project_name=REFERENCE_PROJECT)

    report = tasks.issue_report(assessment_id=reference.pk)
    pdf = storage.read_report_bytes(report.sha256)
    save_pages(pdf, "issued-reference")

    text = layout_text(pdf)
    flat = re.sub(r"\s+", "", text)
    assert "风险等级：低风险。评估建议：准予实施。" in flat
    last_page = layout_text(pdf, first=_page_count(pdf), last=_page_count(pdf))
    closing = [line.strip() for line in last_page.splitlines() if line.strip()]
    unit_line = closing.index("周村区大数据局")
    assert closing[unit_line + 1] == "2021年9月17日"
    # Right-aligned: the unit starts right of the page's middle.
    unit_row = next(line for line in last_page.splitlines() if line.strip() == "周村区大数据局")
    assert len(unit_row) - len(unit_row.lstrip()) > 30


def _page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return int(re.search(rb"Pages:\s+(\d+)", info).group(1))
