"""Transitions are durable: never nested in a caller's transaction, so no outer rollback can
take their audit row away. The `*_replace` services are all-or-nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from assessments.models import AuditAction, AuditEvent, Role, Status
from assessments.services import editing, workflow
from tests.factories import complete_assessment, make_assessment, make_unit, make_user


@pytest.mark.django_db(transaction=True)
def test_a_transition_refuses_to_run_inside_another_transaction(risk_scheme):
    unit = make_unit()
    author = make_user("author", roles=[Role.ASSESSOR], units=[unit])
    draft = complete_assessment(make_assessment(unit=unit, author=author))

    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        workflow.assessment_submit(assessment=draft, actor=author)

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


@pytest.mark.django_db(transaction=True)
def test_a_refusals_audit_row_is_committed_on_its_own(risk_scheme):
    unit = make_unit()
    author = make_user("author", roles=[Role.ASSESSOR], units=[unit])
    stranger = make_user("stranger", roles=[Role.ASSESSOR], units=[make_unit()])
    draft = complete_assessment(make_assessment(unit=unit, author=author))

    with pytest.raises(workflow.TransitionRefused):
        workflow.assessment_submit(assessment=draft, actor=stranger)

    # Committed: visible from the autocommit connection, no transaction left open.
    assert not transaction.get_connection().in_atomic_block
    assert AuditEvent.objects.filter(action=AuditAction.REFUSED, username="stranger").exists()


@pytest.mark.django_db
def test_replacing_risk_points_is_all_or_nothing(complete_draft, risk_scheme):
    good = {
        "description": "施工扰民",
        "category": "environment",
        "likelihood": 2,
        "impact": 2,
        "level_after": risk_scheme["low"],
        "mitigation": "限时施工",
        "responsible_party": "区住建局",
    }
    editing.risk_points_replace(assessment=complete_draft, rows=[good])

    with pytest.raises(ValidationError):
        editing.risk_points_replace(
            assessment=complete_draft, rows=[good, {**good, "category": "nonsense"}]
        )

    assert list(complete_draft.risk_points.values_list("description", flat=True)) == ["施工扰民"]


@pytest.mark.django_db
def test_replacing_contacts_is_all_or_nothing(complete_draft):
    before = list(complete_draft.contacts.values_list("name", flat=True))

    with pytest.raises(ValidationError):
        editing.contacts_replace(
            assessment=complete_draft,
            side="responsible",
            rows=[{"name": "甲", "position": "", "phone": "1"}, {"name": "", "phone": ""}],
        )

    assert list(complete_draft.contacts.values_list("name", flat=True)) == before
