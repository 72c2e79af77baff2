from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assessments.models import (
    AuditAction,
    AuditEvent,
    Contact,
    Finding,
    ReviewEvent,
    RiskMatrixCell,
    RiskPoint,
    Side,
    Version,
)
from assessments.services import workflow
from assessments.services.audit import audit_record
from tests.factories import issue

pytestmark = pytest.mark.django_db


def refused(callable_) -> bool:
    try:
        with transaction.atomic():
            callable_()
    except IntegrityError:
        return True
    return False


def risk_point(draft, risk_scheme, **overrides):
    fields = {
        "assessment": draft,
        "order": 0,
        "description": "施工扰民",
        "category": "environment",
        "likelihood": 3,
        "impact": 3,
        "level_before": risk_scheme["medium"],
        "level_after": risk_scheme["low"],
        "mitigation": "限定施工时段",
        "responsible_party": "建设局",
    }
    return RiskPoint(**{**fields, **overrides})


def test_the_database_refuses_likelihood_six(draft, risk_scheme):
    assert refused(lambda: risk_point(draft, risk_scheme, likelihood=6).save())


def test_the_database_refuses_impact_zero(draft, risk_scheme):
    assert refused(lambda: risk_point(draft, risk_scheme, impact=0).save())


def test_a_valid_risk_point_is_stored(draft, risk_scheme):
    assert not refused(lambda: risk_point(draft, risk_scheme).save())


def test_the_database_refuses_a_second_finding_for_one_dimension(draft):
    assert draft.findings.count() == 4

    assert refused(lambda: Finding.objects.create(assessment=draft, dimension="legality"))


def test_the_database_refuses_an_unknown_status(draft):
    from assessments.models import Assessment

    assert refused(lambda: Assessment.objects.filter(pk=draft.pk).update(status="deleted"))


def test_the_database_refuses_two_contacts_at_one_position(draft):
    Contact.objects.create(assessment=draft, side=Side.RESPONSIBLE, name="甲", phone="1", order=0)

    assert refused(
        lambda: Contact.objects.create(
            assessment=draft, side=Side.RESPONSIBLE, name="乙", phone="2", order=0
        )
    )


def test_the_matrix_is_data_with_one_cell_per_pair(risk_scheme):
    assert RiskMatrixCell.objects.count() == 25

    assert refused(
        lambda: RiskMatrixCell.objects.create(likelihood=1, impact=1, level=risk_scheme["high"])
    )


def test_the_database_refuses_to_update_a_review_event(complete_draft, assessor):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    event = ReviewEvent.objects.get(assessment=complete_draft)

    assert refused(lambda: ReviewEvent.objects.filter(pk=event.pk).update(comment="改写"))
    event.refresh_from_db()
    assert event.comment == ""


def test_the_database_refuses_to_update_an_audit_event(assessor):
    event = audit_record(action=AuditAction.LOGIN, user=assessor)

    assert refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(success=False))
    with connection.cursor() as cursor:
        assert refused(
            lambda: cursor.execute(
                "UPDATE assessments_auditevent SET username = 'x' WHERE id = %s", [event.pk]
            )
        )


def test_the_database_refuses_to_update_a_version(complete_draft, assessor):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)

    assert refused(lambda: Version.objects.filter(assessment=complete_draft).update(content={}))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="delete guards are PostgreSQL triggers"
)
def test_postgresql_refuses_deleting_recent_audit_events(assessor):
    event = audit_record(action=AuditAction.LOGIN, user=assessor)

    assert refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="delete guards are PostgreSQL triggers"
)
def test_postgresql_allows_purging_audit_events_older_than_180_days(assessor):
    old = AuditEvent.objects.create(
        action=AuditAction.LOGIN,
        user=assessor,
        created_at=timezone.now() - timedelta(days=181),
    )

    assert not refused(lambda: AuditEvent.objects.filter(pk=old.pk).delete())


def test_every_append_only_table_still_has_its_update_guard():
    """SQLite drops triggers when a migration rebuilds a table: catch it if one did."""
    from assessments.models.guards import APPEND_ONLY_TABLES

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        triggers = {row[0] for row in cursor.fetchall()}

    assert {f"{table}_no_update" for table in APPEND_ONLY_TABLES} <= triggers


def test_the_database_refuses_to_update_a_signed_report(complete_draft, assessor, reviewer):
    from assessments.models import SignedReport

    report = issue(complete_draft, author=assessor, reviewer=reviewer)

    assert refused(lambda: SignedReport.objects.filter(pk=report.pk).update(sha256="0" * 64))


def test_a_units_lineage_runs_from_itself_up_to_the_root(db):
    from tests.factories import make_unit

    city = make_unit("市")
    district = make_unit("区", parent=city)
    bureau = make_unit("局", parent=district)

    assert bureau.lineage() == [bureau, district, city]
    assert city.lineage() == [city]
