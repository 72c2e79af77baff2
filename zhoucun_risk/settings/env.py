"""Strict readers for environment variables.

Every setting that comes from the environment is read through these, in one place
(`base.py`), so the documented list of variables (docs/configuration.md) and the code
cannot drift apart. A value that is present but malformed is an error, never silently
replaced by a default.
"""

import ipaddress
import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value!r}")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set.")
    return value


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated IP addresses or CIDR networks (`10.0.0.5, 192.168.0.0/24`)."""
    networks = []
    for item in env_list(name):
        try:
            # strict=False would quietly turn 10.0.0.5/8 into 10.0.0.0/8; say so instead.
            networks.append(ipaddress.ip_network(item, strict=True))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks (CIDR), got {item!r}: {exc}"
            ) from exc
    return networks


_HEADER_NAME = re.compile(r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$")


def env_header(name: str, default: str) -> str:
    """An HTTP header name such as `X-Forwarded-For`."""
    value = os.environ.get(name, default).strip()
    if not _HEADER_NAME.match(value):
        raise ImproperlyConfigured(f"{name} must be an HTTP header name, got {value!r}")
    return value
