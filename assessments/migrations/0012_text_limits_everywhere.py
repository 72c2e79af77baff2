# Every long text gets its limit from TEXT_LIMITS and a database CHECK (issue 15): the
# standard records and a risk point's resolution had limits only in some of their forms.

import django.core.validators
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0011_scale_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="mode_reason",
            field=models.TextField(
                blank=True,
                help_text="Required when simple mode is chosen although the figures suggest standard.",
                max_length=1000,
                validators=[django.core.validators.MaxLengthValidator(1000)],
                verbose_name="Reason for the lighter mode",
            ),
        ),
        migrations.AlterField(
            model_name="consultationactivity",
            name="summary",
            field=models.TextField(
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="What was heard",
            ),
        ),
        migrations.AlterField(
            model_name="opinion",
            name="content",
            field=models.TextField(
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="Opinion",
            ),
        ),
        migrations.AlterField(
            model_name="opinion",
            name="response",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="Response or reason",
            ),
        ),
        migrations.AlterField(
            model_name="riskpoint",
            name="resolution",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="What resolved it",
            ),
        ),
        migrations.AlterField(
            model_name="standardrecord",
            name="emergency_measures",
            field=models.TextField(
                blank=True,
                max_length=5000,
                validators=[django.core.validators.MaxLengthValidator(5000)],
                verbose_name="Response measures",
            ),
        ),
        migrations.AlterField(
            model_name="standardrecord",
            name="emergency_triggers",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="Trigger conditions",
            ),
        ),
        migrations.AlterField(
            model_name="standardrecord",
            name="expert_opinion",
            field=models.TextField(
                blank=True,
                max_length=5000,
                validators=[django.core.validators.MaxLengthValidator(5000)],
                verbose_name="Panel's opinion",
            ),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("mode_reason"), 1000
                ),
                name="assessment_mode_reason_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="consultationactivity",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("summary"), 2000
                ),
                name="activity_summary_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="opinion",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("content"), 2000
                ),
                name="opinion_content_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="opinion",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("response"), 2000
                ),
                name="opinion_response_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="riskpoint",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("resolution"), 2000
                ),
                name="risk_point_resolution_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="standardrecord",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("expert_opinion"), 5000
                ),
                name="standard_record_expert_opinion_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="standardrecord",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("emergency_triggers"), 2000
                ),
                name="standard_record_emergency_triggers_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="standardrecord",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("emergency_measures"), 5000
                ),
                name="standard_record_emergency_measures_length",
            ),
        ),
    ]
