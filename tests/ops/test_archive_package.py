"""The archive package: a ZIP of an issued report that proves itself from its bytes alone
(manifest hashes, the manifest's RFC 3161 timestamp, the report's signature)."""

import hashlib
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image

from assessments.common import files
from assessments.issuing import tasks
from assessments.issuing.tasks import approve_and_issue
from assessments.models import AuditAction, AuditEvent, Mode, Retention, RetentionRule, Role
from assessments.ops import archive
from assessments.ops.package_check import (
    AUDIT,
    MANIFEST,
    METADATA,
    SELF_CHECK,
    TIMESTAMP,
    Report,
    check_numbering,
    check_package,
    inspect_format,
    parse_manifest,
    parse_metadata,
)
from assessments.services import evidence, workflow
from tests.factories import complete_assessment, make_assessment, make_unit, make_user

pytestmark = pytest.mark.django_db


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (30, 30, 200)).save(out, format="PDF")
    return out.getvalue()


@pytest.fixture
def issued(unit, assessor, reviewer, risk_scheme):
    assessment = complete_assessment(
        make_assessment(unit=unit, author=assessor, project_name="古商城道路改造")
    )
    for name, data, kind in (
        ("会议纪要.png", png(), files.PNG),
        ("公示照片.pdf", pdf(), files.PDF),
    ):
        evidence.attachment_add(
            assessment=assessment,
            actor=assessor,
            section="material",
            activity=None,
            name=name,
            data=data,
            file_type=kind,
        )
    assessment.refresh_from_db()
    workflow.assessment_submit(assessment=assessment, actor=assessor)
    approved = approve_and_issue(assessment=assessment, actor=reviewer)
    tasks.issue_report(assessment_id=approved.pk)
    approved.refresh_from_db()
    return approved


@pytest.fixture
def package(issued, tmp_path) -> Path:
    path = tmp_path / "package.zip"
    result = archive.build_package(issued, path)
    assert result.ok, [f.message for f in result.report.failures]
    return path


def rewrite(path: Path, member: str, change) -> Path:
    """A copy of the package with one member's bytes changed by `change`."""
    altered = path.with_name("altered.zip")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(altered, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, change(data) if info.filename == member else data)
    return altered


def flip_middle_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def test_the_manifest_holds_the_hash_of_every_member_and_the_check_passes(package, issued):
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
        listed = dict(parse_manifest(zf.read(MANIFEST)))
        for name in names:
            if name in (MANIFEST, TIMESTAMP):
                continue
            assert listed.pop(name) == hashlib.sha256(zf.read(name)).hexdigest(), name
        report_member = names[0]
        assert zf.read(report_member) == _stored_report(issued)
    assert listed == {}  # nothing listed that is not there
    assert {METADATA, AUDIT, SELF_CHECK, MANIFEST, TIMESTAMP} <= set(names)
    assert sum(name.startswith("documents/") for name in names) == 3  # report + 2 evidence

    report = check_package(package)

    assert report.ok, [(f.member, f.message) for f in report.failures]


def _stored_report(assessment) -> bytes:
    from assessments.reports import storage

    return storage.read_report_bytes(assessment.signed_report.sha256)


def test_metadata_names_the_da_t_46_elements_and_says_retention_is_not_set(package, issued):
    with zipfile.ZipFile(package) as zf:
        root = parse_metadata(zf.read(METADATA))
        self_check = zf.read(SELF_CHECK).decode()
        audit = zf.read(AUDIT).decode("utf-8-sig")
    number = issued.signed_report.report_number
    assert root.findtext("档号/件号") == number
    assert root.findtext("档号/保管期限") == "未设定"
    assert root.findtext("内容描述/题名") == issued.title
    assert root.findtext("内容描述/文件编号") == number
    assert root.findtext("内容描述/责任者") == issued.evaluating_unit
    assert root.findtext("电子签名/签名人") == issued.signed_report.signer
    assert root.findtext("电子签名/签名算法标识")
    assert root.find("内容描述/密级") is None  # never recorded: never printed
    entries = root.findall("文件列表/文件")
    assert [e.get("顺序号") for e in entries] == ["1", "2", "3"]
    assert entries[1].findtext("计算机文件名").endswith("会议纪要.png")
    assert "真实性" in self_check and "安全性" in self_check
    assert "FAILED" not in self_check and "未通过" not in self_check
    assert "submit" in audit  # the assessment's own audit rows


def test_the_retention_period_comes_from_the_nearest_unit_rule(issued, tmp_path, risk_scheme):
    level = issued.risk_level
    RetentionRule.objects.create(
        unit=None, mode=issued.mode, risk_level=level, retention=Retention.YEARS_10, source="国家"
    )
    RetentionRule.objects.create(
        unit=issued.owner_unit,
        mode=issued.mode,
        risk_level=level,
        retention=Retention.PERMANENT,
        source="区档案馆归档范围",
    )
    other_mode = Mode.STANDARD if issued.mode == Mode.SIMPLE else Mode.SIMPLE
    RetentionRule.objects.create(
        unit=issued.owner_unit,
        mode=other_mode,
        risk_level=level,
        retention=Retention.YEARS_30,
        source="另一模式",
    )
    RetentionRule.objects.create(
        unit=make_unit("别的区"),
        mode=issued.mode,
        risk_level=level,
        retention=Retention.YEARS_30,
        source="别的区",
    )
    path = tmp_path / "p.zip"
    archive.build_package(issued, path)
    with zipfile.ZipFile(path) as zf:
        root = parse_metadata(zf.read(METADATA))
    term = root.find("档号/保管期限")
    assert (term.text, term.get("依据")) == ("永久", "区档案馆归档范围")


def test_the_check_passes_through_the_command(package):
    out = io.StringIO()
    call_command("check_package", str(package), stdout=out)
    assert "VALID" in out.getvalue()


@pytest.mark.parametrize("which", ["report", "evidence", METADATA, AUDIT, SELF_CHECK])
def test_one_changed_byte_fails_the_check_and_names_the_member(package, which):
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
    member = {"report": names[0], "evidence": names[1]}.get(which, which)
    altered = rewrite(package, member, flip_middle_byte)

    report = check_package(altered)

    assert not report.ok
    assert member in {f.member for f in report.failures}
    with pytest.raises(CommandError, match=member.replace(".", r"\.")):
        call_command("check_package", str(altered), stdout=io.StringIO())


def test_a_changed_manifest_fails_its_timestamp(package):
    with zipfile.ZipFile(package) as zf:
        first = parse_manifest(zf.read(MANIFEST))[0][0]
    altered = rewrite(package, MANIFEST, lambda data: data + f"{'0' * 64}  {first}\n".encode())
    failures = {f.member for f in check_package(altered).failures}
    assert TIMESTAMP in failures


def test_a_missing_timestamp_fails(package, tmp_path):
    altered = tmp_path / "no-tsr.zip"
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(altered, "w") as target:
        for info in source.infolist():
            if info.filename != TIMESTAMP:
                target.writestr(info, source.read(info.filename))
    assert TIMESTAMP in {f.member for f in check_package(altered).failures}


def test_archive_package_command_writes_a_package_and_refuses_what_is_not_issued(
    issued, tmp_path, assessor, unit, risk_scheme
):
    out = tmp_path / "cmd.zip"
    call_command("archive_package", str(issued.pk), str(out), stdout=io.StringIO())
    assert check_package(out).ok

    draft = make_assessment(unit=unit, author=assessor)
    with pytest.raises(CommandError, match="not issued"):
        call_command("archive_package", str(draft.pk), str(tmp_path / "d.zip"))
    assert not (tmp_path / "d.zip").exists()
    with pytest.raises(CommandError, match="No assessment"):
        call_command("archive_package", "999999", str(tmp_path / "n.zip"))


def test_a_tsa_outage_writes_no_package(issued, tmp_path, settings):
    settings.ZHOUCUN_TSA_URL = "http://127.0.0.1:9/tsa"
    with pytest.raises(CommandError, match="timestamped"):
        call_command("archive_package", str(issued.pk), str(tmp_path / "t.zip"))
    assert list(tmp_path.iterdir()) == []


def test_check_package_refuses_what_is_not_a_zip(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="ZIP"):
        call_command("check_package", str(junk))
    with pytest.raises(CommandError, match="No file"):
        call_command("check_package", str(tmp_path / "absent.zip"))


# --- the button and its view ------------------------------------------------------------------


def archive_url(assessment) -> str:
    return reverse("assessments:archive_package", kwargs={"pk": assessment.pk})


def test_a_clerk_downloads_the_package_streamed_and_it_checks_out(client, issued, clerk, tmp_path):
    client.force_login(clerk)
    detail = client.get(issued.get_absolute_url())
    assert archive_url(issued) in detail.content.decode()  # the button

    response = client.get(archive_url(issued))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    path = tmp_path / "downloaded.zip"
    path.write_bytes(b"".join(response.streaming_content))
    assert check_package(path).ok
    event = AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, object_id=str(issued.pk)).get()
    assert event.user == clerk and "archive package" in event.detail


def test_an_assessor_and_oversight_may_not_take_it_and_see_no_button(
    client, issued, assessor, unit, risk_scheme
):
    overseer = make_user("olga", roles=[Role.OVERSIGHT], units=[make_unit("周村区委政法委")])
    unit.parent = overseer.memberships.get().unit
    unit.save()
    for user in (assessor, overseer):
        client.force_login(user)
        assert archive_url(issued) not in client.get(issued.get_absolute_url()).content.decode()
        assert client.get(archive_url(issued)).status_code == 403, user


def test_another_unit_gets_404(client, issued, outsider):
    client.force_login(outsider)
    assert client.get(archive_url(issued)).status_code == 404


def test_an_assessment_not_issued_is_refused_with_a_message(client, clerk, unit, assessor):
    draft = make_assessment(unit=unit, author=assessor)
    client.force_login(clerk)

    response = client.get(archive_url(draft), follow=True)

    assert response.redirect_chain[-1][0] == draft.get_absolute_url()
    assert "只有已出具的报告" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.REFUSED, object_id=str(draft.pk)).exists()


def test_a_tsa_outage_is_refused_with_a_message_not_a_500(client, issued, clerk, settings):
    settings.ZHOUCUN_TSA_URL = "http://127.0.0.1:9/tsa"
    client.force_login(clerk)

    response = client.get(archive_url(issued), follow=True)

    assert response.status_code == 200
    assert "时间戳" in response.content.decode()


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl not installed")
def test_the_manifest_and_its_timestamp_check_out_with_common_tools(package, tmp_path, test_pki):
    """What docs/archive.md promises an archivist without this system."""
    with zipfile.ZipFile(package) as zf:
        zf.extractall(tmp_path / "unzipped")
    unzipped = tmp_path / "unzipped"
    hashes = subprocess.run(
        ["sha256sum", "--check", "--strict", MANIFEST], cwd=unzipped, capture_output=True
    )
    assert hashes.returncode == 0, hashes.stdout + hashes.stderr
    stamp = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-data",
            MANIFEST,
            "-in",
            TIMESTAMP,
            "-CAfile",
            str(test_pki["root"]),
        ],
        cwd=unzipped,
        capture_output=True,
    )
    assert stamp.returncode == 0, stamp.stdout + stamp.stderr


def test_packing_costs_the_same_queries_however_many_evidence_files(issued, tmp_path):
    def queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from assessments.models import Assessment

        fresh = Assessment.objects.get(pk=issued.pk)  # nothing cached from an earlier call
        with CaptureQueriesContext(connection) as captured:
            archive.build_package(fresh, tmp_path / "q.zip")
        return len(captured)

    before = queries()
    # Three more evidence rows of the same stored file (the files are stored once by hash).
    first = issued.attachments.first()
    for number in range(3):
        first.pk = None
        first.name = f"补充材料{number}.png"
        first.save()

    assert queries() == before <= 10


def test_the_demo_reference_report_packs_and_checks_out(
    db, tmp_path, django_capture_on_commit_callbacks
):
    from assessments.demo import load_demo, load_demo_spec
    from assessments.models import Assessment

    # As `make run` loads it: once committed, the reference report is issued and filed.
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(passwords={u["username"]: "Demo-pass-1" for u in load_demo_spec()["users"]})
    reference = Assessment.objects.get(project_name="《周村区新型智慧城市顶层设计》")
    tasks.issue_report(assessment_id=reference.pk)
    out = tmp_path / "demo.zip"

    call_command("archive_package", str(reference.pk), str(out), stdout=io.StringIO())

    call_command("check_package", str(out), stdout=io.StringIO())
    # The demo filed the report and the city's oversight answered: its 报备表 is packed.
    with zipfile.ZipFile(out) as zf:
        (form,) = [name for name in zf.namelist() if name.endswith("报备表.pdf")]
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=zf.read(form), capture_output=True, check=True
        ).stdout.decode()
    assert "本级维稳办意见" in text and "社会稳定风险评估报备表" in text
    altered = rewrite(out, METADATA, flip_middle_byte)
    with pytest.raises(CommandError, match="metadata"):
        call_command("check_package", str(altered), stdout=io.StringIO())


# --- the parts of the check on their own ------------------------------------------------------


def encrypted_pdf() -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    box = generic.ArrayObject(generic.NumberObject(n) for n in (0, 0, 100, 100))
    writer.insert_page(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Page"),
                generic.NameObject("/MediaBox"): box,
            }
        )
    )
    writer.encrypt("owner", "user")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_encrypted_pdf_fails_security_and_a_wrong_format_fails_usability():
    report = Report()
    inspect_format(report, "a.pdf", lambda: io.BytesIO(encrypted_pdf()), expected="PDF")
    inspect_format(report, "b.pdf", lambda: io.BytesIO(pdf()), expected="PDF")
    inspect_format(report, "c.png", lambda: io.BytesIO(pdf()), expected="PNG")
    inspect_format(report, "d.png", lambda: io.BytesIO(b"\x89PNG\r\n\x1a\nbroken"), expected="PNG")

    failed = {(f.prop, f.member) for f in report.failures}
    assert failed == {("安全性", "a.pdf"), ("可用性", "c.png"), ("可用性", "d.png")}


def test_numbering_with_a_gap_fails():
    report = Report()
    check_numbering(report, [1, 2, 4])
    check_numbering(report, [2, 1, 3])
    assert [f.ok for f in report.findings] == [False, True]


def test_an_evidence_file_changed_in_storage_is_refused_by_command_and_page(
    issued, clerk, client, tmp_path
):
    attachment = issued.attachments.order_by("id").first()
    stored = attachment.file.storage
    stored.delete(attachment.file.name)
    stored.save(attachment.file.name, ContentFile(png() + b"tampered"))

    with pytest.raises(CommandError, match="self-check"):
        call_command(
            "archive_package",
            str(issued.pk),
            str(tmp_path / "x.zip"),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not (tmp_path / "x.zip").exists()

    client.force_login(clerk)
    response = client.get(archive_url(issued), follow=True)
    assert response.redirect_chain[-1][0] == issued.get_absolute_url()
    assert "四性检测未通过" in response.content.decode()
    assert "会议纪要.png" in response.content.decode()


def test_evidence_the_signed_report_lists_but_storage_lost_fails_integrity(issued, tmp_path):
    attachment = issued.attachments.order_by("id").first()
    attachment.file.storage.delete(attachment.file.name)

    result = archive.build_package(issued, tmp_path / "lost.zip")

    failures = [f for f in result.report.failures if f.prop == "完整性"]
    assert any("会议纪要.png" in f.message for f in failures)
    assert not result.ok
