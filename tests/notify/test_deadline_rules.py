"""The deadlines are a locality's rules like the others: set on the rules page by a
district, inherited by its bureaus, read by the 公示 form and at submission."""

import datetime

import pytest
from django.urls import reverse

from assessments.content import deadlines
from assessments.models import Role
from tests.factories import make_assessment, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(risk_scheme):
    return make_unit("周村区委政法委")


@pytest.fixture
def bureau(district):
    return make_unit("周村区住建局", parent=district)


def test_a_district_sets_the_publicity_length_its_bureaus_inherit(client, district, bureau):
    admin = make_user("dora", roles=[Role.UNIT_ADMIN], units=[district])
    author = make_user("alice", roles=[Role.ASSESSOR], units=[bureau])
    assessment = make_assessment(unit=bureau, author=author, matter_kind="expropriation")
    assert deadlines.publicity_days(assessment) is None  # no national default

    client.force_login(admin)
    url = reverse("units:rule_edit", args=[district.pk, "simple", "publicity_days.expropriation"])
    form = client.get(url)
    saved = client.post(url, {"required": "1", "number": "10", "source": "某区细则第五条"})
    page = client.get(reverse("units:rules", args=[district.pk])).content.decode()

    assert "天数" in form.content.decode()
    assert saved.status_code == 302
    assert "10 天" in page and "不规定期限（无规则）" in page
    fresh = type(assessment).objects.select_related("owner_unit").get(pk=assessment.pk)
    assert deadlines.publicity_days(fresh) == 10
    assert str(deadlines.publicity_end(fresh, datetime.date(2026, 12, 1))) == ("2026-12-10")


def test_a_deadline_switched_off_is_no_deadline(client, district, bureau):
    admin = make_user("dora", roles=[Role.UNIT_ADMIN], units=[district])
    author = make_user("alice", roles=[Role.ASSESSOR], units=[bureau])
    assessment = make_assessment(unit=bureau, author=author)
    client.force_login(admin)
    url = reverse("units:rule_edit", args=[district.pk, "simple", "review_due_days"])

    client.post(url, {"required": "0", "source": "某区细则"})

    fresh = type(assessment).objects.select_related("owner_unit").get(pk=assessment.pk)
    assert deadlines.review_due(fresh, datetime.date(2026, 12, 1)) is None
