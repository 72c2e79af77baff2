"""Append-only history enforced by the database, and the four role groups.

Version, ReviewEvent, SignedReport and AuditEvent rows can never be updated: triggers refuse
it on SQLite and PostgreSQL alike. On PostgreSQL (production) they also refuse deletes —
AuditEvent rows only while younger than 180 days, so a retention purge stays possible.
SQLite gets no delete trigger because Django's test flush empties tables with DELETE there
(PostgreSQL's flush uses TRUNCATE, which row triggers do not see).
"""

from django.db import migrations

from assessments.models.guards import APPEND_ONLY_TABLES as APPEND_ONLY
from assessments.models.guards import sqlite_guard

PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION zhoucun_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE OR REPLACE FUNCTION zhoucun_refuse_early_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.created_at > now() - interval '180 days' THEN
        RAISE EXCEPTION 'audit events are kept for 180 days'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END $$;
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in APPEND_ONLY:
            schema_editor.execute(sqlite_guard(table))
    elif vendor == "postgresql":
        schema_editor.execute(PG_FUNCTIONS, params=None)
        for table in APPEND_ONLY:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION zhoucun_refuse_change();"
            )
            delete_function = (
                "zhoucun_refuse_early_delete"
                if table == "assessments_auditevent"
                else "zhoucun_refuse_change"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {delete_function}();"
            )
    else:
        raise NotImplementedError(f"append-only triggers are not written for {vendor}")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in APPEND_ONLY:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS zhoucun_refuse_change();")
        schema_editor.execute("DROP FUNCTION IF EXISTS zhoucun_refuse_early_delete();")


ROLE_GROUPS = ["评估人员", "审核人员", "文书", "管理员"]
ADMIN_MODELS = {
    "assessments": [
        "unit",
        "risklevel",
        "riskmatrixcell",
        "assessment",
        "contact",
        "finding",
        "riskpoint",
        "version",
        "reviewevent",
        "signedreport",
        "auditevent",
    ],
    "auth": ["user", "group"],
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the groups need them now.
    for label in ("auth", "contenttypes", "assessments"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    admin_group = Group.objects.get(name="管理员")
    for app_label, models in ADMIN_MODELS.items():
        admin_group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, content_type__model__in=models
            )
        )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(create_groups, delete_groups),
    ]
