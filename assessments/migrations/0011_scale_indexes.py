"""Lists, search and diffs that cost the same at 1M assessments as at 1k (issue 11).

Indexes (declared on the model) serve each list's filter and order, all led by the owner
unit because visibility is a filter on unit ids (`permissions.visibility`): the list's
orders (updated, report date, project name), the status sections and the review queue, the
author's own sections, and the export's walk by id.

On PostgreSQL, search gets an index too. Chinese has no spaces and stock PostgreSQL no
Chinese tokenizer, and pg_trgm extracts no trigram from a two-character term, so the index
is over *bigrams*: `assessments_assessment.search_text` holds, lower-cased, the project name,
the responsible entity, the contact names and the report number, kept up to date by
triggers (the contacts and the signed report live in other tables, so a generated column
cannot hold them); a GIN index over `zhoucun_bigrams(search_text)` finds the rows that hold
every bigram of a term, and `LIKE` confirms the term is there in one piece
(`assessments/search.py`). The column is the database's own: Django never reads or writes
it, so SQLite (where search falls back to `icontains`) has no such column.

`zhoucun_bigrams` must stay IMMUTABLE and unchanged while the index exists: changing what
it returns needs a REINDEX.
"""

# 1

import datetime
import django.db.models.deletion
import django.db.models.functions.comparison
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

PG_SEARCH = r"""
ALTER TABLE assessments_assessment ADD COLUMN search_text text NOT NULL DEFAULT '';

CREATE FUNCTION zhoucun_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}')
    FROM (SELECT substr(t, i, 2) AS g FROM generate_series(1, char_length(t) - 1) AS i) AS s
    WHERE g !~ '\s'
$$;

CREATE FUNCTION zhoucun_assessment_search_text(a_id bigint, project text, entity text)
RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT lower(concat_ws(E'\n', project, entity,
        (SELECT string_agg(c.name, E'\n' ORDER BY c.side, c."order")
           FROM assessments_contact c WHERE c.assessment_id = a_id),
        (SELECT r.report_number FROM assessments_signedreport r WHERE r.assessment_id = a_id)))
$$;

CREATE FUNCTION zhoucun_assessment_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_text := zhoucun_assessment_search_text(
        NEW.id, NEW.project_name, NEW.responsible_entity);
    RETURN NEW;
END $$;

CREATE TRIGGER assessments_assessment_search BEFORE INSERT OR UPDATE
ON assessments_assessment FOR EACH ROW EXECUTE FUNCTION zhoucun_assessment_search_refresh();

-- A contact or a report number changed: touch the assessment so its trigger recomputes.
CREATE FUNCTION zhoucun_assessment_search_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE assessments_assessment SET search_text = '' WHERE id = OLD.assessment_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE assessments_assessment SET search_text = '' WHERE id = NEW.assessment_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER assessments_contact_search AFTER INSERT OR UPDATE OR DELETE
ON assessments_contact FOR EACH ROW EXECUTE FUNCTION zhoucun_assessment_search_touch();
CREATE TRIGGER assessments_signedreport_search AFTER INSERT
ON assessments_signedreport FOR EACH ROW EXECUTE FUNCTION zhoucun_assessment_search_touch();

UPDATE assessments_assessment SET search_text = '';

CREATE INDEX assessment_search_bigrams ON assessments_assessment
USING gin (zhoucun_bigrams(search_text));
"""

PG_SEARCH_DROP = """
DROP TRIGGER IF EXISTS assessments_signedreport_search ON assessments_signedreport;
DROP TRIGGER IF EXISTS assessments_contact_search ON assessments_contact;
DROP TRIGGER IF EXISTS assessments_assessment_search ON assessments_assessment;
DROP INDEX IF EXISTS assessment_search_bigrams;
ALTER TABLE assessments_assessment DROP COLUMN IF EXISTS search_text;
DROP FUNCTION IF EXISTS zhoucun_assessment_search_touch();
DROP FUNCTION IF EXISTS zhoucun_assessment_search_refresh();
DROP FUNCTION IF EXISTS zhoucun_assessment_search_text(bigint, text, text);
DROP FUNCTION IF EXISTS zhoucun_bigrams(text);
"""


def create_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_SEARCH, params=None)


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_SEARCH_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0010_text_limits"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="VersionDiff",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("changes", models.JSONField(verbose_name="Changes")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="Computed at"
                    ),
                ),
            ],
            options={
                "verbose_name": "Version difference",
                "verbose_name_plural": "Version differences",
            },
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                fields=["owner_unit", "updated_at", "id"], name="assessment_unit_updated"
            ),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                fields=["owner_unit", "status", "updated_at", "id"],
                name="assessment_unit_status_upd",
            ),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                fields=["owner_unit", "project_name", "id"], name="assessment_unit_project"
            ),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                models.F("owner_unit"),
                django.db.models.functions.comparison.Coalesce(
                    models.F("report_date"), models.Value(datetime.date(1, 1, 1))
                ),
                models.F("id"),
                name="assessment_unit_report_date",
            ),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["owner_unit", "id"], name="assessment_unit_id"),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(
                fields=["author", "status", "updated_at", "id"], name="assessment_author_status"
            ),
        ),
        migrations.AddField(
            model_name="versiondiff",
            name="new_version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="assessments.version",
                verbose_name="New version",
            ),
        ),
        migrations.AddField(
            model_name="versiondiff",
            name="old_version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="assessments.version",
                verbose_name="Old version",
            ),
        ),
        migrations.AddConstraint(
            model_name="versiondiff",
            constraint=models.UniqueConstraint(
                fields=("old_version", "new_version"), name="version_diff_pair"
            ),
        ),
        migrations.RunPython(create_search, drop_search),
    ]
