"""TRUNCATE of the append-only tables is refused on PostgreSQL.

Migration 0002's row triggers refuse UPDATE and DELETE, but TRUNCATE fires no row trigger:
`TRUNCATE assessments_auditevent` (or `manage.py flush`, or a TRUNCATE … CASCADE from a
table they reference) emptied the audit log in one statement. A statement-level
BEFORE TRUNCATE trigger on each table refuses it; with CASCADE the trigger fires for every
table truncated, so the cascade is refused too.

Django's test runner empties the database between transactional tests
(TransactionTestCase, live-server browser tests, tests/test_concurrency.py) with TRUNCATE on
PostgreSQL. The trigger lets a TRUNCATE through only when the session's custom setting
`zhoucun.allow_truncate` is 'on', and only `zhoucun_risk/settings/test.py` sets it, on its
own connections (`OPTIONS: {"options": "-c zhoucun.allow_truncate=on"}`). Production never
sets it, so there the trigger refuses every TRUNCATE. Like every trigger, it is a guard
against mistakes and careless tools, not against the tables' owner, who can drop triggers;
that is why the audit log's owner should not be the application's everyday role in a
hardened installation.

SQLite has no TRUNCATE (Django's flush there uses DELETE), so nothing is added there.
"""

from django.db import migrations

from assessments.models.guards import APPEND_ONLY_TABLES

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION zhoucun_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('zhoucun.allow_truncate', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION '% is append-only: TRUNCATE is refused', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;
"""


def create_truncate_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_FUNCTION, params=None)
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION zhoucun_refuse_truncate();"
        )


def drop_truncate_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS zhoucun_refuse_truncate();")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0005_memberships")]

    operations = [migrations.RunPython(create_truncate_triggers, drop_truncate_triggers)]
