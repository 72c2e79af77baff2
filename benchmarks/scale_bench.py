"""Scale benchmark, run by hand (issue 11):

    createdb … (a database of its own, UTF-8; see docs/scale.md)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME \\
        .venv/bin/python benchmarks/scale_bench.py --rows 1000000

Builds N realistic assessments in the database DATABASE_URL names — with SQL
(`INSERT … SELECT` from `generate_series`), not the services, so 1M takes minutes — unless
it already holds them; then measures, in process, each page's median and p95 server time
and query count for a user of the big unit (60 % of all rows) and for a user of a small
unit (0.8 %), and prints a table and JSON with each figure beside its target, ok or MISS.
The cheap page of the same run (the login page) is the baseline for the ratios.

`--http` also starts gunicorn with the product's gunicorn.conf.py and production settings
(benchmarks/settings_http.py: cookies over plain HTTP) on 127.0.0.1 and drives it with
Locust (`benchmarks/locustfile.py`), c=8, comparing the list page's requests per second
with the login page's and printing each request's median, p95 and p99 (target ≤ 300 ms).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhoucun_risk.settings.test")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils.http import urlencode  # noqa: E402

BIG_UNIT = "周村区大数据局"
SMALL_UNIT = "张店区大数据局"
PASSWORD = "Bench-pass-2026"  # noqa: S105 - bench users in a throwaway database
# Over HTTP: Locust's users at once (c), and the targets (issue 17).
USERS = 8
HTTP_RATIO_TARGET = 1 / 3
HTTP_P99_TARGET_MS = 300
# Share of every 1000 rows: 600 in the big unit, 8 in the small one, the rest in 20 others.
BIG_SHARE, SMALL_SHARE, OTHER_UNITS = 600, 8, 20
# Text blocks that make a row as wide as a real one (~1–2 kB).
SITUATION = (
    "项目位于城区中心地带，涉及道路、管网、绿化及配套设施的改造提升，"
    "建设内容包括路面翻新、雨污分流、照明更新和沿街立面整治。项目实施后将改善居民出行条件，"
    "提升区域环境品质。项目建设周期约十八个月，资金来源为区级财政与专项债券。"
) * 3
NARRATIVE = "施工期间可能影响周边居民出行和商户经营，存在噪声扰民、临时占道等风险。" * 3
CONCLUSION = "经综合评估，项目社会稳定风险等级为低风险，建议准予实施，并落实各项化解措施。"

# Vocabulary for names. Kept as SQL arrays; a row picks by arithmetic on its number.
PLACES = [
    "古商城", "新华路", "丝绸路", "正阳街", "青年路", "滨河", "王村", "南郊", "萌山", "北郊",
    "城北", "铁冶", "永安", "大街", "东门", "西铺", "华光路", "柳泉路", "世纪路", "中心",
    "杏园", "长白山", "孝妇河", "范阳河", "周村", "商埠", "千佛寺", "汇龙湖", "站北", "凤阳",
]  # fmt: skip
KINDS = [
    "道路改造工程", "老旧小区改造", "雨污分流工程", "棚户区改造", "公园提升工程",
    "学校扩建项目", "医院新建工程", "智慧城市建设", "停车场建设", "供热管网改造",
    "垃圾转运站建设", "农贸市场改造", "征地拆迁项目", "河道综合治理", "污水处理厂扩建",
    "公交场站建设", "体育中心建设", "文化街区打造", "产业园区规划", "燃气管道更新",
]  # fmt: skip
ENTITIES = [
    "区住房城乡建设局", "区交通运输局", "区自然资源局", "区生态环境分局", "区教育和体育局",
    "区卫生健康局", "区大数据局", "区城市管理局", "区水利局", "区商务局",
    "永安街道办事处", "青年路街道办事处", "城北路街道办事处", "王村镇人民政府", "南郊镇人民政府",
]  # fmt: skip
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕")
GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀英", "霞", "平", "刚", "桂英", "建国", "立新", "海燕", "志强", "晓东",
]  # fmt: skip


def _sql_array(words: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + w + "'" for w in words) + "]::text[]"


# ---------------------------------------------------------------------------------------
# Building the rows
# ---------------------------------------------------------------------------------------


def _setup_people():
    """Units, users and memberships of the run (few rows: through the ORM)."""
    from assessments.demo import ensure_risk_scheme
    from assessments.models import Membership, Role, Unit

    ensure_risk_scheme()
    user_model = get_user_model()

    def unit(name: str, code: str, prefix: str) -> Unit:
        found, _ = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "report_prefix": prefix}
        )
        return found

    big = unit(BIG_UNIT, "bench-big", "周大数稳评")
    small = unit(SMALL_UNIT, "bench-small", "张大数稳评")
    others = [unit(f"基准单位{n:02d}", f"bench-{n:02d}", f"基准{n:02d}稳评") for n in range(20)]

    def user(username: str, unit_: Unit, roles: list[str]):
        found = user_model.objects.filter(username=username).first()
        if found is None:
            found = user_model.objects.create_user(
                username=username, password=PASSWORD, first_name=username
            )
        for role in roles:
            Membership.objects.get_or_create(user=found, unit=unit_, role=role)
        return found

    staff = {
        "big_reviewer": user("bench_reviewer", big, [Role.REVIEWER, Role.CLERK]),
        "big_assessor": user("bench_assessor", big, [Role.ASSESSOR]),
        "small_reviewer": user("bench_small_reviewer", small, [Role.REVIEWER, Role.CLERK]),
        "small_assessor": user("bench_small_assessor", small, [Role.ASSESSOR]),
    }
    authors = {
        u.pk: [user(f"bench_author_{u.code}_{n}", u, [Role.ASSESSOR]).pk for n in range(10)]
        for u in [big, small, *others]
    }
    return big, small, others, staff, authors


def _indexes(cursor, tables: list[str]) -> list[tuple[str, str]]:
    """The tables' indexes that are not constraints, to drop before a bulk load."""
    cursor.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
           WHERE t.relname = ANY(%s)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        [tables],
    )
    return cursor.fetchall()


def _template_rows(big, staff) -> dict[str, int]:
    """One assessment made through the services — complete, submitted, with a signed-report
    row — whose columns fill every column the bulk insert does not set itself. A column added
    to the schema is thus copied from a row the application wrote; a column the bench sets
    that the schema no longer has fails the build by name."""
    from assessments.services import editing, workflow
    from tests.factories import complete_assessment

    assessment = editing.assessment_create(
        owner_unit=big,
        author=staff["big_assessor"],
        title="基准模板社会稳定风险评估报告",
        project_name="基准模板",
        responsible_entity="区住房城乡建设局",
        evaluating_unit="区社会稳定风险评估中心",
        report_date=datetime.date(2026, 11, 1),
    )
    complete_assessment(assessment)
    workflow.assessment_submit(assessment=assessment, actor=staff["big_assessor"])
    version = assessment.versions.get()
    return {
        "assessment": assessment.pk,
        "contact": assessment.contacts.first().pk,
        "version": version.pk,
    }


def _template_report(template: dict[str, int], staff) -> int:
    """A signed-report row to copy from; deleted again in the same transaction."""
    from assessments.models import Assessment, SignedReport

    assessment = Assessment.objects.get(pk=template["assessment"])
    return SignedReport.objects.create(
        assessment=assessment,
        version_id=template["version"],
        report_number="基准模板〔2026〕1号",
        approved_by=staff["big_reviewer"],
        sha256="0" * 64,
        signed_at=assessment.updated_at,
        signer="bench",
        certificate_fingerprint="bench",
        verification_token="0" * 64,
    ).pk


def _insert_like(cursor, table: str, template: int, values: dict, source: str, params) -> None:
    """INSERT INTO table every column: from `values` (SQL over `source`) where given, from the
    template row `t` otherwise; "DEFAULT_ID" leaves the id to its sequence."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND table_schema = current_schema() ORDER BY ordinal_position",
        [table],
    )
    columns = [name for (name,) in cursor.fetchall()]
    stale = sorted(set(values) - set(columns))
    if stale:
        raise SystemExit(f"the bench sets {stale} that {table} no longer has: update it")
    columns = [c for c in columns if values.get(c) != "DEFAULT_ID"]
    select = ", ".join(values.get(c, f't."{c}"') for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    cursor.execute(
        f"INSERT INTO {table} ({names}) SELECT {select} FROM {source.split(' WHERE ')[0]} "  # noqa: S608 - our own SQL
        f"CROSS JOIN (SELECT * FROM {table} WHERE id = {int(template)}) t"
        + (" WHERE " + source.split(" WHERE ", 1)[1] if " WHERE " in source else ""),
        params,
    )


def _delete_template(cursor, template: dict[str, int]) -> None:
    """The template stays as one more submitted assessment; only its signed-report row, which
    a submitted assessment cannot have, goes."""
    cursor.execute("DELETE FROM assessments_signedreport WHERE id = %s", [template["signedreport"]])


def build(rows: int) -> None:
    """Add assessments until the database holds `rows` of them."""
    from assessments.models import Assessment, rebuild_tallies

    big, small, others, staff, authors = _setup_people()
    have = Assessment.objects.count()
    if have >= rows:
        print(f"database holds {have} assessments: no build needed")
        return
    assert connection.vendor == "postgresql", "the build writes PostgreSQL SQL"
    add = rows - have
    started = time.perf_counter()
    tables = [
        "assessments_assessment",
        "assessments_contact",
        "assessments_version",
        "assessments_signedreport",
    ]
    # One transaction: a failed build leaves the database as it was, indexes included.
    template = _template_rows(big, staff)
    with transaction.atomic(), connection.cursor() as cursor:
        template["signedreport"] = _template_report(template, staff)
        # Its foreign-key checks now, not at commit: pending ones would block CREATE INDEX.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SELECT coalesce(max(id), 0) FROM assessments_assessment")
        (first_id,) = cursor.fetchone()
        cursor.execute("SELECT coalesce(max(id), 0) FROM assessments_version")
        (first_version,) = cursor.fetchone()
        # Bulk load: no row triggers (the search text is written directly, the append-only
        # guards refuse nothing on insert anyway), indexes rebuilt once at the end.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        saved = _indexes(cursor, tables)
        for name, _definition in saved:
            cursor.execute(f"DROP INDEX {name}")
        unit_ids = [u.pk for u in others]
        cursor.execute(
            f"""CREATE UNLOGGED TABLE bench_stage AS
            SELECT n + %(first)s AS id, n,
              CASE WHEN n %% 1000 < %(big_share)s THEN %(big)s
                   WHEN n %% 1000 < %(big_share)s + %(small_share)s THEN %(small)s
                   ELSE (%(others)s::int[])[1 + n %% %(n_others)s] END AS unit_id,
              (%(places)s)[1 + (n * 7) %% {len(PLACES)}]
                || (%(kinds)s)[1 + (n / 3) %% {len(KINDS)}]
                || CASE WHEN n %% 3 = 0 THEN '（' || (n %% 97 + 1) || '期）' ELSE '' END
                AS project_name,
              (%(entities)s)[1 + (n / 5) %% {len(ENTITIES)}] AS entity,
              (%(surnames)s)[1 + n %% {len(SURNAMES)}]
                || (%(given)s)[1 + (n / 11) %% {len(GIVEN)}] AS contact_a,
              (%(surnames)s)[1 + (n / 7) %% {len(SURNAMES)}]
                || (%(given)s)[1 + (n / 13) %% {len(GIVEN)}] AS contact_b,
              CASE WHEN (n * 7919) %% 100 < 15 THEN 'draft'
                   WHEN (n * 7919) %% 100 < 30 THEN 'submitted'
                   WHEN (n * 7919) %% 100 < 35 THEN 'returned'
                   WHEN (n * 7919) %% 100 < 36 THEN 'approved'
                   ELSE 'issued' END AS status,
              now() - make_interval(secs => (n::bigint * 7877) %% (5 * 365 * 86400)) AS updated
            FROM generate_series(1::bigint, %(add)s) AS n""",  # noqa: S608 - lengths only
            {
                "first": first_id,
                "big_share": BIG_SHARE,
                "small_share": SMALL_SHARE,
                "big": big.pk,
                "small": small.pk,
                "others": unit_ids,
                "n_others": len(unit_ids),
                "places": PLACES,
                "kinds": KINDS,
                "entities": ENTITIES,
                "surnames": SURNAMES,
                "given": GIVEN,
                "add": add,
            },
        )
        cursor.execute("SELECT id, report_prefix FROM assessments_unit")
        prefixes = dict(cursor.fetchall())
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_authors (unit_id bigint, k int, author_id int, "
            "prefix text)"
        )
        for unit_id, ids in authors.items():
            for k, author in enumerate(ids):
                cursor.execute(
                    "INSERT INTO bench_authors VALUES (%s, %s, %s, %s)",
                    [unit_id, k, author, prefixes[unit_id]],
                )
        cursor.execute("SELECT id, code FROM assessments_risklevel")
        levels = {code: pk for pk, code in cursor.fetchall()}
        print(f"staged {add} rows in {time.perf_counter() - started:.0f} s", flush=True)
        stage = "bench_stage s JOIN bench_authors a ON a.unit_id = s.unit_id AND a.k = s.n %% 10"
        _insert_like(
            cursor,
            "assessments_assessment",
            template["assessment"],
            {
                "id": "s.id",
                "title": "s.project_name || '社会稳定风险评估报告'",
                "project_name": "s.project_name",
                "responsible_entity": "s.entity",
                "mode": "CASE WHEN s.n %% 5 = 0 THEN 'standard' ELSE 'simple' END",
                "evaluating_unit": "'区社会稳定风险评估中心'",
                "report_date": "CASE WHEN s.status = 'draft' THEN NULL ELSE s.updated::date END",
                "basic_situation": "%(situation)s",
                "risk_narrative": "%(narrative)s",
                "risk_level_id": """CASE WHEN s.status = 'draft' THEN NULL
                   WHEN s.n %% 10 < 6 THEN %(low)s WHEN s.n %% 10 < 9 THEN %(medium)s
                   ELSE %(high)s END""",
                "recommendation": """CASE WHEN s.status = 'draft' THEN ''
                   WHEN s.n %% 10 < 6 THEN 'approve' WHEN s.n %% 10 < 9 THEN 'defer'
                   ELSE 'reject' END""",
                "deviation_reason": "''",
                "conclusion": "%(conclusion)s",
                "status": "s.status",
                "owner_unit_id": "s.unit_id",
                "author_id": "a.author_id",
                "created_at": "s.updated - interval '20 days'",
                "updated_at": "s.updated",
                "lock_version": "3",
                "search_text": """lower(concat_ws(E'\\n', s.project_name, s.entity, s.contact_b,
                  s.contact_a, CASE WHEN s.status = 'issued'
                  THEN a.prefix || '〔' || extract(year FROM s.updated) || '〕' || s.n || '号'
                  END))""",
            },
            stage,
            {"situation": SITUATION, "narrative": NARRATIVE, "conclusion": CONCLUSION, **levels},
        )
        print(f"assessments: {time.perf_counter() - started:.0f} s", flush=True)
        for side, name, position, phone in (
            (
                "responsible",
                "s.contact_a",
                "'科长'",
                "'138' || lpad((s.n %% 100000000)::text, 8, '0')",
            ),
            (
                "evaluator",
                "s.contact_b",
                "'评估员'",
                "'0533' || lpad((s.n %% 10000000)::text, 7, '0')",
            ),
        ):
            _insert_like(
                cursor,
                "assessments_contact",
                template["contact"],
                {
                    "id": "DEFAULT_ID",
                    "assessment_id": "s.id",
                    "side": f"'{side}'",
                    "name": name,
                    "position": position,
                    "phone": phone,
                    "order": "0",
                },
                "bench_stage s",
                {},
            )
        print(f"contacts: {time.perf_counter() - started:.0f} s", flush=True)
        _insert_like(
            cursor,
            "assessments_version",
            template["version"],
            {
                "id": "%(first_version)s + row_number() OVER (ORDER BY s.id)",
                "assessment_id": "s.id",
                "number": "1",
                "content": "'{}'::jsonb",
                "created_at": "s.updated - interval '1 day'",
                "created_by_id": "a.author_id",
            },
            stage + " WHERE s.status IN ('submitted', 'returned', 'approved', 'issued')",
            {"first_version": first_version},
        )
        _insert_like(
            cursor,
            "assessments_signedreport",
            template["signedreport"],
            {
                "id": "DEFAULT_ID",
                "assessment_id": "s.id",
                "version_id": "v.id",
                "report_number": "a.prefix || '〔' || extract(year FROM s.updated) || '〕' "
                "|| s.n || '号'",
                "approved_by_id": "%(approver)s",
                "sha256": "md5(s.id::text) || md5('sha' || s.id)",
                "signed_at": "s.updated",
                "signer": "'bench'",
                "certificate_fingerprint": "'bench'",
                "verification_token": "md5('token' || s.id) || md5('t2' || s.id)",
            },
            stage + " JOIN assessments_version v ON v.assessment_id = s.id AND v.number = 1"
            " WHERE s.status = 'issued'",
            {"approver": staff["big_reviewer"].pk},
        )
        _delete_template(cursor, template)
        print(f"versions and signed reports: {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute("DROP TABLE bench_stage")
        cursor.execute("DROP TABLE bench_authors")
        for table, sequence_of in [
            ("assessments_assessment", "id"),
            ("assessments_version", "id"),
            ("assessments_contact", "id"),
            ("assessments_signedreport", "id"),
        ]:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{sequence_of}'), "  # noqa: S608 - our own table names
                f"(SELECT max(id) FROM {table}))"
            )
        for name, definition in saved:
            cursor.execute(definition)
            print(f"index {name}: {time.perf_counter() - started:.0f} s", flush=True)
    for table in tables:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    # The bulk load bypassed the row triggers that keep the dashboard's counts.
    rebuild_tallies()
    print(f"built {add} assessments in {time.perf_counter() - started:.0f} s", flush=True)


# ---------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------

TARGET_MS = {"list": 50, "search": 100, "review_diff": 300, "dashboard": 200}
RARE_PLACE = "博山"
# Each kind of search term: (page name, term).
SEARCHES = [
    ("search 2 characters (道路)", "道路"),
    ("search 2 characters, very common (改造)", "改造"),
    ("search 4 characters (道路改造)", "道路改造"),
    ("search 4 characters (老旧小区)", "老旧小区"),
    ("search contact name (王建国)", "王建国"),
    ("search two terms (滨河 住房)", "滨河 住房"),
    (f"search place common elsewhere, rare here ({RARE_PLACE})", RARE_PLACE),
    ("search 1 character, no match (鑫)", "鑫"),
    ("search 1 character (滨)", "滨"),
    ("search report number (2024〕1)", "2024〕1"),
]


def _timed(client, url: str, runs: int) -> dict:
    """Median and p95 server time (ms) and the query count of GET url."""
    client.get(url)  # warm: templates, the plan cache, the pages of the index
    timings, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "queries": queries,
    }


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _export(client, url: str) -> dict:
    """First byte, whole time, rows and the process's memory growth while streaming."""
    before = peak = _rss_kib()
    start = time.perf_counter()
    response = client.get(url)
    assert response.streaming, url
    first = None
    size = 0
    for n, part in enumerate(response.streaming_content):
        if first is None:
            first = time.perf_counter() - start
        size += len(part)
        if n % 20 == 0:
            peak = max(peak, _rss_kib())
    total = time.perf_counter() - start
    return {
        "first_byte_s": round(first or total, 3),
        "total_s": round(total, 1),
        "mbytes": round(size / 1e6, 1),
        "memory_growth_mb": round(max(0, peak - before) / 1024, 1),
    }


def _deep_cursor(unit_id: int, depth: int) -> str:
    from assessments.lists.pagination import encode_cursor

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT updated_at, id FROM assessments_assessment WHERE owner_unit_id = %s "
            "ORDER BY updated_at DESC, id DESC OFFSET %s LIMIT 1",
            [unit_id, depth],
        )
        row = cursor.fetchone()
    return encode_cursor(row) if row else ""


def _search_plan(user, term: str) -> tuple[str, bool]:
    """EXPLAIN of the search's probe of the index, restricted to the user's units as
    assessments/lists/search.py asks it, and whether the sample of the user's rows judged
    the term common (the page then walks the list's order instead)."""
    from assessments.lists import queries, search
    from assessments.models import Assessment

    terms = search.search_terms(term)
    working, overseen = queries.search_units(user, None)
    probe = search.candidates(terms, search.unit_keys(working, overseen))
    visible = Assessment.objects.visible_to(user)
    common = search._sample_is_common(visible, terms, sorted({*working, *overseen}))
    return probe[: search.PROBE_LIMIT + 1].explain(), common


def _place_common_elsewhere(big) -> None:
    """A place name (博山) in 1 of 64 rows of the other units but in 1 of 10,000 of the
    big unit's: the planner's whole-table statistics call it common, the big unit's
    reviewer has almost none. Added once, through the triggers that keep the search text."""
    from assessments.models import Assessment

    if Assessment.objects.filter(project_name__startswith=RARE_PLACE).exists():
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE assessments_assessment SET project_name = %s || project_name "
            # By a hash of the id: the bench's units are picked by arithmetic on it.
            "WHERE (owner_unit_id <> %s AND md5(id::text) < '04') "
            "OR (md5(id::text) < '0007')",
            [RARE_PLACE, big.pk],
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE assessments_assessment")


def _long_review(big, staff) -> int:
    """An assessment whose long sections differ in 22,000 characters between the version
    returned and the version resubmitted; its id."""
    import random

    from assessments.models import Assessment
    from assessments.services import editing, workflow
    from tests.factories import complete_assessment

    found = Assessment.objects.filter(project_name="基准长文档差异").first()
    if found:
        return found.pk
    rng = random.Random(11)

    def text(n: int) -> str:
        chars = [chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n)]
        for i in range(199, n, 200):
            chars[i] = "\n"
        return "".join(chars)

    assessment = editing.assessment_create(
        owner_unit=big,
        author=staff["big_assessor"],
        title="基准长文档差异社会稳定风险评估报告",
        project_name="基准长文档差异",
        responsible_entity="区住房城乡建设局",
        evaluating_unit="区社会稳定风险评估中心",
        report_date=datetime.date(2026, 11, 1),
    )
    complete_assessment(assessment)
    # 20,000 characters that differ, spread over the long sections: no one section may hold
    # more than its limit (TEXT_LIMITS: 6,000 for 基本情况, 3,000 for each finding).
    _long_texts(assessment, text)
    workflow.assessment_submit(assessment=assessment, actor=staff["big_assessor"])
    workflow.assessment_return(
        assessment=assessment, actor=staff["big_reviewer"], comment="请重写基本情况。"
    )
    assessment.refresh_from_db()
    editing.assessment_save_step(
        assessment=assessment,
        expected_version=assessment.lock_version,
        apply=lambda a: _long_texts(a, text),
    )
    workflow.assessment_submit(assessment=assessment, actor=staff["big_assessor"])
    return assessment.pk


def _long_texts(assessment, text) -> None:
    """Fill 基本情况 (6,000), 风险点及化解 (4,000) and the four findings (3,000 each) with
    fresh text: 22,000 characters that differ from the previous version's."""
    from assessments.models import TEXT_LIMITS, Dimension
    from assessments.services import editing

    assessment.basic_situation = text(TEXT_LIMITS["basic_situation"])
    assessment.risk_narrative = text(TEXT_LIMITS["risk_narrative"])
    assessment.save()
    editing.findings_update(
        assessment=assessment,
        findings={
            d: {"text": text(TEXT_LIMITS["finding"]), "verdict": "no_risk"}
            for d in Dimension.values
        },
    )


def measure(runs: int, search_only: bool = False) -> dict:
    from assessments.models import Assessment, Status, VersionDiff

    big, small, _others, staff, _authors = _setup_people()
    _place_common_elsewhere(big)
    results: dict[str, dict] = {}
    anonymous = Client()
    results["login page (baseline)"] = _timed(anonymous, reverse("login"), runs)
    base = results["login page (baseline)"]["median_ms"]
    clients = {}
    for who in ("big_reviewer", "small_reviewer"):
        clients[who] = Client()
        clients[who].force_login(staff[who])
    listing = reverse("assessments:list")
    pages = {
        "list page 1": listing,
        "list deep page (row 40,000)": f"{listing}?after={_deep_cursor(big.pk, 40_000)}",
        "list by project name": f"{listing}?ordering=project_name",
        "list by report date": f"{listing}?ordering=-report_date",
        "list of issued": f"{listing}?status=issued",
        "review queue": reverse("assessments:review_queue"),
        "home": reverse("assessments:home"),
        **{name: f"{listing}?{urlencode({'q': term})}" for name, term in SEARCHES},
    }
    if search_only:
        pages = {name: url for name, url in pages.items() if name.startswith("search")}
    small_pages = dict(pages)
    if "list deep page (row 40,000)" in pages:
        deep = f"{listing}?after={_deep_cursor(small.pk, 4_000)}"
        small_pages["list deep page (row 40,000)"] = deep
    for name, url in pages.items():
        print(f"measuring {name}", file=sys.stderr, flush=True)
        results[name] = _timed(clients["big_reviewer"], url, runs)
        results[name]["queries_small_unit"] = _timed(
            clients["small_reviewer"], small_pages[name], 3
        )["queries"]
        target = TARGET_MS["search"] if name.startswith("search") else TARGET_MS["list"]
        if name.startswith(("list page 1", "list deep", "review queue", "search")):
            results[name]["target_ms"] = target
        results[name]["x_baseline"] = round(results[name]["median_ms"] / base, 1)
    for name, term in SEARCHES:
        plan, common = _search_plan(staff["big_reviewer"], term)
        results[name]["uses_index"] = "assessment_search_keys" in plan
        results[name]["path"] = "ordered walk (common)" if common else "index"
        results[name]["plan"] = plan
    if search_only:
        return results

    print("measuring the dashboard", file=sys.stderr, flush=True)
    results["dashboard of the big unit"] = {
        **_timed(clients["big_reviewer"], reverse("assessments:dashboard"), runs),
        "target_ms": TARGET_MS["dashboard"],
    }

    pk = _long_review(big, staff)
    VersionDiff.objects.filter(new_version__assessment_id=pk).delete()
    review_url = reverse("assessments:review", args=[pk])
    start = time.perf_counter()
    assert clients["big_reviewer"].get(review_url).status_code == 200
    first = round((time.perf_counter() - start) * 1000, 1)
    results["review page, 20,000 characters changed"] = {
        **_timed(clients["big_reviewer"], review_url, runs),
        "first_load_ms": first,
        "target_ms": TARGET_MS["review_diff"],
    }
    rows = Assessment.objects.filter(owner_unit=big).count()
    for kind in ("csv", "xlsx"):
        print(f"measuring the {kind} export", file=sys.stderr, flush=True)
        url = reverse("assessments:export" if kind == "csv" else "assessments:export_xlsx")
        results[f"export {kind} of the big unit ({rows} rows)"] = _export(
            clients["big_reviewer"], url
        )
    results["_facts"] = {
        "assessments": Assessment.objects.count(),
        "big_unit_rows": rows,
        "big_unit_waiting_review": Assessment.objects.filter(
            owner_unit=big, status=Status.SUBMITTED
        ).count(),
        "small_unit_rows": Assessment.objects.filter(owner_unit=small).count(),
    }
    return results


def verdicts(results: dict) -> list[tuple[str, str, str, str]]:
    """(what, measured, target, ok/MISS) for every figure that has a target."""
    lines = []
    for name, r in results.items():
        if name.startswith("_"):
            continue
        if "target_ms" in r:
            ok = r["median_ms"] <= r["target_ms"]
            lines.append((name, f"median {r['median_ms']} ms", f"≤ {r['target_ms']} ms", _ok(ok)))
        if "queries_small_unit" in r and "target_ms" in r:
            same = r["queries"] == r["queries_small_unit"]
            lines.append(
                (
                    f"{name}: queries",
                    f"{r['queries']} (small unit {r['queries_small_unit']})",
                    "same as small",
                    _ok(same),
                )
            )
        if "uses_index" in r:
            lines.append((f"{name}: EXPLAIN of the probe", "unit-keys index" if r["uses_index"]
                          else "no index", "index", _ok(r["uses_index"])))  # fmt: skip
        if "first_byte_s" in r:
            lines.append((f"{name}: first byte", f"{r['first_byte_s']} s", "≤ 1 s",
                          _ok(r["first_byte_s"] <= 1)))  # fmt: skip
            lines.append((f"{name}: memory growth", f"{r['memory_growth_mb']} MB", "≤ 100 MB",
                          _ok(r["memory_growth_mb"] <= 100)))  # fmt: skip
    return lines


def _ok(good: bool) -> str:
    return "ok" if good else "MISS"


def print_report(results: dict) -> None:
    print(f"\n{'page':<56} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'× login':>8}  path")
    for name, r in results.items():
        if "median_ms" in r:
            print(
                f"{name:<56} {r['median_ms']:>10} {r['p95_ms']:>8} {r['queries']:>8}"
                f" {r.get('x_baseline', ''):>8}  {r.get('path', '')}"
            )
    for name, r in results.items():
        if "first_byte_s" in r:
            print(
                f"{name}: first byte {r['first_byte_s']} s, all {r['total_s']} s, "
                f"{r['mbytes']} MB, memory growth {r['memory_growth_mb']} MB"
            )
    print(f"\n{'figure':<80} {'measured':>26} {'target':>14}  verdict")
    for what, measured, target, verdict in verdicts(results):
        print(f"{what:<80} {measured:>26} {target:>14}  {verdict}")
    shown = {name: {k: v for k, v in r.items() if k != "plan"} for name, r in results.items()}
    print("\nJSON " + json.dumps(shown, ensure_ascii=False))


# ---------------------------------------------------------------------------------------
# Over HTTP: gunicorn (gunicorn.conf.py, production settings) driven by Locust, c=8
# ---------------------------------------------------------------------------------------


def _locust(host: str, user_class: str, seconds: int, env: dict, folder: Path) -> dict:
    """One headless Locust run; any failed request (or Locust's own error) stops the bench
    with Locust's failures shown."""
    import csv
    import subprocess

    prefix = folder / user_class
    done = subprocess.run(  # noqa: S603 - our own programs, no shell
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(Path(__file__).parent / "locustfile.py"),
            "--headless",
            "-u",
            str(USERS),
            "-r",
            str(USERS),
            "-t",
            f"{seconds}s",
            "--host",
            host,
            "--csv",
            str(prefix),
            "--only-summary",
            user_class,
        ],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    if done.returncode:
        failures = Path(f"{prefix}_failures.csv")
        shown = failures.read_text(encoding="utf-8") if failures.exists() else ""
        raise SystemExit(
            f"Locust {user_class} exited {done.returncode}:\n{shown}\n{done.stderr[-3000:]}"
        )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    return {
        row["Name"]: {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 1),
            "median_ms": round(float(row["Median Response Time"]), 1),
            "p95_ms": round(float(row["95%"]), 1),
            "p99_ms": round(float(row["99%"]), 1),
        }
        for row in rows
    }


def run_http(port: int, seconds: int) -> dict:
    """Start gunicorn on 127.0.0.1:port, run Locust's LoginPage, ListPage and Mix, stop it."""
    import secrets
    import signal
    import subprocess
    import tempfile

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from assessments.models import Assessment, SignedReport, Unit
    from zhoucun_risk.hashers import OwaspArgon2idHasher

    big, _small, _others, staff, _authors = _setup_people()
    # The bench users were made under the test settings' fast hasher: the password is stored
    # as production's first hasher would store it. Any other hash is upgraded at the first
    # login, which changes the user's session hash and so ends every pre-made session.
    user = staff["big_reviewer"]
    user.password = OwaspArgon2idHasher().encode(PASSWORD, OwaspArgon2idHasher().salt())
    user.save(update_fields=["password"])
    long_review = Assessment.objects.filter(project_name="基准长文档差异").first()
    token = (
        SignedReport.objects.filter(assessment__owner_unit__in=Unit.objects.filter(pk=big.pk))
        .values_list("verification_token", flat=True)
        .first()
    )
    folder = Path(tempfile.mkdtemp(prefix="zhoucun-http-bench-"))
    secret_key = secrets.token_urlsafe(50)
    # Sessions made here, signed with the server's key, one per Locust user: logins are
    # measured in the mix (and apart, login_verify_bench.py), not in the list page's run.
    settings.SECRET_KEY = secret_key
    sessions = []
    for _ in range(USERS):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        # The backend that loads users (the last; axes' comes first and loads no one).
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings_http",
        "DJANGO_SECRET_KEY": secret_key,
        "BENCH_SESSIONS": ",".join(sessions),
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "ZHOUCUN_SIGNING_P12": str(folder / "none.p12"),
        "ZHOUCUN_TRUST_ROOTS": str(folder / "none.pem"),
        "ZHOUCUN_PUBLIC_URL": f"http://127.0.0.1:{port}",
        # Production settings require a TSA; this run issues nothing, so none answers there.
        "ZHOUCUN_TSA_URL": "http://127.0.0.1:9/tsa",
        "ZHOUCUN_VAR_DIR": str(folder / "var"),
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        "PYTHONPATH": str(settings.BASE_DIR),
        "BENCH_PASSWORD": PASSWORD,
        "BENCH_USERNAME": user.username,
        "BENCH_ASSESSMENT": str(long_review.pk) if long_review else "",
        "BENCH_TOKEN": token or "",
    }
    python = sys.executable
    subprocess.run(  # noqa: S603 - our own programs, no shell
        [python, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )
    # The product's own gunicorn.conf.py (gthread workers, preloaded application, warm-up in
    # when_ready, worker recycling): the bench measures what production runs.
    env.update(
        {
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_LOG_LEVEL": "warning",
            "GUNICORN_ACCESS_LOG": "/dev/null",
        }
    )
    server = subprocess.Popen(  # noqa: S603 - our own programs, no shell
        [str(Path(python).parent / "gunicorn"), "-c", "gunicorn.conf.py"],
        cwd=settings.BASE_DIR,
        env=env,
    )
    host = f"http://127.0.0.1:{port}"
    try:
        _wait_serving(host, server)
        # Warm every worker (templates, the plan caches) in a run that is not counted.
        _locust(host, "Mix", 10, env, folder)
        results = {}
        for user_class in ("LoginPage", "ListPage", "Mix"):
            print(f"Locust {user_class}, {seconds} s", file=sys.stderr, flush=True)
            results[user_class] = _locust(host, user_class, seconds, env, folder)
    finally:
        # gunicorn.conf.py gives requests in flight GUNICORN_GRACEFUL_TIMEOUT (30 s) to finish.
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            print("gunicorn did not stop in 60 s after SIGTERM: killed", file=sys.stderr)
            server.kill()
            server.wait(timeout=10)
    results["server"] = _gunicorn_config(env)
    results["load_average"] = os.getloadavg()
    return results


def _wait_serving(host: str, server) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited {server.returncode}")
        try:
            with urllib.request.urlopen(f"{host}/healthz", timeout=5):  # noqa: S310 - ours
                return
        except urllib.error.HTTPError:
            return  # it answers (/healthz may say the worker is missing: not needed here)
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start in 60 s")


def _gunicorn_config(env: dict) -> dict:
    """The figures of gunicorn.conf.py the server ran with (read the way gunicorn reads it)."""
    import runpy

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        conf = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    names = ("worker_class", "workers", "threads", "preload_app", "max_requests")
    return {name: conf[name] for name in names}


def print_http(results: dict) -> None:
    server = results["server"]
    load = ", ".join(f"{n:.2f}" for n in results["load_average"])
    print(
        f"\nHTTP: gunicorn.conf.py ({server['workers']} {server['worker_class']} workers x"
        f" {server['threads']} threads, preload {server['preload_app']}, max_requests"
        f" {server['max_requests']}), Locust c={USERS}; load average after: {load}"
    )
    print(
        f"{'run: request':<44} {'req/s':>8} {'median ms':>10} {'p95 ms':>8} {'p99 ms':>8}"
        f" {'failed':>7}  p99 ≤ {HTTP_P99_TARGET_MS} ms"
    )
    for run in ("LoginPage", "ListPage", "Mix"):
        for name, r in results[run].items():
            line = (
                f"{run + ': ' + name:<44} {r['rps']:>8} {r['median_ms']:>10} {r['p95_ms']:>8}"
                f" {r['p99_ms']:>8} {r['failures']:>7}"
            )
            if name != "Aggregated":
                line += f"  {_ok(r['p99_ms'] <= HTTP_P99_TARGET_MS)}"
            print(line)
    login = results["LoginPage"]["login page"]["rps"]
    listing = results["ListPage"]["list page 1"]["rps"]
    ratio = listing / login if login else 0
    print(
        f"\nlist page req/s ÷ login page req/s = {listing} / {login} = {ratio:.2f}"
        f"   target ≥ {HTTP_RATIO_TARGET:.2f}   {_ok(ratio >= HTTP_RATIO_TARGET)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--plans", action="store_true", help="print the search plans")
    parser.add_argument("--search-only", action="store_true", help="measure the searches only")
    parser.add_argument("--http", action="store_true", help="also the HTTP run (Locust)")
    parser.add_argument("--http-only", action="store_true", help="only the HTTP run")
    parser.add_argument("--port", type=int, default=18310, help="18300–18399 on this machine")
    parser.add_argument("--seconds", type=int, default=30, help="per Locust run")
    args = parser.parse_args()
    build(args.rows)
    if args.build_only:
        return
    if not args.http_only:
        results = measure(args.runs, args.search_only)
        if args.plans:
            for name, r in results.items():
                if "plan" in r:
                    print(f"\n{name}\n{r['plan']}")
        print_report(results)
    if args.http or args.http_only:
        http = run_http(args.port, args.seconds)
        print_http(http)
        print("\nJSON-HTTP " + json.dumps(http, ensure_ascii=False))


if __name__ == "__main__":
    main()
