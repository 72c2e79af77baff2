import secrets

import pytest
from django.test import override_settings

from assessments.demo import ensure_risk_scheme
from assessments.models import RiskLevel, Role
from assessments.reports import verify_bounds
from tests.factories import complete_assessment, make_assessment, make_unit, make_user


@pytest.fixture(scope="session", autouse=True)
def test_pki(tmp_path_factory):
    """A throwaway CA and signing certificate for the whole test run, with its own TSA,
    OCSP responder and CRL on a free port of 127.0.0.1 (always up: a test that needs the
    TSA down points ZHOUCUN_TSA_URL elsewhere)."""
    from assessments.reports import dev_pki_server

    password = secrets.token_urlsafe(12)
    directory = tmp_path_factory.mktemp("pki")
    root, p12, url = dev_pki_server.start_local(
        directory, organisation="测试区大数据局", password=password
    )
    with override_settings(
        ZHOUCUN_SIGNING_P12=str(p12),
        ZHOUCUN_SIGNING_P12_PASSWORD=password,
        ZHOUCUN_TRUST_ROOTS=str(root),
        ZHOUCUN_SIGNATURE_LEVEL="B-LTA",
        ZHOUCUN_TSA_URL=f"{url}/tsa",
    ):
        yield {"root": root, "p12": p12, "password": password, "url": url}


@pytest.fixture(autouse=True)
def forget_upload_refusals():
    """The /verify/ limit remembers the addresses it refused in this process for the rest of
    the minute; each test starts afresh, as its database rows do."""
    yield
    verify_bounds.forget_refusals()


@pytest.fixture
def risk_scheme(db) -> dict[str, RiskLevel]:
    ensure_risk_scheme()
    return {level.code: level for level in RiskLevel.objects.all()}


@pytest.fixture
def unit(db):
    return make_unit("周村区大数据局")


@pytest.fixture
def other_unit(db):
    return make_unit("张店区大数据局")


@pytest.fixture
def assessor(unit):
    return make_user("alice", roles=[Role.ASSESSOR], units=[unit], first_name="爱丽")


@pytest.fixture
def second_assessor(unit):
    return make_user("amy", roles=[Role.ASSESSOR], units=[unit])


@pytest.fixture
def reviewer(unit):
    return make_user("bob", roles=[Role.REVIEWER], units=[unit])


@pytest.fixture
def clerk(unit):
    return make_user("carol", roles=[Role.CLERK], units=[unit])


@pytest.fixture
def unit_admin(unit):
    return make_user("ursula", roles=[Role.UNIT_ADMIN], units=[unit])


@pytest.fixture
def admin_user(db):
    """The operator: a superuser with no role in any unit."""
    return make_user("dave", is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(other_unit):
    """An assessor and reviewer of another unit: must never see our unit's work."""
    return make_user("eve", roles=[Role.ASSESSOR, Role.REVIEWER], units=[other_unit])


@pytest.fixture
def draft(unit, assessor, risk_scheme):
    return make_assessment(unit=unit, author=assessor)


@pytest.fixture
def complete_draft(draft):
    return complete_assessment(draft)
