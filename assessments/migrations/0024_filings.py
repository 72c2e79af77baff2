"""备案 (issue 18, point 1): filings and their steps. The steps are the filing's history and
append-only like the other history tables: no UPDATE (SQLite and PostgreSQL), no DELETE and
no TRUNCATE (PostgreSQL; the functions come from migrations 0002 and 0006)."""

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLE = "assessments_filingstep"


def create_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END;"
        )
    elif vendor == "postgresql":
        for event in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER {TABLE}_no_{event.lower()} BEFORE {event} ON {TABLE} "
                f"FOR EACH ROW EXECUTE FUNCTION zhoucun_refuse_change();"
            )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION zhoucun_refuse_truncate();"
        )


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update;")
    elif vendor == "postgresql":
        for name in ("update", "delete", "truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{name} ON {TABLE};")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0023_assessment_tally"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Filing",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("sent", "Awaiting receipt"),
                            ("received", "Received"),
                            ("opinion", "Opinion recorded"),
                            ("approved", "Approved by the oversight unit"),
                            ("returned", "Returned"),
                        ],
                        default="sent",
                        max_length=10,
                        verbose_name="State",
                    ),
                ),
                (
                    "filed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="Filed at"
                    ),
                ),
                ("due_date", models.DateField(blank=True, null=True, verbose_name="Filing due")),
                (
                    "result_use",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[django.core.validators.MaxLengthValidator(2000)],
                        verbose_name="Use of the assessment's result",
                    ),
                ),
                (
                    "decision_opinion",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[django.core.validators.MaxLengthValidator(2000)],
                        verbose_name="Opinion of the deciding department",
                    ),
                ),
                (
                    "decision_opinion_date",
                    models.DateField(
                        blank=True,
                        null=True,
                        verbose_name="Date of the deciding department's opinion",
                    ),
                ),
                (
                    "remarks",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[django.core.validators.MaxLengthValidator(2000)],
                        verbose_name="Remarks",
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="Updated at"
                    ),
                ),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="filings",
                        to="assessments.assessment",
                        verbose_name="Assessment",
                    ),
                ),
                (
                    "current_unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="assessments.unit",
                        verbose_name="With unit",
                    ),
                ),
                (
                    "filed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="Filed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "Filing",
                "verbose_name_plural": "Filings",
                "ordering": ["-updated_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="FilingStep",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("filed", "Filed"),
                            ("received", "Received"),
                            ("opinion", "Opinion recorded"),
                            ("approved", "Approved by the oversight unit"),
                            ("forwarded", "Forwarded to the unit above"),
                            ("returned", "Returned"),
                        ],
                        max_length=10,
                        verbose_name="Action",
                    ),
                ),
                (
                    "text",
                    models.TextField(
                        blank=True,
                        max_length=3000,
                        validators=[django.core.validators.MaxLengthValidator(3000)],
                        verbose_name="Written opinion or reason",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="Time"),
                ),
                (
                    "filing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="steps",
                        to="assessments.filing",
                        verbose_name="Filing",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="assessments.unit",
                        verbose_name="Unit",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="By",
                    ),
                ),
            ],
            options={
                "verbose_name": "Filing step",
                "verbose_name_plural": "Filing steps",
                "ordering": ["filing", "created_at", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="filing",
            index=models.Index(
                fields=["current_unit", "state", "updated_at", "id"], name="filing_inbox"
            ),
        ),
        migrations.AddIndex(
            model_name="filing",
            index=models.Index(fields=["assessment", "state"], name="filing_assessment"),
        ),
        migrations.AddConstraint(
            model_name="filing",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "returned"), _negated=True),
                fields=("assessment",),
                name="filing_one_active",
            ),
        ),
        migrations.AddConstraint(
            model_name="filing",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("state__in", ["sent", "received", "opinion", "approved", "returned"])
                ),
                name="filing_state_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="filing",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("result_use"), 2000
                ),
                name="filing_result_use_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="filing",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("decision_opinion"), 2000
                ),
                name="filing_decision_opinion_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="filing",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("remarks"), 2000
                ),
                name="filing_remarks_length",
            ),
        ),
        migrations.AddIndex(
            model_name="filingstep",
            index=models.Index(fields=["filing", "id"], name="filing_step_filing"),
        ),
        migrations.AddConstraint(
            model_name="filingstep",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "action__in",
                        ["filed", "received", "opinion", "approved", "forwarded", "returned"],
                    )
                ),
                name="filing_step_action_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="filingstep",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("text"), 3000
                ),
                name="filing_step_text_length",
            ),
        ),
        migrations.RunPython(create_guards, drop_guards),
    ]
