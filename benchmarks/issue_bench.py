"""Issuing benchmark, run by hand against PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python benchmarks/issue_bench.py

It builds everything it needs on that server and removes it afterwards: a database of its
own, a development CA, collected static files, a reviewer and N + 30 submitted assessments.
It then runs the production settings under gunicorn (gunicorn.conf.py, 4 web workers, port
18130) with `--workers` `manage.py worker` processes (2: one per core of the reference
machine), and prints each figure beside its target (issues 9 and 17):

- approve POST median ≤ 150 ms with the workers running (20 approvals back to back, so they
  are busy issuing while they arrive);
- each report issued within 5 s of its approval (10 approvals, one at a time);
- N reports approved in a row and issued by the workers: reports per second, the time for
  N measured (from the first number taken to the last report stored) and for 1,000
  extrapolated from it, target 1,000 in ≤ 5 min;
- every worker's resident memory growing ≤ 50 MB over those N;
- the report numbers gap-free: the unit's numbers are 1…count, each issued report carries
  the number its approval took.

The machine's load average is printed beside the figures: on a shared machine they say as
much about the neighbours as about the product.

Options: --reports N (default 200), --workers W (default 2), --keep (leave the database
and files for a look).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PORT = 18130
PASSWORD = "Bench-pass-2026"  # noqa: S105 (a throwaway user in a throwaway database)
BACK_TO_BACK = 20
ONE_AT_A_TIME = 10
# Issue 17: 1,000 reports issued by two workers on a two-core machine in at most 5 minutes.
THROUGHPUT_REPORTS = 1000
THROUGHPUT_TARGET_S = 300

SETUP = """
import json
from assessments.issuing.tasks import approve_and_issue
from assessments.services import workflow
from assessments.demo import ensure_risk_scheme
from assessments.models import Role
from tests.factories import complete_assessment, make_assessment, make_unit, make_user

ensure_risk_scheme()
unit = make_unit("基准测试局")
author = make_user("bench_author", roles=[Role.ASSESSOR], units=[unit])
reviewer = make_user("bench_reviewer", roles=[Role.REVIEWER], units=[unit])
reviewer.set_password("PASSWORD")
reviewer.save()
ids = []
for n in range(COUNT):
    assessment = complete_assessment(
        make_assessment(unit=unit, author=author, project_name=f"基准项目{n}")
    )
    workflow.assessment_submit(assessment=assessment, actor=author)
    ids.append(assessment.pk)
print(json.dumps(ids))
"""

APPROVE_ALL = """
from assessments.issuing.tasks import approve_and_issue
from assessments.models import Assessment
from django.contrib.auth import get_user_model

reviewer = get_user_model().objects.get(username="bench_reviewer")
for pk in IDS:
    approve_and_issue(assessment=Assessment.objects.get(pk=pk), actor=reviewer)
"""


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


class Client:
    """A browser over plain HTTP that the production settings take for HTTPS (as behind the
    TLS proxy): it sends X-Forwarded-Proto and Origin, and keeps Secure cookies itself."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": f"https://127.0.0.1:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode()
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, content, elapsed

    def token(self, page: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


class RssSampler(threading.Thread):
    """Samples each process's resident memory (VmRSS) every 0.2 s."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.samples: dict[int, list[int]] = {pid: [] for pid in pids}
        self.stopped = threading.Event()

    @staticmethod
    def rss_kib(pid: int) -> int:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            for pid in self.pids:
                self.samples[pid].append(self.rss_kib(pid))


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


GAPS = """
SELECT
  (SELECT count(*) FROM assessments_reportnumber),
  (SELECT count(*) FROM assessments_reportnumber n
     JOIN (SELECT unit_id, year, row_number() OVER (PARTITION BY unit_id, year ORDER BY sequence)
                  AS expected, sequence FROM assessments_reportnumber) o
       ON o.unit_id = n.unit_id AND o.sequence = n.sequence
    WHERE o.expected <> o.sequence),
  (SELECT count(*) FROM assessments_signedreport),
  (SELECT count(*) FROM assessments_signedreport s
     LEFT JOIN assessments_reportnumber n ON n.assessment_id = s.assessment_id
    WHERE n.number IS DISTINCT FROM s.report_number)
"""


def gap_check(db) -> tuple[bool, str]:
    """Whether the numbers are gap-free: per unit and year the sequences are 1…count, and
    every issued report carries the number its approval took."""
    with db.cursor() as cursor:
        cursor.execute(GAPS)
        numbers, out_of_place, reports, mismatched = cursor.fetchone()
    ok = numbers == reports and out_of_place == 0 and mismatched == 0
    return ok, (
        f"{numbers} numbers taken, {out_of_place} out of sequence; {reports} reports issued,"
        f" {mismatched} without their approval's number"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres"
        )
    parsed = urllib.parse.urlparse(server_url)
    name = f"wenping_bench_{secrets.token_hex(4)}"
    bench_url = parsed._replace(path=f"/{name}").geturl()
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    work = Path(tempfile.mkdtemp(prefix="wenping-bench-"))
    processes: list[subprocess.Popen] = []
    try:
        env = prepare(work, bench_url)
        total = BACK_TO_BACK + ONE_AT_A_TIME + args.reports
        print(f"Building {total} submitted assessments in {name} …", flush=True)
        output = manage(
            env,
            "shell",
            "-v0",
            "-c",
            SETUP.replace("COUNT", str(total)).replace("PASSWORD", PASSWORD),
        )
        ids = json.loads(output.strip().splitlines()[-1])

        processes.append(start(env, [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]))
        workers = [
            start(env, [sys.executable, "manage.py", "worker", "--no-reload"])
            for _ in range(args.workers)
        ]
        processes.extend(workers)
        client = Client(PORT)
        wait_serving(client)
        status, page, _ = client.request("GET", "/accounts/login/")
        status, _, _ = client.request(
            "POST",
            "/accounts/login/",
            {
                "username": "bench_reviewer",
                "password": PASSWORD,
                "csrfmiddlewaretoken": client.token(page),
            },
        )
        assert status == 302, f"login failed ({status})"
        db = psycopg2.connect(bench_url)
        db.autocommit = True

        # 1. Approvals back to back: the worker issues while the next ones arrive.
        approve_times = [approve(client, pk) for pk in ids[:BACK_TO_BACK]]
        wait_issued(db, ids[:BACK_TO_BACK], timeout=120)

        # 2. One at a time: from the approve POST to the report stored.
        issue_delays = []
        for pk in ids[BACK_TO_BACK : BACK_TO_BACK + ONE_AT_A_TIME]:
            started = time.perf_counter()
            approve(client, pk)
            wait_issued(db, [pk], timeout=60)
            issue_delays.append(time.perf_counter() - started)

        # 3. Many reports in a row; the workers are warm (30 issued already). Timed from
        # the first number taken (the approving shell's start-up is not the workers' time)
        # to the last report stored.
        rest = ids[BACK_TO_BACK + ONE_AT_A_TIME :]
        pids = [worker.pid for worker in workers]
        sampler = RssSampler(pids)
        rss_start = {pid: sampler.rss_kib(pid) for pid in pids}
        load_before = load_average()
        cpu_start = sum(cpu_seconds(pid) for pid in pids)
        sampler.start()
        manage(env, "shell", "-v0", "-c", APPROVE_ALL.replace("IDS", repr(rest)))
        wait_issued(db, rest, timeout=30 * len(rest))
        finished = time.time()
        cpu_used = sum(cpu_seconds(pid) for pid in pids) - cpu_start
        sampler.stopped.set()
        sampler.join()
        rss_end = {pid: sampler.rss_kib(pid) for pid in pids}
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT extract(epoch FROM min(taken_at)) FROM assessments_reportnumber"
                " WHERE assessment_id = ANY(%s)",
                [rest],
            )
            elapsed = finished - float(cursor.fetchone()[0])
            cursor.execute("SELECT count(*) FROM assessments_issuefailure")
            failures = cursor.fetchone()[0]
        gap_free, gap_detail = gap_check(db)
        db.close()

        approve_median = statistics.median(approve_times) * 1000
        growths = {pid: (rss_end[pid] - rss_start[pid]) / 1024 for pid in pids}
        growth = max(growths.values())
        rate = len(rest) / elapsed
        for_target = THROUGHPUT_REPORTS / rate
        print(
            f"\n{args.workers} workers, {os.cpu_count()} cores; load average (1, 5, 15 min)"
            f" before the {len(rest)} in a row {load_before}, after {load_average()}"
        )
        print(
            f"approve POST median ({BACK_TO_BACK}, worker busy)  {approve_median:7.1f} ms"
            f"   target ≤ 150 ms   {verdict(approve_median <= 150)}"
            f"   (p95 {percentile(approve_times, 95) * 1000:.0f} ms)"
        )
        print(
            f"issued after approval, max of {ONE_AT_A_TIME}       {max(issue_delays):7.2f} s "
            f"   target ≤ 5 s      {verdict(max(issue_delays) <= 5)}"
            f"   (median {statistics.median(issue_delays):.2f} s)"
        )
        print(
            f"issued {len(rest)} in a row, measured      {elapsed:7.1f} s "
            f"   ({rate:.2f} reports/s, {elapsed / len(rest) * args.workers:.2f} s a report"
            " per worker)"
        )
        measured_or_not = "measured" if len(rest) >= THROUGHPUT_REPORTS else "extrapolated"
        print(
            f"{THROUGHPUT_REPORTS} reports, {measured_or_not:<12}      {for_target:7.1f} s "
            f"   target ≤ {THROUGHPUT_TARGET_S} s    {verdict(for_target <= THROUGHPUT_TARGET_S)}"
        )
        # What the machine's neighbours do not change: the workers' own CPU time. On idle
        # cores each worker would issue one report per `cpu_per_report` seconds (an estimate:
        # PostgreSQL's share and the approvals are not in it).
        cpu_per_report = cpu_used / len(rest)
        idle_estimate = THROUGHPUT_REPORTS * cpu_per_report / min(args.workers, os.cpu_count())
        print(
            f"workers' CPU per report             {cpu_per_report:7.2f} s "
            f"   ({THROUGHPUT_REPORTS} on {min(args.workers, os.cpu_count())} idle cores ≈"
            f" {idle_estimate:.0f} s: an estimate, not judged)"
        )
        for n, pid in enumerate(pids, 1):
            print(
                f"worker {n} RSS growth over {len(rest)} reports {growths[pid]:+7.1f} MB"
                f"   target ≤ 50 MB    {verdict(growths[pid] <= 50)}"
                f"   (start {rss_start[pid] / 1024:.0f} MB,"
                f" peak {max(sampler.samples[pid], default=0) / 1024:.0f} MB,"
                f" end {rss_end[pid] / 1024:.0f} MB)"
            )
        print(
            f"report numbers gap-free        {'yes' if gap_free else 'NO':>7}  "
            f"   target yes        {verdict(gap_free)}   ({gap_detail})"
        )
        print(f"issuing failures recorded: {failures}   target 0   {verdict(failures == 0)}")
        print(
            "JSON "
            + json.dumps(
                {
                    "workers": args.workers,
                    "reports": len(rest),
                    "seconds": round(elapsed, 1),
                    "reports_per_s": round(rate, 3),
                    "seconds_for_1000": round(for_target, 1),
                    "cpu_s_per_report": round(cpu_per_report, 3),
                    "approve_median_ms": round(approve_median, 1),
                    "issue_delay_max_s": round(max(issue_delays), 2),
                    "rss_growth_mb": round(growth, 1),
                    "gap_free": gap_free,
                    "failures": failures,
                    "load_average": os.getloadavg(),
                }
            )
        )
        if not gap_free or failures:
            # Not a speed figure: a gap or a failed issue is wrong at any size.
            sys.exit("report numbers have gaps or reports failed to issue")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
        if args.keep:
            print(f"kept: database {name}, files {work}")
        else:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(work, ignore_errors=True)
        admin.close()


def prepare(work: Path, database_url: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from assessments.reports import dev_pki_server

    # The workers sign B-LTA against a TSA, OCSP and CRL served by this process.
    root, p12, pki_url = dev_pki_server.start_local(
        work / "pki", organisation="基准测试", password=PASSWORD
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhoucun_risk.settings.prod",
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "ZHOUCUN_VAR_DIR": str(work / "var"),
        "ZHOUCUN_SIGNING_P12": str(p12),
        "ZHOUCUN_SIGNING_P12_PASSWORD": PASSWORD,
        "ZHOUCUN_TRUST_ROOTS": str(root),
        "ZHOUCUN_TSA_URL": f"{pki_url}/tsa",
        "ZHOUCUN_PUBLIC_URL": f"http://127.0.0.1:{PORT}",
        "ZHOUCUN_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": "4",
        "GUNICORN_ACCESS_LOG": "/dev/null",
    }
    print("Migrating and collecting static files …", flush=True)
    manage(env, "migrate", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def start(env: dict, command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (our own commands)
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_serving(client: Client) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            client.request("GET", "/healthz")
            return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not start")


def approve(client: Client, pk: int) -> float:
    status, page, _ = client.request("GET", f"/assessments/{pk}/review/")
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    status, _, elapsed = client.request(
        "POST",
        f"/assessments/{pk}/approve/",
        {"csrfmiddlewaretoken": client.token(page), "version": version},
    )
    assert status == 302, f"approve {pk} answered {status}"
    return elapsed


def wait_issued(db, ids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with db.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM assessments_assessment"
                " WHERE id = ANY(%s) AND status = 'issued'",
                [ids],
            )
            if cursor.fetchone()[0] == len(ids):
                return
            time.sleep(0.05)
    sys.exit(f"not all of {len(ids)} reports were issued within {timeout} s")


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
