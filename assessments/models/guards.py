"""SQL for the append-only guards, shared by the migrations that must (re)create them.

SQLite rebuilds a table to alter it, and the rebuild drops the table's triggers: every
migration that alters one of these tables on SQLite must end with `recreate_sqlite_guards`.
"""

APPEND_ONLY_TABLES = [
    "assessments_version",
    "assessments_reviewevent",
    "assessments_signedreport",
    "assessments_auditevent",
]


def sqlite_guard(table: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
    )


def recreate_sqlite_guards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for table in APPEND_ONLY_TABLES:
            schema_editor.execute(sqlite_guard(table))
