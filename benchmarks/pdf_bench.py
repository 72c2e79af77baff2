"""PDF benchmark, run by hand: `.venv/bin/python benchmarks/pdf_bench.py [runs]`.

Prints the median, over several warm runs, of rendering the reference report, of rendering
and signing it, and of downloading the stored signed PDF through the real view.
Targets (issue 5): render+sign ≤ 1.0 s warm on the 2-core machine; stored download ≤ 10 ms.
The standard-mode demo report (issue 10) is held to the same render+sign target.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhoucun_risk.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402


def median_seconds(function, runs: int) -> float:
    function()  # warm-up: fonts, templates, the signer
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main(runs: int) -> None:
    from assessments.demo import load_demo, load_demo_spec
    from assessments.issuing import tasks
    from assessments.models import Assessment
    from assessments.reports import dev_pki_server, sign
    from assessments.reports.render import render_pdf
    from assessments.reports.storage import read_report_bytes

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    pki_dir = Path(tempfile.mkdtemp())
    # Signed as issued: B-LTA, with a local TSA, OCSP and CRL in this process.
    root, p12, pki_url = dev_pki_server.start_local(
        pki_dir, organisation="基准测试", password="Bench-pass-1"
    )
    settings.ZHOUCUN_SIGNING_P12, settings.ZHOUCUN_SIGNING_P12_PASSWORD = str(p12), "Bench-pass-1"
    settings.ZHOUCUN_TRUST_ROOTS = str(root)
    settings.ZHOUCUN_TSA_URL = f"{pki_url}/tsa"
    load_demo(passwords={u["username"]: "Bench-pass-1" for u in load_demo_spec()["users"]})
    reference = Assessment.objects.get(project_name="《周村区新型智慧城市顶层设计》")
    report = tasks.issue_report(assessment_id=reference.pk)
    content = report.version.content

    render = median_seconds(lambda: render_pdf(content), runs)
    render_sign = median_seconds(
        lambda: sign.sign_pdf(render_pdf(content), reason="基准测试", location="本机"), runs
    )
    client = Client()
    client.force_login(get_user_model().objects.get(username="clerk"))
    url = reverse("assessments:download", args=[reference.pk])
    download = median_seconds(lambda: client.get(url), runs * 5)

    size = len(read_report_bytes(report.sha256))
    print(f"reference report: {size / 1024:.0f} KiB signed, runs={runs}")
    print(f"bare render        median {render * 1000:7.1f} ms")
    print(f"render + sign      median {render_sign * 1000:7.1f} ms   (target ≤ 1000 ms)")
    print(f"stored download    median {download * 1000:7.1f} ms   (target ≤ 10 ms)")

    # The standard-mode (一般评估) demo with every kind of record: longer, with tables.
    demo = load_demo_spec()["assessments"]
    spec = next(a for a in demo if a["key"] == "zhoucun-qingshiqiao-2026")
    standard = Assessment.objects.get(title=spec["title"])
    standard_content = standard.versions.order_by("-number").first().content
    standard_sign = median_seconds(
        lambda: sign.sign_pdf(render_pdf(standard_content), reason="基准测试", location="本机"),
        runs,
    )
    verdict = "ok" if standard_sign <= 1.0 else "MISS"
    print(
        f"standard render + sign median {standard_sign * 1000:7.1f} ms   "
        f"(target ≤ 1000 ms) {verdict}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
