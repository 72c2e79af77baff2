"""Reads from a replica (docs/operations.md): with `ZHOUCUN_REPLICA_URL` set, the lists,
search, exports and dashboard read from the replica alias; detail pages and every write stay
on the primary; and a user who has just written reads the lists from the primary
(read-your-writes). The replica here is a second connection to the same database, in a
process configured as an operator would configure it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from assessments.demo import ensure_risk_scheme, ensure_shipped_outlines
from assessments.models import Role
from tests.factories import PASSWORD, make_assessment, make_unit, make_user

ROOT = Path(__file__).resolve().parents[2]

WALK = """
import json
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

client = Client()
client.force_login(get_user_model().objects.get(username="alice"))


def where(method, url):
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(
        connections["replica"]
    ) as replica:
        response = getattr(client, method)(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    return {
        "status": response.status_code,
        "primary": [q["sql"] for q in primary],
        "replica": [q["sql"] for q in replica],
    }


steps = {
    "list": where("get", "/assessments/"),
    "search": where("get", "/assessments/?q=%E9%81%93%E8%B7%AF"),
    "export": where("get", "/assessments/export.csv"),
    "detail": where("get", "/assessments/__PK__/"),
    "copy": where("post", "/assessments/__PK__/copy/"),
    "list_after_write": where("get", "/assessments/"),
}
print(json.dumps(steps))
"""


def walk(pk: int, **env) -> dict:
    params = connection.settings_dict
    url = (
        f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/"
        f"{params['NAME']}"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ZHOUCUN_"))}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            WALK.replace("__PK__", str(pk)),
        ],
        cwd=ROOT,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "zhoucun_risk.settings.test",
            "DATABASE_URL": url,
            "ZHOUCUN_REPLICA_URL": url,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def road(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("a replica is a PostgreSQL deployment")
    ensure_risk_scheme()
    ensure_shipped_outlines()  # a transactional test starts from empty tables
    unit = make_unit("周村区交通局")
    alice = make_user("alice", roles=[Role.ASSESSOR], units=[unit])
    assert alice.check_password(PASSWORD)
    for name in ("古商城道路改造", "城市公园提升"):
        made = make_assessment(unit=unit, author=alice, project_name=name)
    return made


def touches_assessments(queries: list[str]) -> bool:
    return any('"assessments_assessment"' in sql for sql in queries)


def test_lists_search_and_exports_read_from_the_replica_and_the_rest_from_the_primary(road):
    steps = walk(road.pk)

    assert {name: step["status"] for name, step in steps.items()} == {
        "list": 200,
        "search": 200,
        "export": 200,
        "detail": 200,
        "copy": 302,
        "list_after_write": 200,
    }
    for name in ("list", "search", "export"):
        assert touches_assessments(steps[name]["replica"]), name
        assert not touches_assessments(steps[name]["primary"]), name
        # Nothing is ever written through the replica.
        assert not any(
            sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            for sql in steps[name]["replica"]
        ), name
    assert steps["detail"]["replica"] == []
    assert steps["copy"]["replica"] == []
    assert any(sql.startswith("INSERT") for sql in steps["copy"]["primary"])
    # Read-your-writes: the list right after the copy reads from the primary, and shows it.
    assert steps["list_after_write"]["replica"] == []
    assert touches_assessments(steps["list_after_write"]["primary"])


def test_once_the_sticky_window_is_over_the_lists_read_from_the_replica_again(road):
    steps = walk(road.pk, ZHOUCUN_REPLICA_STICKY_SECONDS="0")

    assert steps["copy"]["status"] == 302
    assert touches_assessments(steps["list_after_write"]["replica"])
