import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.lists.dashboard import dashboard
from assessments.models import (
    NO_LEVEL,
    Assessment,
    AssessmentTally,
    Membership,
    Mode,
    RiskLevel,
    Role,
    Status,
    forget_access,
    rebuild_tallies,
)
from tests.factories import complete_assessment, issue, make_assessment, make_unit, make_user

pytestmark = pytest.mark.django_db


def tallies() -> dict[tuple, int]:
    return {
        (t.unit_id, t.month, t.status, t.mode, t.level_id): t.count
        for t in AssessmentTally.objects.filter(count__gt=0)
    }


def figures(user) -> dict[str, dict[str, int]]:
    return {series.key: dict(series.rows) for series in dashboard(user).series}


def test_the_triggers_count_creation_every_key_change_and_deletion(
    unit, other_unit, assessor, risk_scheme
):
    first = make_assessment(unit=unit, author=assessor)
    make_assessment(unit=unit, author=assessor)
    month = timezone.localdate().replace(day=1)
    assert tallies() == {(unit.pk, month, "draft", "simple", NO_LEVEL): 2}

    high = RiskLevel.objects.get(code="high")
    Assessment.objects.filter(pk=first.pk).update(status=Status.SUBMITTED, risk_level=high)
    assert tallies() == {
        (unit.pk, month, "draft", "simple", NO_LEVEL): 1,
        (unit.pk, month, "submitted", "simple", high.pk): 1,
    }
    # A content change leaves the counts alone; a move of unit or month moves the count.
    Assessment.objects.filter(pk=first.pk).update(project_name="改名")
    earlier = timezone.now() - datetime.timedelta(days=62)
    Assessment.objects.filter(pk=first.pk).update(owner_unit=other_unit, created_at=earlier)
    earlier_month = timezone.localtime(earlier).date().replace(day=1)
    assert tallies() == {
        (unit.pk, month, "draft", "simple", NO_LEVEL): 1,
        (other_unit.pk, earlier_month, "submitted", "simple", high.pk): 1,
    }
    counted = tallies()
    rebuild_tallies()
    assert tallies() == counted
    Assessment.objects.filter(pk=first.pk).delete()
    assert tallies() == {(unit.pk, month, "draft", "simple", NO_LEVEL): 1}


def test_the_month_is_the_local_one(unit, assessor):
    # 2026-10-31 20:00 UTC is 1 November 04:00 in Beijing: counted in November.
    late = datetime.datetime(2026, 10, 31, 20, 0, tzinfo=datetime.UTC)
    made = make_assessment(unit=unit, author=assessor)
    Assessment.objects.filter(pk=made.pk).update(created_at=late)
    assert {key[1] for key in tallies()} == {datetime.date(2026, 11, 1)}
    rebuild_tallies()
    assert {key[1] for key in tallies()} == {datetime.date(2026, 11, 1)}
    if connection.vendor == "postgresql":
        # A session in another time zone (psql, a maintenance script) counts the same month.
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'America/New_York'")
            cursor.execute(
                "UPDATE assessments_assessment SET created_at = %s WHERE id = %s",
                [late + datetime.timedelta(minutes=1), made.pk],
            )
            cursor.execute("SET TIME ZONE 'UTC'")
        assert {key[1] for key in tallies()} == {datetime.date(2026, 11, 1)}


def test_the_dashboard_counts_what_the_user_may_see(risk_scheme):
    city = make_unit("淄博市委政法委")
    county = make_unit("周村区大数据局", parent=city)
    elsewhere = make_unit("张店区大数据局")
    author = make_user("writer", roles=[Role.ASSESSOR], units=[county])
    stranger = make_user("stranger", roles=[Role.ASSESSOR], units=[elsewhere])
    overseer = make_user("overseer", roles=[Role.OVERSIGHT], units=[city])
    for _n in range(3):
        make_assessment(unit=county, author=author, mode="standard")
    issued = make_assessment(unit=county, author=author)
    Assessment.objects.filter(pk=issued.pk).update(status=Status.ISSUED)
    make_assessment(unit=elsewhere, author=stranger)

    mine = figures(author)
    assert mine["status"][str(Status.DRAFT.label)] == 3
    assert mine["status"][str(Status.ISSUED.label)] == 1
    assert mine["mode"] == {str(Mode.SIMPLE.label): 1, str(Mode.STANDARD.label): 3}
    assert mine["unit"] == {"周村区大数据局": 4}
    assert dashboard(author).total == 4
    # Oversight sees the issued reports below it, no drafts; nobody sees another unit's.
    assert figures(overseer)["unit"] == {"周村区大数据局": 1}
    assert dashboard(overseer).total == 1
    assert figures(stranger)["unit"] == {"张店区大数据局": 1}
    this_month = timezone.localdate().strftime("%Y-%m")
    assert figures(author)["month"][this_month] == 4
    assert len(figures(author)["month"]) == 12


def test_the_page_shows_each_chart_with_its_table_in_a_fixed_number_of_queries(
    client, unit, assessor, risk_scheme
):
    for _n in range(5):
        make_assessment(unit=unit, author=assessor)
    client.force_login(assessor)
    client.get(reverse("assessments:home"))  # the session's idle deadline is written once
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse("assessments:dashboard"))
    assert response.status_code == 200
    # More units the user works in, more levels, modes and months: still the same queries.
    high = RiskLevel.objects.get(code="high")
    for n in range(4):
        extra = make_unit()
        Membership.objects.create(user=assessor, unit=extra, role=Role.ASSESSOR)
        for mode in ("simple", "standard"):
            made = make_assessment(unit=extra, author=assessor, mode=mode)
            Assessment.objects.filter(pk=made.pk).update(
                risk_level=high, created_at=timezone.now() - datetime.timedelta(days=40 * n)
            )
    forget_access(assessor)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("assessments:dashboard"))
    assert len(many) == len(few)
    assert dashboard(assessor).total == 13
    page = response.content.decode()
    data = json.loads(
        page.split('id="chart-status-data" type="application/json">')[1].split("</script>")[0]
    )
    assert data["counts"][data["labels"].index(str(Status.DRAFT.label))] == 5
    assert "echarts.common.min.js" in page
    assert page.count('class="table table-sm mb-0"') == 5


def test_someone_without_a_unit_is_refused(client, db):
    nobody = make_user("nobody")
    client.force_login(nobody)
    assert client.get(reverse("assessments:dashboard")).status_code == 403
    client.logout()
    assert client.get(reverse("assessments:dashboard")).status_code == 302


def test_overdue_tracking_is_listed_for_the_unit_and_its_oversight_only(
    client, unit, assessor, reviewer, risk_scheme
):
    from assessments.services import tracking

    district = make_unit("周村区委政法委")
    unit.parent = district
    unit.save()
    overseer = make_user("olga", roles=[Role.OVERSIGHT], units=[district])
    elsewhere = make_user("sam", roles=[Role.OVERSIGHT], units=[make_unit("张店区")])
    today = timezone.localdate()
    issued = []
    for name in ("古商城道路改造", "城市公园提升"):
        assessment = complete_assessment(
            make_assessment(unit=unit, author=assessor, project_name=name)
        )
        issue(assessment, author=assessor, reviewer=reviewer)
        issued.append(assessment)

    def record(assessment, days_ago: int, findings: str = "") -> None:
        tracking.tracking_save(
            assessment=assessment,
            record=None,
            data={
                "due_date": today - datetime.timedelta(days=days_ago),
                "tracked_by": "王某",
                "tracked_on": today if findings else None,
                "findings": findings,
                "new_risks": "",
            },
            measures={},
            actor=assessor,
        )

    record(issued[0], 3)
    record(issued[1], 10)
    record(issued[1], 20, findings="已落实。")  # found: not overdue
    record(issued[0], -5)  # not yet due

    def overdue(user):
        kinds = {kind.key: kind for kind in dashboard(user).overdue}
        assert kinds["filing"].total == 0  # no filing deadline is set
        kind = kinds["tracking"]
        return kind.total, [(name, due) for _pk, name, due in kind.rows]

    expected = (
        2,
        [
            ("城市公园提升", today - datetime.timedelta(days=10)),
            ("古商城道路改造", today - datetime.timedelta(days=3)),
        ],
    )
    assert overdue(assessor) == expected
    assert overdue(overseer) == expected
    assert overdue(elsewhere) == (0, [])

    client.force_login(overseer)
    page = client.get(reverse("assessments:dashboard")).content.decode()
    section = page.split('id="overdue-tracking"')[1]
    assert (
        "城市公园提升" in section and f"{today - datetime.timedelta(days=10):%Y-%m-%d}" in section
    )
