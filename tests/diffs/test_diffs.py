"""The reviewer's diff: bounded in time, computed once per pair of versions and kept."""

import random
import re

import pytest
from django.urls import reverse

from assessments.diffs import compute
from assessments.models import VersionDiff
from assessments.services import editing, workflow

pytestmark = pytest.mark.django_db


def chinese(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n))


def plain(html: str) -> str:
    """The text of one side of a highlighted field, marks removed, entities undone."""
    text = re.sub(r"</?(del|ins)>", "", html)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@pytest.fixture
def resubmitted(complete_draft, assessor, reviewer):
    """Returned once, then resubmitted with a different basic situation."""

    def make(before: str, after: str):
        complete_draft.basic_situation = before
        complete_draft.save()
        workflow.assessment_submit(assessment=complete_draft, actor=assessor)
        workflow.assessment_return(assessment=complete_draft, actor=reviewer, comment="请修改。")
        complete_draft.refresh_from_db()
        editing.assessment_save_step(
            assessment=complete_draft,
            expected_version=complete_draft.lock_version,
            apply=lambda a: editing.assessment_update_fields(a, {"basic_situation": after}),
        )
        workflow.assessment_submit(assessment=complete_draft, actor=assessor)
        return complete_draft

    return make


def test_the_diff_of_a_pair_is_computed_once_and_kept(client, reviewer, resubmitted, monkeypatch):
    assessment = resubmitted("基本情况第一段。", "基本情况第一段。补充：新增信访接待点。")
    client.force_login(reviewer)
    url = reverse("assessments:review", args=[assessment.pk])

    first = client.get(url)
    monkeypatch.setattr(compute, "_operations", lambda *args: pytest.fail("computed again"))
    second = client.get(url)

    assert VersionDiff.objects.count() == 1
    assert [c.label for c in second.context["changes"]] == ["基本情况"]
    assert "<ins>补充：新增信访接待点。</ins>" in second.context["changes"][0].new
    assert first.context["changes"] == second.context["changes"]


def test_a_6000_character_change_within_a_tiny_budget_is_coarse_but_exact(resubmitted, monkeypatch):
    # 6,000 characters: the longest a section may be (TEXT_LIMITS).
    before, after = chinese(6_000, 1), chinese(6_000, 2)
    assessment = resubmitted(before, after)
    monkeypatch.setattr(compute, "DIFF_BUDGET", 0.001)
    old, new = assessment.versions.order_by("number")

    (change,) = compute.version_diff(old, new)

    assert change.label == "基本情况"
    assert plain(change.old) == before
    assert plain(change.new) == after


def test_stored_text_is_escaped_when_shown(resubmitted):
    assessment = resubmitted("<b>旧</b>", "<script>新</script>")
    old, new = assessment.versions.order_by("number")

    (change,) = compute.version_diff(old, new)

    # The only markup is the diff's own marks; the user's text reads back unchanged.
    assert re.findall(r"<[^>]*>", change.new) == ["<ins>", "</ins>"]
    assert re.findall(r"<[^>]*>", change.old) == ["<del>", "</del>"]
    assert plain(change.new) == "<script>新</script>"
    stored = VersionDiff.objects.get().changes
    # Stored as plain text with operations, not as HTML.
    assert "".join(text for op, text in stored[0]["ops"] if op >= 0) == "<script>新</script>"


def test_a_pair_stored_by_another_request_meanwhile_is_not_an_error(resubmitted, monkeypatch):
    assessment = resubmitted("旧的基本情况。", "新的基本情况。")
    old, new = assessment.versions.order_by("number")
    real = compute._compute

    def racing(*args):
        VersionDiff.objects.create(old_version=old, new_version=new, changes=real(*args))
        return real(*args)

    monkeypatch.setattr(compute, "_compute", racing)

    (change,) = compute.version_diff(old, new)

    assert "<ins>新</ins>" in change.new
    assert VersionDiff.objects.count() == 1
