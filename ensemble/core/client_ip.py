"""The visitor's real address, behind the reverse proxies the deployment trusts.

Every place that counts or stores an address (rate limits, acceptance evidence, allauth's login
limits through the account adapter) asks this one function, so they all agree.

X-Forwarded-For is a list each proxy appends to: "client, proxy1, proxy2". Only the entries added
by our own proxies can be believed; anything to their left was written by the client and may be
invented. Two ways to say which proxies are ours:

- ``TRUSTED_PROXY_COUNT = N``: exactly N proxies of ours stand in front of Django; the client is
  the N-th address from the right of X-Forwarded-For.
- ``TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]``: walk from REMOTE_ADDR leftwards through the
  header while the address belongs to one of these networks; the first other address is the client.

With neither (the default), REMOTE_ADDR is the client and the header is ignored.
"""

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _clean(value: str | None) -> str | None:
    """The address in its canonical spelling, or None when it is not an IP address."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _forwarded_for(request: HttpRequest) -> list[str]:
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [part.strip() for part in header.split(",") if part.strip()]


def _trusted_networks() -> list[Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in getattr(settings, "TRUSTED_PROXIES", [])]


def _is_trusted(address: str, networks: Iterable[Network]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in networks)


def _by_count(remote: str, hops: list[str], count: int) -> str:
    if len(hops) < count:
        # The request did not cross all our proxies (or one of them drops the header): nothing in
        # it can be believed, so the nearest peer stands for the client.
        return remote
    return _clean(hops[-count]) or remote


def _by_networks(remote: str, hops: list[str], networks: list[Network]) -> str:
    client = remote
    for hop in reversed(hops):
        if not _is_trusted(client, networks):
            break
        cleaned = _clean(hop)
        if cleaned is None:
            break  # garbage in the header: stop at the last address we could check
        client = cleaned
    return client


def client_ip(request: HttpRequest) -> str:
    """The client's IP address, canonical (``ipaddress``), or "" when REMOTE_ADDR itself is not an
    address (a test harness, a Unix socket without a proxy)."""
    remote = _clean(request.META.get("REMOTE_ADDR"))
    if remote is None:
        return ""
    networks = _trusted_networks()
    if networks:
        return _by_networks(remote, _forwarded_for(request), networks)
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count > 0:
        return _by_count(remote, _forwarded_for(request), count)
    return remote
