"""The 签发信息 block's cost, run by hand:
`.venv/bin/python benchmarks/issue_block_bench.py [runs]`.

Renders the reference report as issued (with the 落款, the seal and the issue block) and as a
draft (no issue block), and prints the medians over warm runs: the difference is what the
issue block costs (issue 17 measured ~235 ms of 612 ms when it was laid out with flexbox).
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhoucun_risk.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def median_seconds(function, runs: int) -> float:
    function()  # warm-up: fonts, templates, the word dictionary
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main(runs: int) -> None:
    from assessments.content import assessment_content
    from assessments.demo import load_demo, load_demo_spec
    from assessments.issuing.tasks import qr_data_uri
    from assessments.models import Assessment
    from assessments.reports import dev_pki_server
    from assessments.reports.render import render_issued_pdf, render_pdf

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    # The demo issues and files its reference report as it loads: it needs a signer, a TSA,
    # OCSP and CRL (local, in this process), though the renders measured here sign nothing.
    root, p12, pki_url = dev_pki_server.start_local(
        Path(tempfile.mkdtemp()), organisation="基准测试", password="Bench-pass-1"
    )
    settings.ZHOUCUN_SIGNING_P12, settings.ZHOUCUN_SIGNING_P12_PASSWORD = str(p12), "Bench-pass-1"
    settings.ZHOUCUN_TRUST_ROOTS = str(root)
    settings.ZHOUCUN_TSA_URL = f"{pki_url}/tsa"
    load_demo(passwords={u["username"]: "Bench-pass-1" for u in load_demo_spec()["users"]})
    content = assessment_content(
        Assessment.objects.get(project_name="《周村区新型智慧城市顶层设计》")
    )
    url = "https://wenping.example.gov.cn/verify/" + "x" * 32 + "/"
    issue = {
        "report_number": "周村稳评〔2021〕1号",
        "approver": "审核人员",
        "signed_at": datetime(2021, 9, 17, 10, 0, tzinfo=UTC),
        "signer": "CN=周村区大数据局 电子签名",
        "fingerprint": "ab" * 32,
        "verify_url": url,
        "qr_data_uri": qr_data_uri(url),
        "seal_data_uri": None,
    }
    draft = median_seconds(lambda: render_pdf(content), runs)
    issued = median_seconds(lambda: render_issued_pdf(content, issue=issue), runs)
    print(f"runs={runs}")
    print(f"draft render (no issue block)  median {draft * 1000:7.1f} ms")
    print(f"issued render (issue block)    median {issued * 1000:7.1f} ms")
    print(f"issue block costs              ~{(issued - draft) * 1000:6.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
