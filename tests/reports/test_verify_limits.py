"""The public /verify/ page under hostile uploads: refused early, bounded, rate-limited."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.reports import verify_bounds

pytestmark = pytest.mark.django_db

MB = 2**20


@pytest.fixture(autouse=True)
def own_slots(settings, tmp_path):
    settings.ZHOUCUN_VERIFY_SLOTS_DIR = str(tmp_path / "slots")


def upload(client, data: bytes, **extra):
    return client.post(
        reverse("verify_upload"), {"pdf": SimpleUploadedFile("x.pdf", data)}, **extra
    )


XREF = b"xref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 1>>\n"


def pdf_shaped(body: bytes) -> bytes:
    """Passes every check before parsing: its startxref points at an xref table."""
    return b"%PDF-1.7\n" + XREF + body + b"\nstartxref\n9\n%%EOF\n"


@pytest.fixture
def parse_must_not_run(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(verify_bounds, "verify_in_child", refuse)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + b"A" * (19 * MB),  # ends in one long line: 8 s in pyHanko
        b"%PDF-1.7\n" + b"A" * (5 * MB) + b"\n%%EOF\n",  # an end, but no startxref
        b"GIF89a" + b"\0" * 4096 + b"startxref 9 %%EOF",  # not a PDF at its start
        b"",
    ],
    ids=["one long line", "no startxref", "no %PDF- header", "empty"],
)
def test_what_does_not_look_like_a_pdf_is_refused_without_parsing(client, data, parse_must_not_run):
    started = time.perf_counter()
    response = upload(client, data)

    assert response.status_code == 200
    assert "该文件不是PDF文件，或已损坏无法读取。" in response.text
    assert not response.context["verdict"].valid
    assert time.perf_counter() - started < 2


@pytest.fixture
def warm_forkserver():
    """As a web worker has it: the forkserver started before the first upload."""
    verify_bounds.start_forkserver()


def test_a_parse_that_runs_too_long_is_stopped_at_the_time_limit(
    client, settings, monkeypatch, warm_forkserver
):
    settings.ZHOUCUN_VERIFY_TIMEOUT_SECONDS = 1
    monkeypatch.setattr(verify_bounds, "CHECK", "tests.reports.verify_stand_ins:sleepy")

    started = time.perf_counter()
    response = upload(client, pdf_shaped(b"1 0 obj <<>> endobj"))

    assert time.perf_counter() - started < 3
    assert response.status_code == 200
    assert "未能在 1 秒和 512 MB 内存的限度内完成核验" in response.text
    assert not response.context["verdict"].checkable


def test_a_parse_that_needs_too_much_memory_is_stopped_at_the_memory_limit(
    client, settings, monkeypatch
):
    settings.ZHOUCUN_VERIFY_MEMORY_MB = 64

    monkeypatch.setattr(verify_bounds, "CHECK", "tests.reports.verify_stand_ins:greedy")

    response = upload(client, pdf_shaped(b""))

    assert "64 MB 内存的限度内" in response.text
    assert not response.context["verdict"].checkable


def test_an_error_the_parser_does_not_expect_is_an_unreadable_pdf_not_a_server_error(
    client, monkeypatch
):
    monkeypatch.setattr(verify_bounds, "CHECK", "tests.reports.verify_stand_ins:deep")

    response = upload(client, pdf_shaped(b""))

    assert response.status_code == 200
    assert "该文件不是PDF文件，或已损坏无法读取。" in response.text
    assert "RecursionError" not in response.text  # never an exception name


def test_a_startxref_that_points_into_junk_is_unreadable_without_parsing(
    client, parse_must_not_run
):
    """pyHanko spent 6 s hunting through a file like this one."""
    started = time.perf_counter()
    response = upload(client, b"%PDF-1.7\n" + b"B" * (19 * MB) + b"startxref\n9\n%%EOF\n")

    assert time.perf_counter() - started < 2
    assert "该文件不是PDF文件，或已损坏无法读取。" in response.text


def test_a_real_hostile_file_that_passes_every_check_gets_a_verdict_within_the_bounds(
    client, settings
):
    settings.ZHOUCUN_VERIFY_TIMEOUT_SECONDS = 2
    data = pdf_shaped(b"B" * (19 * MB))

    started = time.perf_counter()
    response = upload(client, data)

    assert response.status_code == 200
    assert time.perf_counter() - started < 4
    assert not response.context["verdict"].valid


def test_when_every_slot_is_busy_the_upload_is_told_to_retry_at_once(
    client, settings, parse_must_not_run
):
    settings.ZHOUCUN_VERIFY_CONCURRENCY = 1

    with verify_bounds.verification_slot() as held:
        assert held
        response = upload(client, pdf_shaped(b""))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "当前核验的文件过多，请一分钟后再试。" in response.text
    assert "verdict" not in response.context


def test_slots_are_freed_after_each_check(settings):
    settings.ZHOUCUN_VERIFY_CONCURRENCY = 2

    slot = verify_bounds.verification_slot
    with slot() as first, slot() as second, slot() as third:
        assert (first, second, third) == (True, True, False)
    with verify_bounds.verification_slot() as again:
        assert again


def test_each_address_may_upload_only_so_many_files_a_minute(client, settings):
    settings.ZHOUCUN_VERIFY_RATE_PER_MINUTE = 2
    data = b"not a pdf"

    answers = [upload(client, data).status_code for _ in range(3)]
    elsewhere = upload(client, data, REMOTE_ADDR="10.0.0.9")

    assert answers == [200, 200, 429]
    assert elsewhere.status_code == 200
    refused = upload(client, data)
    assert refused["Retry-After"] == "60"
    assert "同一地址每分钟最多核验 2 个文件" in refused.text


def test_viewing_the_page_is_not_counted(client, settings):
    settings.ZHOUCUN_VERIFY_RATE_PER_MINUTE = 1

    for _ in range(3):
        assert client.get(reverse("verify_upload")).status_code == 200
    assert upload(client, b"x").status_code == 200


def test_a_large_upload_refused_as_busy_is_answered_in_plain_text_without_rendering(
    client, settings, parse_must_not_run, monkeypatch
):
    from assessments.views import verify as verify_views

    def refuse(*args, **kwargs):
        raise AssertionError("the page was rendered")

    settings.ZHOUCUN_VERIFY_CONCURRENCY = 1
    monkeypatch.setattr(verify_views, "_render_verify", refuse)

    with verify_bounds.verification_slot():
        response = upload(client, pdf_shaped(b"A" * (5 * MB)))

    assert response.status_code == 503
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == "当前核验的文件过多，请一分钟后再试。"
