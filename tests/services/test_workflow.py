import pytest

from assessments.issuing.tasks import approve_and_issue
from assessments.models import AuditAction, AuditEvent, ReviewEvent, Status, Version
from assessments.services import editing, workflow
from assessments.services.workflow import TRANSITIONS, TransitionRefused

pytestmark = pytest.mark.django_db


def test_only_the_designed_transitions_exist():
    table = {name: (sorted(t.sources), t.target) for name, t in TRANSITIONS.items()}

    assert table == {
        "submit": (["draft", "returned"], "submitted"),
        "return": (["submitted"], "returned"),
        "approve": (["submitted"], "approved"),
        "issue": (["approved"], "issued"),
    }


def test_submit_freezes_a_version_and_records_the_event(complete_draft, assessor):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)

    complete_draft.refresh_from_db()
    version = Version.objects.get(assessment=complete_draft)
    event = ReviewEvent.objects.get(assessment=complete_draft)
    assert complete_draft.status == Status.SUBMITTED
    assert version.number == 1
    assert version.content["project_name"] == complete_draft.project_name
    assert (event.from_status, event.to_status, event.version) == ("draft", "submitted", version)
    audit = AuditEvent.objects.get(action=AuditAction.TRANSITION)
    assert (audit.old_state, audit.new_state, audit.user) == ("draft", "submitted", assessor)


def test_return_needs_a_comment(complete_draft, assessor, reviewer):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)

    with pytest.raises(TransitionRefused, match="必须填写审核意见"):
        workflow.assessment_return(assessment=complete_draft, actor=reviewer, comment="  ")

    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.SUBMITTED


def test_the_author_may_not_approve_their_own_work(complete_draft, unit):
    from assessments.models import Role
    from tests.factories import make_user

    both = make_user("grace", roles=[Role.ASSESSOR, Role.REVIEWER], units=[unit])
    complete_draft.author = both
    complete_draft.save()
    workflow.assessment_submit(assessment=complete_draft, actor=both)

    with pytest.raises(TransitionRefused, match="没有权限"):
        approve_and_issue(assessment=complete_draft, actor=both)

    refusal = AuditEvent.objects.get(action=AuditAction.REFUSED)
    assert refusal.success is False
    assert refusal.user == both


def test_a_wrong_state_transition_is_refused_and_audited(complete_draft, reviewer):
    with pytest.raises(TransitionRefused, match="草稿"):
        approve_and_issue(assessment=complete_draft, actor=reviewer)

    assert AuditEvent.objects.filter(action=AuditAction.REFUSED, success=False).count() == 1
    assert not ReviewEvent.objects.exists()


def test_a_reviewer_of_another_unit_cannot_approve(complete_draft, assessor, outsider):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)

    with pytest.raises(TransitionRefused):
        approve_and_issue(assessment=complete_draft, actor=outsider)


def test_a_full_round_returns_revises_resubmits_and_pins_the_approved_version(
    complete_draft, assessor, reviewer
):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    workflow.assessment_return(assessment=complete_draft, actor=reviewer, comment="请补充。")
    complete_draft.refresh_from_db()
    editing.assessment_save_step(
        assessment=complete_draft,
        expected_version=complete_draft.lock_version,
        apply=lambda a: editing.assessment_update_fields(a, {"conclusion": "修改后的结论。"}),
    )
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    approve_and_issue(assessment=complete_draft, actor=reviewer, comment="同意")

    events = list(ReviewEvent.objects.filter(assessment=complete_draft).order_by("id"))
    assert [e.to_status for e in events] == ["submitted", "returned", "submitted", "approved"]
    assert events[-1].version.number == 2
    assert events[-1].version.content["conclusion"] == "修改后的结论。"
    assert events[1].version.content["conclusion"] != "修改后的结论。"


def test_content_is_read_only_from_submission_on(complete_draft, assessor):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)

    with pytest.raises(editing.NotEditable):
        editing.assessment_save_step(
            assessment=complete_draft,
            expected_version=complete_draft.lock_version,
            apply=lambda a: editing.assessment_update_fields(a, {"conclusion": "偷改"}),
        )
