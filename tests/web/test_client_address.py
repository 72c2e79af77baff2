"""The client's address in the audit log and the lockout: a forwarded header counts only
when the request really came through one of our proxies."""

import ipaddress
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory, override_settings
from django.urls import reverse

from assessments.common.addresses import client_ip
from assessments.models import AuditAction, AuditEvent

ROOT = Path(__file__).resolve().parents[2]
PROXIES = [ipaddress.ip_network("10.1.0.0/24"), ipaddress.ip_network("192.0.2.7/32")]


def request_from(remote_addr: str, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, headers=headers)


@override_settings(ZHOUCUN_TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_never_read():
    request = request_from("198.51.100.9", x_forwarded_for="203.0.113.5")

    assert client_ip(request) == "198.51.100.9"


@override_settings(ZHOUCUN_TRUSTED_PROXIES=PROXIES)
def test_a_direct_client_forging_the_header_keeps_its_own_address():
    request = request_from("198.51.100.9", x_forwarded_for="10.1.0.3, 203.0.113.5")

    assert client_ip(request) == "198.51.100.9"


@override_settings(ZHOUCUN_TRUSTED_PROXIES=PROXIES)
def test_through_a_trusted_proxy_the_real_client_is_recorded():
    request = request_from("10.1.0.2", x_forwarded_for="203.0.113.5")

    assert client_ip(request) == "203.0.113.5"


@override_settings(ZHOUCUN_TRUSTED_PROXIES=PROXIES)
def test_a_chain_of_proxies_is_walked_from_the_right_skipping_our_own():
    # The client wrote "1.2.3.4" itself; our two proxies appended what they saw.
    request = request_from("10.1.0.2", x_forwarded_for="1.2.3.4, 203.0.113.5, 192.0.2.7")

    assert client_ip(request) == "203.0.113.5"


@override_settings(ZHOUCUN_TRUSTED_PROXIES=PROXIES)
def test_garbage_the_client_wrote_left_of_its_address_is_not_read():
    request = request_from("10.1.0.2", x_forwarded_for="not-an-address, 203.0.113.5")

    assert client_ip(request) == "203.0.113.5"


@override_settings(ZHOUCUN_TRUSTED_PROXIES=PROXIES)
def test_a_malformed_address_where_the_client_should_be_falls_back_to_the_proxy():
    request = request_from("10.1.0.2", x_forwarded_for="203.0.113.5, unknown")

    assert client_ip(request) == "10.1.0.2"


@override_settings(ZHOUCUN_TRUSTED_PROXIES=PROXIES)
def test_a_request_from_inside_is_recorded_at_its_first_hop():
    request = request_from("10.1.0.2", x_forwarded_for="10.1.0.9")

    assert client_ip(request) == "10.1.0.9"


@override_settings(ZHOUCUN_TRUSTED_PROXIES=PROXIES)
def test_a_trusted_proxy_without_the_header_is_itself_the_client():
    assert client_ip(request_from("10.1.0.2")) == "10.1.0.2"


@override_settings(ZHOUCUN_TRUSTED_PROXIES=PROXIES, ZHOUCUN_CLIENT_IP_HEADER="X-Real-IP")
def test_the_header_can_be_another_one():
    request = request_from("10.1.0.2", x_real_ip="203.0.113.5", x_forwarded_for="1.1.1.1")

    assert client_ip(request) == "203.0.113.5"


@override_settings(ZHOUCUN_TRUSTED_PROXIES=[ipaddress.ip_network("2001:db8::/64")])
def test_ipv6_proxies_and_ipv4_mapped_addresses():
    request = request_from("2001:db8::1", x_forwarded_for="::ffff:203.0.113.5")

    assert client_ip(request) == "203.0.113.5"


@pytest.mark.django_db
@override_settings(ZHOUCUN_TRUSTED_PROXIES=PROXIES)
def test_the_audit_log_and_the_lockout_record_the_same_forwarded_address(client, assessor):
    client.post(
        reverse("login"),
        {"username": "alice", "password": "wrong-password"},
        REMOTE_ADDR="10.1.0.2",
        headers={"x-forwarded-for": "203.0.113.5"},
    )

    failure = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failure.ip_address == "203.0.113.5"
    assert AccessAttempt.objects.get(username="alice").ip_address == "203.0.113.5"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ZHOUCUN_TRUSTED_PROXIES", "10.0.0.0/33"),
        ("ZHOUCUN_TRUSTED_PROXIES", "10.0.0.5/8"),
        ("ZHOUCUN_CLIENT_IP_HEADER", "X Forwarded For"),
        ("ZHOUCUN_ADDRESS_FAILURE_LIMIT", "0"),
    ],
)
def test_a_malformed_setting_stops_start_up(variable, value):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ZHOUCUN_"))}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "zhoucun_risk.settings.test", variable: value},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert variable in result.stderr
