"""Rate limits for the public forms, counted in the cache every process shares.

A limit is a setting: ``RATE_LIMITS = {"join": "6/h/ip,20/d/ip,4/h/email"}``: each rule is
``amount/period/per``; the period is a number (optional) and a unit (s, m, h, d): ``10m`` is ten
minutes; ``per`` is ``ip`` (the client address from ``core.client_ip``, IPv6 grouped by /64),
``email`` (a form field, lower-cased) or ``key`` (given by the view: a quote's token). Every rule
counts every POST; the request passes only when none is over its amount.

Counting: a fixed window per rule (the hour, the day…). A hit claims the first free "slot" of the
window with ``cache.add``: an INSERT on the database cache (the unique key makes it atomic across
processes and servers), SET NX on Redis. ``incr`` would be simpler but is a read-then-write on
Django's database cache, so two processes could both count 5 and let a sixth through.
Identities are HMAC'd with the SECRET_KEY: the cache holds no address nor e-mail.
"""

import functools
import ipaddress
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

from .client_ip import client_ip

CACHE_ALIAS = "default"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RULE = re.compile(r"^(?P<amount>\d+)/(?P<count>\d*)(?P<unit>[smhd])/(?P<per>ip|email|key)$")


@dataclass(frozen=True)
class Rule:
    amount: int
    seconds: int
    per: str


def parse_rules(text: str) -> list[Rule]:
    """``"6/h/ip,4/h/email"`` → rules; a malformed rule is a configuration error, raised."""
    rules = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = RULE.match(part)
        if match is None:
            raise ValueError(f"Invalid rate limit rule {part!r} (expected e.g. 5/h/ip or 3/10m/email).")
        seconds = int(match["count"] or 1) * UNITS[match["unit"]]
        rules.append(Rule(int(match["amount"]), seconds, match["per"]))
    return rules


def rules_for(scope: str) -> list[Rule]:
    return parse_rules(getattr(settings, "RATE_LIMITS", {}).get(scope, ""))


def _ip_identity(request: HttpRequest) -> str:
    """IPv6 clients get a whole /64 each from their provider: count the /64, not the address."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return address


def _claim(scope: str, rule: Rule, identity: str) -> tuple[bool, int]:
    """Take one slot of the rule's current window; (taken, seconds until the window ends)."""
    cache = caches[CACHE_ALIAS]
    now = time.time()
    window = int(now // rule.seconds)
    remaining = max(1, int((window + 1) * rule.seconds - now))
    digest = salted_hmac("ensemble.core.ratelimit", f"{scope}|{rule.per}|{identity}").hexdigest()[:32]
    prefix = f"rl:{scope}:{rule.amount}-{rule.seconds}:{digest}:{window}"
    keys = [f"{prefix}:{slot}" for slot in range(rule.amount)]
    taken = cache.get_many(keys)
    for key in keys:
        # A slot another process takes between the read and the add is simply skipped.
        if key not in taken and cache.add(key, 1, timeout=remaining + 1):
            return True, remaining
    return False, remaining


def hit(request: HttpRequest, scope: str, *, email: str = "", key: str = "") -> int | None:
    """Count this request against every rule of `scope`; None when it may go on, else the seconds
    to wait. Rules whose identity is missing (no e-mail typed) are skipped."""
    identities = {"ip": _ip_identity(request), "email": email.strip().lower(), "key": key}
    wait = 0
    for rule in rules_for(scope):
        identity = identities[rule.per]
        if not identity:
            continue
        taken, remaining = _claim(scope, rule, identity)
        if not taken:
            wait = max(wait, remaining)  # keep counting the other rules: every POST counts
    return wait or None


def too_many_requests(request: HttpRequest, retry_after: int | None = None) -> HttpResponse:
    """The 429 page, in the visitor's language (allauth's refusals use it too: urls.handler429)."""
    response = render(request, "429.html", status=429)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def rate_limited(scope: str, *, email_field: str = "", key_kwarg: str = ""):
    """View decorator: POSTs to the view count against RATE_LIMITS[scope] before anything else
    runs (a tampered token or an invalid form counts too); over the limit → the 429 page.

    On a class-based view: ``@method_decorator(rate_limited("join", email_field="email"),
    name="dispatch")``.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                wait = hit(
                    request,
                    scope,
                    email=request.POST.get(email_field, "") if email_field else "",
                    key=str(kwargs.get(key_kwarg, "")) if key_kwarg else "",
                )
                if wait:
                    return too_many_requests(request, retry_after=wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
