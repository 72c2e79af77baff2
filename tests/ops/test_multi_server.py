"""Two application servers and two workers on one PostgreSQL database: 50 reviewers approve
one assessment at the same moment, through both servers. Exactly one approval, one issued
report; everyone else is told it was already decided.

Everything is real and separate: a database of its own (created, migrated and dropped here),
two gunicorn servers with the production configuration (ports 18111 and 18112), two
`manage.py worker` processes, and HTTP clients with their own sessions and CSRF tokens.
"""

import html
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest
from django.conf import settings

from tests.factories import PASSWORD

DB = settings.DATABASES["default"]
pytestmark = pytest.mark.skipif(
    not DB["ENGINE"].endswith("postgresql"),
    reason="needs PostgreSQL: several processes share one database, and SQLite's test "
    "database lives in this process (run with DATABASE_URL=postgres://…; CI does)",
)

PORTS = (18111, 18112)
ALERT = re.compile(r'<div class="alert alert-(\w+)" role="alert">(.*?)</div>', re.S)
REVIEWERS = 50

SETUP = f"""
import json
from assessments.services import workflow
from assessments.demo import ensure_risk_scheme
from assessments.models import Role
from tests.factories import complete_assessment, make_assessment, make_unit, make_user

ensure_risk_scheme()
unit = make_unit("多服务器测试局")
author = make_user("author", roles=[Role.ASSESSOR], units=[unit])
for n in range({REVIEWERS}):
    make_user(f"reviewer{{n}}", roles=[Role.REVIEWER], units=[unit])
assessment = complete_assessment(make_assessment(unit=unit, author=author))
workflow.assessment_submit(assessment=assessment, actor=author)
print(json.dumps({{"pk": assessment.pk}}))
"""


def _psql(dbname: str):
    import psycopg2

    connection = psycopg2.connect(
        dbname=dbname,
        user=DB["USER"],
        password=DB["PASSWORD"] or None,
        host=DB["HOST"] or "127.0.0.1",
        port=DB["PORT"] or 5432,
    )
    connection.autocommit = True
    return connection


@pytest.fixture
def database():
    """A database of this test's own, dropped afterwards (the server is shared)."""
    name = f"wenping_multi_{secrets.token_hex(4)}"
    admin = _psql(DB["NAME"])
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def environment(database: str, test_pki) -> dict:
    password = urllib.parse.quote(DB["PASSWORD"] or "", safe="")
    url = f"postgres://{DB['USER']}:{password}@{DB['HOST']}:{DB['PORT']}/{database}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhoucun_risk.settings.test",
        # One key for every process, or a session made by one server is void on the other.
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": url,
        "ZHOUCUN_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "ZHOUCUN_SIGNING_P12": str(test_pki["p12"]),
        "ZHOUCUN_SIGNING_P12_PASSWORD": test_pki["password"],
        "ZHOUCUN_TRUST_ROOTS": str(test_pki["root"]),
        "ZHOUCUN_TSA_URL": f"{test_pki['url']}/tsa",
        "ZHOUCUN_WORKER_HEARTBEAT_SECONDS": "1",
    }


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


class Browser:
    """One reviewer's browser: its own cookies (session, CSRF), one server."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        # Redirects are followed: the page after the POST shows the outcome message.
        with self.opener.open(self.base + path, data=body, timeout=60) as response:
            return response.status, response.read().decode()

    def csrf_token(self, page: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def login(self, username: str) -> None:
        token = self.csrf_token(self.get("/accounts/login/"))
        _, page = self.post(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        assert "logout" in page, f"{username} could not log in"


def server_options(port: int) -> list[str]:
    return ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "8"]


def wait_until_serving(port: int, process: subprocess.Popen) -> None:
    # Generous: on a loaded 2-core machine gunicorn's workers take a while to import Django.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"server on {port} did not start")


def test_fifty_approvals_across_two_servers_and_two_workers_give_one_issued_report(
    database, test_pki
):
    env = environment(database, test_pki)
    manage(env, "migrate", "-v0")
    pk = json.loads(manage(env, "shell", "-v0", "-c", SETUP).strip().splitlines()[-1])["pk"]

    processes = []
    try:
        for port in PORTS:
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "-c",
                        "gunicorn.conf.py",
                        *server_options(port),
                    ],
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "worker", "--no-reload", "--interval", "0.2"],
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port, server in zip(PORTS, processes, strict=False):
            wait_until_serving(port, server)

        browsers = [Browser(PORTS[n % 2]) for n in range(REVIEWERS)]
        forms = []

        def prepare(n: int) -> None:
            browser = browsers[n]
            browser.login(f"reviewer{n}")
            page = browser.get(f"/assessments/{pk}/review/")
            found = re.search(r'name="version" value="(\d+)"', page)
            assert found, page[-3000:]
            version = found.group(1)
            forms.append(
                (browser, {"csrfmiddlewaretoken": browser.csrf_token(page), "version": version})
            )

        with ThreadPoolExecutor(10) as pool:
            list(pool.map(prepare, range(REVIEWERS)))
        assert len(forms) == REVIEWERS

        barrier = threading.Barrier(REVIEWERS)

        def approve(browser_and_form):
            browser, form = browser_and_form
            barrier.wait()
            return browser.post(f"/assessments/{pk}/approve/", form)

        with ThreadPoolExecutor(REVIEWERS) as pool:
            outcomes = list(pool.map(approve, forms))

        assert [status for status, _ in outcomes] == [200] * REVIEWERS
        alerts = [
            [(kind, html.unescape(text)) for kind, text in ALERT.findall(page)]
            for _, page in outcomes
        ]
        approved = [a for a in alerts if a == [("success", "已批准。")]]
        refused = [
            a
            for a in alerts
            if len(a) == 1 and a[0][0] == "danger" and "可能已被他人处理" in a[0][1]
        ]
        assert len(approved) == 1, alerts[:3]
        assert len(refused) == REVIEWERS - 1, alerts[:3]

        # One of the two workers issues it, once.
        db = _psql(database)
        try:
            with db.cursor() as cursor:
                deadline = time.monotonic() + 30
                status = None
                while time.monotonic() < deadline:
                    cursor.execute("SELECT status FROM assessments_assessment WHERE id = %s", [pk])
                    status = cursor.fetchone()[0]
                    if status == "issued":
                        break
                    time.sleep(0.2)
                assert status == "issued"
                time.sleep(1)  # a second task, were there one, would have run by now
                counts = {}
                for key, sql in {
                    "approvals": "SELECT count(*) FROM assessments_reviewevent "
                    "WHERE to_status = 'approved'",
                    "reports": "SELECT count(*) FROM assessments_signedreport",
                    "refusal_audits": "SELECT count(*) FROM assessments_auditevent "
                    "WHERE action = 'refused'",
                    "issue_tasks": "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                    "WHERE task_path = 'assessments.issuing.tasks.issue_report_task'",
                    "failures": "SELECT count(*) FROM assessments_issuefailure",
                }.items():
                    cursor.execute(sql)
                    counts[key] = cursor.fetchone()[0]
        finally:
            db.close()
        assert counts == {
            "approvals": 1,
            "reports": 1,
            "refusal_audits": REVIEWERS - 1,
            "issue_tasks": 1,
            "failures": 0,
        }
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
