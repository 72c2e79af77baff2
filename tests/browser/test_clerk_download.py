"""A clerk finds the issued reference report, downloads it; it validates; its QR code opens
the verification page."""

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from assessments.demo import load_demo, load_demo_spec
from assessments.issuing import tasks
from assessments.models import Assessment
from assessments.reports import verify as verification
from assessments.reports.storage import read_report_bytes

from .conftest import login, outside_the_event_loop

PASSWORD = "Demo-pass-1"


@pytest.fixture
def issued(transactional_db, settings, live_server):
    # The QR code must point at this test server; issuing runs when the demo load commits.
    settings.ZHOUCUN_PUBLIC_URL = live_server.url
    passwords = {u["username"]: PASSWORD for u in load_demo_spec()["users"]}
    outside_the_event_loop(load_demo, passwords=passwords)
    reference = Assessment.objects.get(project_name="《周村区新型智慧城市顶层设计》")
    return outside_the_event_loop(tasks.issue_report, assessment_id=reference.pk)


def qr_urls(pdf_path, tmp_path) -> list[str]:
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.fail("zbarimg (Debian zbar-tools) is needed to read the QR code; make installs it")
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", str(pdf_path), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page*.png"))
    found = subprocess.run(
        [zbarimg, "--quiet", "--raw", *map(str, pages)], capture_output=True, text=True
    )
    return [line.strip() for line in found.stdout.splitlines() if line.strip()]


def test_a_clerk_downloads_the_signed_report_and_its_qr_opens_the_verification_page(
    page, screenshot, issued, tmp_path, live_server
):
    login(page, "clerk", PASSWORD)
    issued_section = page.locator("#section-issued")
    issued_section.get_by_role("link", name="《周村区新型智慧城市顶层设计》").click()
    expect(page.locator("#signed-report")).to_contain_text(issued.report_number)
    screenshot(page, "clerk-1-issued-report")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载已签名 PDF").click()
    path = tmp_path / "report.pdf"
    download_info.value.save_as(path)
    data = path.read_bytes()

    assert data == read_report_bytes(issued.sha256)
    assert outside_the_event_loop(verification.verify_pdf, data).valid

    urls = qr_urls(path, tmp_path)
    assert len(urls) == 1
    token_path = f"/verify/{issued.verification_token}/"
    assert urls[0].endswith(token_path)
    page.goto(live_server.url + token_path)
    expect(page.locator("#report-number")).to_have_text(issued.report_number)
    expect(page.locator("#report-sha256")).to_have_text(issued.sha256)
    screenshot(page, "clerk-2-verification-page")

    page.locator("#pdf-upload").set_input_files(str(path))
    page.get_by_role("button", name="核验", exact=True).click()
    expect(page.locator("#verdict")).to_contain_text("完全一致")
    expect(page.locator("#verdict")).to_contain_text("电子签名有效")
    screenshot(page, "clerk-3-verified-upload")
