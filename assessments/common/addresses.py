"""The client's address, for the audit log and the login lockout (django-axes uses this
function too, AXES_CLIENT_IP_CALLABLE, so both agree on who the client is)."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # A dual-stack server may see an IPv4 client as ::ffff:10.0.0.1.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted_proxy(address) -> bool:
    return any(address in network for network in settings.ZHOUCUN_TRUSTED_PROXIES)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the address a trusted proxy forwarded.

    The header (ZHOUCUN_CLIENT_IP_HEADER, X-Forwarded-For by default) is read only when
    REMOTE_ADDR is one of ZHOUCUN_TRUSTED_PROXIES: a client talking to us directly could
    write anything there. Each proxy appends the address it saw, so the header is read from
    the right, skipping our own proxies; the first address that is not one of them is the
    client. Anything to its left was written by the client and is never read. A malformed
    entry where the client should be means the chain cannot be trusted: REMOTE_ADDR is used.

    django-axes uses this function too (AXES_CLIENT_IP_CALLABLE), so the lockout and the
    audit log agree on who the client is.
    """
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    header_key = "HTTP_" + settings.ZHOUCUN_CLIENT_IP_HEADER.upper().replace("-", "_")
    forwarded = request.META.get(header_key, "")
    if not forwarded or not _is_trusted_proxy(remote):
        return str(remote)
    hop = remote
    for text in reversed(forwarded.split(",")):
        hop = _address(text)
        if hop is None:
            return str(remote)
        if not _is_trusted_proxy(hop):
            return str(hop)
    # Every hop is one of our proxies: the request began inside, at the left-most hop.
    return str(hop)
