"""Signed reports move from a database column into the `reports` storage, named by SHA-256.

Each stored PDF is written to storage and read back before the column is dropped; its hash is
checked against the row. A report whose bytes no longer match its row (altered in the
database) is still moved — it is evidence — and named on the console and in the log; every
download of it is then refused, and `manage.py reports_check` lists it.

Dropping a column rebuilds the table on SQLite, which drops its append-only trigger: the
migration ends by recreating it. Reversing copies the files back into the column, with the
append-only trigger set aside for that one UPDATE.
"""

import hashlib
import logging

from django.db import migrations, models

from assessments.models.guards import recreate_sqlite_guards

logger = logging.getLogger("assessments.migrations")

TABLE = "assessments_signedreport"


def move_pdfs_to_storage(apps, schema_editor):
    from assessments.reports import storage

    SignedReport = apps.get_model("assessments", "SignedReport")
    rows = SignedReport.objects.using(schema_editor.connection.alias).order_by("pk")
    for pk, number, sha256 in rows.values_list("pk", "report_number", "sha256").iterator():
        # One blob in memory at a time.
        blob = bytes(rows.filter(pk=pk).values_list("pdf", flat=True).get())
        actual = hashlib.sha256(blob).hexdigest()
        name = storage.report_name(sha256)
        target = storage.report_storage()
        if not target.exists(name):
            saved = target.save(name, _content(blob))
            if saved != name:
                raise RuntimeError(f"Storage wrote {number} as {saved}, not {name}")
        with target.open(name, "rb") as handle:
            if handle.read() != blob:
                raise RuntimeError(f"{name} in storage differs from report {number} in the DB")
        if actual != sha256:
            message = (
                f"Report {number}: its stored bytes hash to {actual}, not {sha256} as recorded; "
                "moved as they are, downloads of it will be refused"
            )
            logger.error(message)
            print(f"\n  WARNING {message}")


def _content(blob: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(blob)


def copy_files_back(apps, schema_editor):
    from assessments.reports import storage

    connection = schema_editor.connection
    SignedReport = apps.get_model("assessments", "SignedReport")
    rows = SignedReport.objects.using(connection.alias).order_by("pk")
    if connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_no_update")
    else:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update")
    for pk, sha256 in rows.values_list("pk", "sha256").iterator():
        rows.filter(pk=pk).update(pdf=storage.read_report_bytes(sha256))
    if connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TABLE}_no_update")
    else:
        recreate_sqlite_guards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_standard_records"),
    ]

    operations = [
        # Reversed, this comes last: the NOT NULL below rebuilt the table on SQLite.
        migrations.RunPython(migrations.RunPython.noop, recreate_sqlite_guards),
        # Nullable first, so that a reverse can add the column back to existing rows.
        migrations.AlterField(
            model_name="signedreport", name="pdf", field=models.BinaryField(null=True)
        ),
        migrations.RunPython(move_pdfs_to_storage, copy_files_back),
        migrations.RemoveField(model_name="signedreport", name="pdf"),
        migrations.RunPython(recreate_sqlite_guards, migrations.RunPython.noop),
    ]
