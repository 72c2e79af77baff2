"""Counts of assessments by unit, month, status, mode and level (models.tally), kept by
triggers on SQLite and PostgreSQL, and filled from the rows already there."""

import django.db.models.deletion
from django.db import migrations, models

from assessments.models.tally import (
    NO_LEVEL,
    TABLE,
    month_function_sql,
    month_sql,
    rebuild_tallies,
)

KEY = ["owner_unit_id", "created_at", "status", "mode", "risk_level_id"]


def _values(row: str, month: str) -> str:
    return (
        f"{row}.owner_unit_id, {month}, {row}.status, {row}.mode, "
        f"COALESCE({row}.risk_level_id, {NO_LEVEL})"
    )


def _where(row: str, month: str) -> str:
    return (
        f"unit_id = {row}.owner_unit_id AND month = {month} AND status = {row}.status "
        f"AND mode = {row}.mode AND level_id = COALESCE({row}.risk_level_id, {NO_LEVEL})"
    )


def _add(row: str, month: str) -> str:
    return (
        f"INSERT INTO {TABLE} (unit_id, month, status, mode, level_id, count) "
        f"VALUES ({_values(row, month)}, 1) "
        f"ON CONFLICT (unit_id, month, status, mode, level_id) "
        f"DO UPDATE SET count = {TABLE}.count + 1;"
    )


def _take(row: str, month: str) -> str:
    return f"UPDATE {TABLE} SET count = count - 1 WHERE {_where(row, month)};"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor

    def month(row):
        return month_sql(f"{row}.created_at", vendor)

    if vendor == "postgresql":
        schema_editor.execute(month_function_sql(), params=None)
        # A key change takes one from the old key's row and adds one to the new key's, in
        # the keys' order: two transactions moving assessments in opposite directions
        # (one resubmitted while another is returned) then lock the two rows in the same
        # order and never deadlock.
        old_key = f"ROW(OLD.owner_unit_id, {month('OLD')}, OLD.status, OLD.mode, COALESCE(OLD.risk_level_id, {NO_LEVEL}))"
        new_key = f"ROW(NEW.owner_unit_id, {month('NEW')}, NEW.status, NEW.mode, COALESCE(NEW.risk_level_id, {NO_LEVEL}))"
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION zhoucun_tally() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            f"  IF TG_OP = 'INSERT' THEN {_add('NEW', month('NEW'))}\n"
            f"  ELSIF TG_OP = 'DELETE' THEN {_take('OLD', month('OLD'))}\n"
            f"  ELSIF {old_key} < {new_key} THEN\n"
            f"    {_take('OLD', month('OLD'))} {_add('NEW', month('NEW'))}\n"
            "  ELSE\n"
            f"    {_add('NEW', month('NEW'))} {_take('OLD', month('OLD'))}\n"
            "  END IF;\n"
            "  RETURN NULL;\n"
            "END $$;",
            params=None,
        )
        schema_editor.execute(
            "CREATE TRIGGER assessment_tally_insert_delete AFTER INSERT OR DELETE "
            "ON assessments_assessment FOR EACH ROW EXECUTE FUNCTION zhoucun_tally();"
        )
        old = ", ".join(f"OLD.{c}" for c in KEY)
        new = ", ".join(f"NEW.{c}" for c in KEY)
        schema_editor.execute(
            f"CREATE TRIGGER assessment_tally_update AFTER UPDATE OF {', '.join(KEY)} "
            f"ON assessments_assessment FOR EACH ROW "
            f"WHEN (({old}) IS DISTINCT FROM ({new})) EXECUTE FUNCTION zhoucun_tally();"
        )
    elif vendor == "sqlite":
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in KEY)
        schema_editor.execute(
            "CREATE TRIGGER assessment_tally_insert AFTER INSERT ON assessments_assessment "
            f"BEGIN {_add('NEW', month('NEW'))} END;"
        )
        schema_editor.execute(
            "CREATE TRIGGER assessment_tally_delete AFTER DELETE ON assessments_assessment "
            f"BEGIN {_take('OLD', month('OLD'))} END;"
        )
        schema_editor.execute(
            f"CREATE TRIGGER assessment_tally_update AFTER UPDATE OF {', '.join(KEY)} "
            f"ON assessments_assessment WHEN {changed} "
            f"BEGIN {_take('OLD', month('OLD'))} {_add('NEW', month('NEW'))} END;"
        )
    else:
        raise NotImplementedError(f"tally triggers are not written for {vendor}")
    rebuild_tallies(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name in ("assessment_tally_insert_delete", "assessment_tally_update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON assessments_assessment;")
        schema_editor.execute("DROP FUNCTION IF EXISTS zhoucun_tally();")
        schema_editor.execute("DROP FUNCTION IF EXISTS zhoucun_month(timestamptz);")
    else:
        for name in ("assessment_tally_insert", "assessment_tally_delete", "assessment_tally_update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0022_after_decision_tracking"),
    ]

    operations = [
        migrations.CreateModel(
            name="AssessmentTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(verbose_name="Month")),
                ("status", models.CharField(max_length=10, verbose_name="Status")),
                ("mode", models.CharField(max_length=10, verbose_name="Evaluation mode")),
                ("level_id", models.PositiveIntegerField(default=0, verbose_name="Risk level")),
                ("count", models.BigIntegerField(default=0, verbose_name="Count")),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="assessments.unit",
                        verbose_name="Unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "Assessment count",
                "verbose_name_plural": "Assessment counts",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("unit", "month", "status", "mode", "level_id"),
                        name="tally_key_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
