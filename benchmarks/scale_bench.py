"""Scale benchmark, run by hand (issue 11):

    createdb … (a database of its own, UTF-8; see README "Scale")
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME \\
        .venv/bin/python benchmarks/scale_bench.py --rows 1000000

Builds N realistic assessments in the database DATABASE_URL names — with SQL
(`INSERT … SELECT` from `generate_series`), not the services, so 1M takes minutes — unless
it already holds them; then measures, in process, each page's median and p95 server time
and query count for a user of the big unit (60 % of all rows) and for a user of a small
unit (0.8 %), and prints a table and JSON with each figure beside its target, ok or MISS.
The cheap page of the same run (the login page) is the baseline for the ratios.

`--http` also starts gunicorn (4 workers, production settings) on 127.0.0.1 and drives it
with Locust (`benchmarks/locustfile.py`), c=8, comparing the list page's requests per
second with the login page's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import tracemalloc
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

BIG_UNIT = "周村区大数据局"
SMALL_UNIT = "张店区大数据局"
PASSWORD = "Bench-pass-2026"
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


def build(rows: int) -> None:
    """Add assessments until the database holds `rows` of them."""
    from assessments.models import Assessment

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
    with transaction.atomic(), connection.cursor() as cursor:
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
            FROM generate_series(1::bigint, %(add)s) AS n""",
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
        cursor.execute(
            """INSERT INTO assessments_assessment (id, title, project_name, responsible_entity,
              mode, evaluating_unit, report_date, basic_situation, risk_narrative,
              risk_level_id, recommendation, deviation_reason, conclusion, basis_documents,
              emergency_plan, status, owner_unit_id, author_id, created_at, updated_at,
              lock_version, search_text)
            SELECT s.id, s.project_name || '社会稳定风险评估报告', s.project_name, s.entity,
              CASE WHEN s.n %% 5 = 0 THEN 'standard' ELSE 'simple' END, '区社会稳定风险评估中心',
              CASE WHEN s.status = 'draft' THEN NULL ELSE s.updated::date END,
              %(situation)s, %(narrative)s,
              CASE WHEN s.status = 'draft' THEN NULL
                   WHEN s.n %% 10 < 6 THEN %(low)s WHEN s.n %% 10 < 9 THEN %(medium)s
                   ELSE %(high)s END,
              CASE WHEN s.status = 'draft' THEN ''
                   WHEN s.n %% 10 < 6 THEN 'approve' WHEN s.n %% 10 < 9 THEN 'defer'
                   ELSE 'reject' END,
              '', %(conclusion)s, '', '', s.status, s.unit_id, a.author_id,
              s.updated - interval '20 days', s.updated, 3,
              lower(concat_ws(E'\n', s.project_name, s.entity, s.contact_b, s.contact_a,
                CASE WHEN s.status = 'issued'
                     THEN a.prefix || '〔' || extract(year FROM s.updated) || '〕' || s.n || '号'
                END))
            FROM bench_stage s JOIN bench_authors a ON a.unit_id = s.unit_id AND a.k = s.n %% 10""",
            {
                "situation": SITUATION,
                "narrative": NARRATIVE,
                "conclusion": CONCLUSION,
                **levels,
            },
        )
        print(f"assessments: {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute(
            """INSERT INTO assessments_contact (assessment_id, side, name, position, phone, "order")
            SELECT id, 'responsible', contact_a, '科长', '138' || lpad((n %% 100000000)::text, 8, '0'), 0
            FROM bench_stage
            UNION ALL
            SELECT id, 'evaluator', contact_b, '评估员', '0533' || lpad((n %% 10000000)::text, 7, '0'), 0
            FROM bench_stage""",
            {},
        )
        print(f"contacts: {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute(
            """INSERT INTO assessments_version (id, assessment_id, number, content, created_at,
              created_by_id)
            SELECT %(first_version)s + row_number() OVER (ORDER BY s.id), s.id, 1, '{}'::jsonb,
              s.updated - interval '1 day', a.author_id
            FROM bench_stage s JOIN bench_authors a ON a.unit_id = s.unit_id AND a.k = s.n %% 10
            WHERE s.status IN ('submitted', 'returned', 'approved', 'issued')""",
            {"first_version": first_version},
        )
        cursor.execute(
            """INSERT INTO assessments_signedreport (assessment_id, version_id, report_number,
              approved_by_id, pdf, sha256, signed_at, signer, certificate_fingerprint,
              verification_token)
            SELECT s.id, v.id,
              a.prefix || '〔' || extract(year FROM s.updated) || '〕' || s.n || '号',
              %(approver)s, '\\x255044462d312e37'::bytea,
              md5(s.id::text) || md5('sha' || s.id), s.updated, 'bench', 'bench',
              md5('token' || s.id) || md5('t2' || s.id)
            FROM bench_stage s
            JOIN bench_authors a ON a.unit_id = s.unit_id AND a.k = s.n %% 10
            JOIN assessments_version v ON v.assessment_id = s.id AND v.number = 1
            WHERE s.status = 'issued'""",
            {"approver": staff["big_reviewer"].pk},
        )
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
                f"SELECT setval(pg_get_serial_sequence('{table}', '{sequence_of}'), "
                f"(SELECT max(id) FROM {table}))"
            )
        for name, definition in saved:
            cursor.execute(definition)
            print(f"index {name}: {time.perf_counter() - started:.0f} s", flush=True)
    for table in tables:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"built {add} assessments in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--http", action="store_true")
    args = parser.parse_args()
    build(args.rows)
    if args.build_only:
        return


if __name__ == "__main__":
    main()
