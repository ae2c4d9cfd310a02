"""Logins and public forms that resist abuse (issue 10, item 4): the real client address behind
trusted proxies, rate limits in the cache every process shares, the join form's honeypot, and the
admin that logs in through allauth (rate limits, second factor) or is not mounted at all."""

import http.cookiejar
import importlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from allauth.account.adapter import get_adapter
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import RequestFactory, override_settings
from django.urls import clear_url_caches
from django.utils import translation

from ensemble.accounts.models import User
from ensemble.billing import services as billing_services
from ensemble.billing.amounts import LineInput
from ensemble.billing.models import Quote
from ensemble.core import ratelimit
from ensemble.core.client_ip import client_ip
from ensemble.core.models import OutboundEmail
from ensemble.directory.models import Organisation
from ensemble.memberships.models import Membership, TermsAcceptance

from .concurrency import require_postgresql, run_in_threads
from .conftest import offer, verified
from .factories import ContactFactory, OrganisationFactory, UserFactory
from .needs import unavailable
from .test_public_join import JOIN_URL, form_data
from .test_staff_mfa import current_code

BASE_DIR = Path(__file__).resolve().parent.parent
PROXY = "10.0.0.5"  # the reverse proxy: REMOTE_ADDR of every request behind it


@pytest.fixture(autouse=True)
def _back_to_french():
    """LocaleMiddleware leaves the last request's language active in the thread."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


def request_from(remote: str = PROXY, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


# --- The real client address --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, None, PROXY),
        (0, "198.51.100.7", PROXY),  # no proxy trusted: the header is the client's own invention
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a spoofed leftmost entry is ignored
        (1, "6.6.6.6,198.51.100.7", "198.51.100.7"),
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),  # client, then our first proxy
        (2, "198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "10.0.0.9", PROXY),  # fewer hops than proxies: nothing can be believed
        (1, "", PROXY),
        (1, "not-an-address", PROXY),  # garbage: falls back to the peer, never raises
        (1, "198.51.100.7, 999.1.1.1", PROXY),
        (1, "2001:DB8:0:0::7", "2001:db8::7"),  # canonical spelling
    ],
)
def test_client_ip_takes_the_nth_address_from_the_right(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from(forwarded=forwarded)) == expected


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (PROXY, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),  # through two of our proxies
        ("203.0.113.50", "198.51.100.7", "203.0.113.50"),  # not through our proxy: header ignored
        (PROXY, "junk, 10.0.0.9", "10.0.0.9"),  # stops at the last address it could check
        (PROXY, None, PROXY),
    ],
)
def test_client_ip_with_a_list_of_trusted_proxies(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request_from(remote, forwarded)) == expected


def test_an_invalid_remote_addr_gives_an_empty_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("unix-socket", "198.51.100.7")) == ""


def test_allauth_counts_the_same_address(settings):
    """allauth's login limits key on its adapter's address: ours, and no ImproperlyConfigured on
    a header shorter than the proxy count (allauth's own reading raises there)."""
    settings.TRUSTED_PROXY_COUNT = 2
    assert get_adapter().get_client_ip(request_from(forwarded="6.6.6.6, 198.51.100.7, 10.0.0.9")) == (
        "198.51.100.7"
    )
    assert get_adapter().get_client_ip(request_from(forwarded="198.51.100.7")) == PROXY


# --- The rate-limit helper ----------------------------------------------------------------------


def test_rules_are_parsed_and_bad_ones_refused():
    assert ratelimit.parse_rules("6/h/ip, 20/d/ip,4/10m/email,3/30s/key") == [
        ratelimit.Rule(6, 3600, "ip"),
        ratelimit.Rule(20, 86400, "ip"),
        ratelimit.Rule(4, 600, "email"),
        ratelimit.Rule(3, 30, "key"),
    ]
    for bad in ("6/h", "six/h/ip", "6/w/ip", "6/h/user"):
        with pytest.raises(ValueError, match="Invalid rate limit rule"):
            ratelimit.parse_rules(bad)


def test_configured_limits_parse():
    for scope in django_settings.RATE_LIMITS:
        assert ratelimit.rules_for(scope)


def test_the_cache_holds_neither_address_nor_email(settings, db):
    settings.RATE_LIMITS = {"probe": "2/h/ip,2/h/email"}
    request = request_from(remote="198.51.100.7")
    assert ratelimit.hit(request, "probe", email="Louise@Table-Marais.example") is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM ensemble_cache")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert "rl:probe:" in stored
    assert "198.51.100.7" not in stored and "table-marais" not in stored.lower()


def test_two_cache_instances_on_one_table_share_the_count(settings, db):
    """Two DatabaseCache objects (as two processes build them) see each other's slots; the real
    two-process proof is test_the_limit_holds_across_two_server_processes."""
    settings.RATE_LIMITS = {"probe": "3/h/ip"}
    request = request_from(remote="198.51.100.7")
    first = DatabaseCache("ensemble_cache", {})
    second = DatabaseCache("ensemble_cache", {})
    answers = []
    for backend in (first, second, first, second, first):
        with _cache_is(backend):
            answers.append(ratelimit.hit(request, "probe"))
    assert answers[:3] == [None, None, None]
    assert answers[3] and answers[4]  # seconds to wait, whichever instance counts


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # threads only see committed rows
def test_simultaneous_hits_take_no_more_than_the_limit(settings):
    """Eight requests at the same instant against a limit of 3: exactly 3 pass (a slot is an
    INSERT under a unique key; a read-then-write counter would let several read the same count)."""
    require_postgresql()
    settings.RATE_LIMITS = {"probe": "3/h/ip"}
    connection.close()
    try:
        results = run_in_threads(8, lambda: ratelimit.hit(request_from(remote="198.51.100.7"), "probe"))
        assert sum(result is None for result in results) == 3
    finally:
        caches["default"].clear()  # committed rows: leave none for the next tests


@contextmanager
def _cache_is(backend):
    alias = ratelimit.CACHE_ALIAS
    previous = caches[alias]
    caches[alias] = backend
    try:
        yield
    finally:
        caches[alias] = previous


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis
    except ImportError:
        return None
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        return None
    return url


def test_the_limit_on_redis(settings):
    url = _redis_url()
    if url is None:
        unavailable("No Redis server answers (REDIS_URL or 127.0.0.1:6379) or the redis package is missing")
    from django.core.cache.backends.redis import RedisCache

    prefix = f"ensemble-test-{os.getpid()}-{time.time_ns()}"
    backend = RedisCache(url, {"KEY_PREFIX": prefix})
    settings.RATE_LIMITS = {"probe": "2/h/ip"}
    request = request_from(remote="198.51.100.7")
    with _cache_is(backend):
        assert [ratelimit.hit(request, "probe") for _ in range(3)][:2] == [None, None]
        assert ratelimit.hit(request, "probe")
        assert ratelimit.hit(request_from(remote="198.51.100.8"), "probe") is None
    import redis

    client = redis.Redis.from_url(url)
    client.delete(*client.scan_iter(f"{prefix}*"))  # ours only: clear() would flush the database


# --- The join form ------------------------------------------------------------------------------


def join_post(client, season, client_address: str, **overrides):
    """A join form POST from `client_address`, arriving through our proxy."""
    data = form_data(client, season, **overrides)
    return client.post(JOIN_URL, data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_address}")


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = []
    return settings


def test_join_is_throttled_per_client_address_behind_the_proxy(client, season, behind_proxy):
    behind_proxy.RATE_LIMITS = {"join": "3/h/ip,50/h/email"}
    for n in range(3):  # invalid forms count too: every POST counts
        response = join_post(client, season, "198.51.100.7", email=f"a{n}@x.example", siret="1")
        assert response.status_code == 200
    before = Membership.objects.count()
    response = join_post(client, season, "198.51.100.7", email="fourth@x.example")
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert response["Retry-After"].isdigit()
    assert Membership.objects.count() == before and not mail.outbox
    # Another visitor behind the same proxy (same REMOTE_ADDR) is not locked out.
    response = join_post(client, season, "198.51.100.8", email="other@x.example")
    assert response.status_code == 302
    assert Membership.objects.count() == before + 1


def test_join_is_throttled_per_email_across_addresses(client, season, behind_proxy):
    behind_proxy.RATE_LIMITS = {"join": "50/h/ip,2/h/email"}
    for n in range(2):
        response = join_post(client, season, f"198.51.100.{n + 1}", email="Cible@Victime.example", siret="1")
        assert response.status_code == 200
    response = join_post(client, season, "198.51.100.99", email="cible@victime.example ")
    assert response.status_code == 429
    assert not mail.outbox


def test_the_default_join_limit_stops_eight_in_a_row(client, season):
    """The issue's report: 8 submissions in a row from one address made 8 accounts."""
    statuses = []
    for n in range(8):
        data = form_data(client, season, email=f"stranger{n}@elsewhere.example")
        statuses.append(client.post(JOIN_URL, data).status_code)
    allowed = min(rule.amount for rule in ratelimit.rules_for("join") if rule.per == "ip")
    assert statuses == [302] * allowed + [429] * (8 - allowed)
    assert Membership.objects.count() == allowed < 8


def test_the_429_page_speaks_the_visitors_language(client, season, settings):
    settings.RATE_LIMITS = {"join": "1/h/ip"}
    client.post(JOIN_URL, {})
    french = client.post(JOIN_URL, {})
    assert french.status_code == 429
    assert '<html lang="fr">' in french.content.decode()
    assert "Vous avez envoyé trop de demandes" in french.content.decode()
    english = client.post(JOIN_URL, {}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429
    html = english.content.decode()
    assert '<html lang="en">' in html
    assert "You have sent too many requests" in html and "Trop de tentatives" not in html


def test_the_honeypot_refuses_and_writes_nothing(client, season):
    counts = (User.objects.count(), Organisation.objects.count(), OutboundEmail.objects.count())
    response = client.post(JOIN_URL, form_data(client, season, website="http://spam.example"))
    assert response.status_code == 200
    assert "doit rester vide" in response.content.decode()
    assert (User.objects.count(), Organisation.objects.count(), OutboundEmail.objects.count()) == counts
    assert not Membership.objects.exists() and not mail.outbox


def test_the_honeypot_is_hidden_from_people(client, season):
    html = client.get(JOIN_URL).content.decode()
    block = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', html, re.S)
    assert block, "the honeypot sits in a visually hidden, aria-hidden block"
    assert 'name="website"' in block[1] and 'tabindex="-1"' in block[1]
    assert "Laissez ce champ vide" in block[1]


def test_the_evidence_stores_the_client_address_not_the_proxys(client, season, behind_proxy):
    response = join_post(client, season, "198.51.100.7")
    assert response.status_code == 302
    addresses = set(TermsAcceptance.objects.values_list("ip_address", flat=True))
    assert addresses == {"198.51.100.7"}


# --- Quote links and Balad'Enigm ----------------------------------------------------------------


def make_sent_quote(office, season, staff_user, name: str) -> Quote:
    organisation = OrganisationFactory(office=office, name=name)
    ContactFactory(organisation=organisation)
    line = LineInput(
        label="Pack événementiel",
        quantity=Decimal(1),
        vat_rate=Decimal(20),
        unit_price_ttc=Decimal("600.00"),
        offer_id=offer(season, "evenementiel").pk,
    )
    quote = billing_services.create_quote_draft(organisation, lines=[line], actor=staff_user)
    return billing_services.send_quote(quote, actor=staff_user)


def quote_url(quote) -> str:
    return f"/{quote.office.slug}/devis/{billing_services.quote_token(quote)}/"


def test_quote_decisions_are_throttled_per_quote_and_per_address(
    client, office, season, staff_user, behind_proxy
):
    behind_proxy.RATE_LIMITS = {"quote_decision": "3/h/ip,2/h/key"}
    quote = make_sent_quote(office, season, staff_user, "EURL La Grange aux Étoiles")
    other = make_sent_quote(office, season, staff_user, "SARL Les Jardins d'Arques")

    def post(url, address, action="?"):
        return client.post(
            url, {"action": action}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address
        ).status_code

    # Per quote: two addresses use its two tries; a third address is refused.
    assert [post(quote_url(quote), "198.51.100.1"), post(quote_url(quote), "198.51.100.2")] == [302, 302]
    assert post(quote_url(quote), "198.51.100.3", action="accept") == 429
    quote.refresh_from_db()
    assert quote.state == Quote.State.SENT  # the refused accept changed nothing
    # Per address: 198.51.100.1's second and third tries pass (a forged token counts too: the
    # limit is checked before the token), its fourth is refused whatever the quote.
    assert post(quote_url(other), "198.51.100.1") == 302
    assert post(f"/{office.slug}/devis/forged/", "198.51.100.1") == 400
    assert post(quote_url(other), "198.51.100.1", action="accept") == 429
    other.refresh_from_db()
    assert other.state == Quote.State.SENT


def test_quote_decision_evidence_is_the_client_address(client, office, season, staff_user, behind_proxy):
    quote = make_sent_quote(office, season, staff_user, "EURL La Grange aux Étoiles")
    client.post(
        quote_url(quote), {"action": "accept"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    quote.refresh_from_db()
    assert quote.state == Quote.State.ACCEPTED
    assert quote.decided_ip == "198.51.100.7"


def test_gift_code_checks_are_throttled_per_address(client, office, settings):
    settings.RATE_LIMITS = {"gift_code": "3/h/ip"}
    url = f"/{office.slug}/balad-enigm/"
    statuses = [client.post(url, {"code": f"ABCDE-FGHJ{n}"}).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.post(url, {"code": "ABCDE-FGHJK"}, REMOTE_ADDR="198.51.100.8").status_code == 200


# --- allauth's limits and the admin -------------------------------------------------------------

ADMIN_EMAIL = "technique@ensemble.example"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def admin_with_totp(db):
    user = verified(UserFactory(email=ADMIN_EMAIL, is_staff=True, is_superuser=True))
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def test_the_admin_login_goes_through_allauth_and_asks_for_the_code(client, admin_with_totp):
    user, secret = admin_with_totp
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])  # /admin/login/?next=/admin/
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith("/comptes/login/")
    # Posting straight to the admin's own form logs nobody in.
    response = client.post("/admin/login/", {"username": ADMIN_EMAIL, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/comptes/login/")
    assert "_auth_user_id" not in client.session
    # The right password alone: the second step, and no admin yet.
    response = client.post(login_url, {"login": ADMIN_EMAIL, "password": PASSWORD})
    assert response["Location"] == "/comptes/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    # With the code: the admin.
    response = client.post("/comptes/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/admin/").status_code == 200


def test_wrong_admin_passwords_are_throttled(client, admin_with_totp):
    attempts = ratelimit.parse_rules(django_settings.ACCOUNT_RATE_LIMITS["login_failed"])
    per_account = next(rule.amount for rule in attempts if rule.per == "key")
    for _ in range(per_account):
        response = client.post("/comptes/login/", {"login": ADMIN_EMAIL, "password": "wrong"})
        assert response.status_code == 200
    # Then even the right password is refused for a while, before any second step.
    response = client.post("/comptes/login/", {"login": ADMIN_EMAIL, "password": PASSWORD})
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert "_auth_user_id" not in client.session and "2fa" not in response.get("Location", "")
    # Every login POST counts per address (per_account + 1 so far): past the limit, the 429 page.
    per_address = ratelimit.parse_rules(django_settings.ACCOUNT_RATE_LIMITS["login"])[0].amount
    statuses = [
        client.post("/comptes/login/", {"login": f"x{n}@example.org", "password": "wrong"}).status_code
        for n in range(per_address - per_account)
    ]
    assert statuses == [200] * (per_address - per_account - 1) + [429]
    response = client.post("/comptes/login/", {"login": ADMIN_EMAIL, "password": PASSWORD})
    assert response.status_code == 429
    assert "Vous avez envoyé trop de demandes" in response.content.decode()  # our page, in French


def test_password_reset_requests_are_throttled_per_email(client, admin_with_totp):
    per_email = next(
        rule.amount
        for rule in ratelimit.parse_rules(django_settings.ACCOUNT_RATE_LIMITS["reset_password"])
        if rule.per == "key"
    )
    for n in range(per_email + 1):
        client.post("/comptes/password/reset/", {"email": ADMIN_EMAIL}, REMOTE_ADDR=f"198.51.100.{n + 1}")
    assert len(mail.outbox) == per_email


def _reload_urls():
    clear_url_caches()
    importlib.reload(sys.modules[django_settings.ROOT_URLCONF])


def test_admin_disabled_is_not_mounted(client, admin_with_totp):
    try:
        with override_settings(ADMIN_ENABLED=False):
            _reload_urls()
            assert client.get("/admin/").status_code == 404
            assert client.get("/admin/login/").status_code == 404
    finally:
        _reload_urls()
    assert client.get("/admin/").status_code == 302  # mounted again with the test settings


def test_production_settings_leave_the_admin_off():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ensemble.settings.production",
        "SECRET_KEY": "x" * 60,
    }
    env.pop("ADMIN_ENABLED", None)
    code = "import django; django.setup(); from django.conf import settings; print(settings.ADMIN_ENABLED)"
    out = subprocess.run(  # noqa: S603 — our own interpreter, fixed arguments
        [sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# --- Two real server processes, one limit -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """One visitor (cookies kept) behind our proxy, talking to whichever server it is given."""

    def __init__(self, forwarded_for: str):
        self.forwarded_for = forwarded_for
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        self.token = ""

    def open(self, url: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.token}).encode() if data else None
        # One host name, as behind the deployment's proxy (allauth's per-account key includes it).
        headers = {"X-Forwarded-For": self.forwarded_for, "Host": "ensemble.example"}
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 — http://127.0.0.1
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def start(self, server: str) -> None:
        status, html = self.open(f"{server}/comptes/login/")
        assert status == 200, html[:500]
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def shared_database_url(tmp_path) -> str:
    """The test database, for the servers: PostgreSQL's as it is; SQLite's (in memory) copied to
    a file, which both servers then open (migrated, cache table included, the test's rows in)."""
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user = urllib.parse.quote(settings_dict["USER"] or "")
        password = urllib.parse.quote(settings_dict["PASSWORD"] or "")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
        return f"postgres://{credentials}{host}/{settings_dict['NAME']}"
    path = tmp_path / "shared.db"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    return f"sqlite:///{path}"


@contextmanager
def two_servers(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ensemble.settings.test",
        "ENSEMBLE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": shared_database_url(tmp_path),
        "TRUSTED_PROXY_COUNT": "1",
        "TRUSTED_PROXIES": "",
        "PYTHONPATH": str(BASE_DIR),
    }
    env.pop("REDIS_URL", None)  # the database cache, the default
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(  # noqa: S603 — our own interpreter, fixed arguments
            [sys.executable, "-m", "gunicorn", "ensemble.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"],
            env=env,
            cwd=BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            _wait_until_up(url)
        yield urls
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
        caches["default"].clear()  # on PostgreSQL the servers counted in the test database


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)  # the servers must see the office and the login
def test_the_limit_holds_across_two_server_processes(tmp_path, office):
    """Two gunicorn processes on one database: a visitor alternating between them is counted once
    (with a per-process cache they would each allow the full amount). The address comes from
    X-Forwarded-For through TRUSTED_PROXY_COUNT=1, so a second visitor is not locked out."""
    join_limit = min(rule.amount for rule in ratelimit.rules_for("join") if rule.per == "ip")
    failed = next(
        rule.amount
        for rule in ratelimit.parse_rules(django_settings.ACCOUNT_RATE_LIMITS["login_failed"])
        if rule.per == "key"
    )
    verified(UserFactory(email="camille@moulin.example"))
    with two_servers(tmp_path) as servers:
        visitor = Browser("6.6.6.6, 198.51.100.7")  # a spoofed leftmost entry changes nothing
        visitor.start(servers[0])
        statuses = []
        for n in range(join_limit + 1):
            status, _html = visitor.open(
                f"{servers[n % 2]}/saint-omer/adherer/", {"email": f"stranger{n}@elsewhere.example"}
            )
            statuses.append(status)
        assert statuses == [200] * join_limit + [429]
        assert visitor.open(f"{servers[1]}/saint-omer/adherer/", {"email": "x@y.example"})[0] == 429
        other = Browser("198.51.100.8")
        other.start(servers[1])
        assert other.open(f"{servers[0]}/saint-omer/adherer/", {"email": "z@y.example"})[0] == 200

        # allauth's failed-login limit per account, counted by both processes together.
        for n in range(failed):
            status, _html = other.open(
                f"{servers[n % 2]}/comptes/login/", {"login": "camille@moulin.example", "password": "wrong"}
            )
            assert status == 200
        status, html = other.open(
            f"{servers[failed % 2]}/comptes/login/", {"login": "camille@moulin.example", "password": "wrong"}
        )
        assert "Trop de tentatives de connexion" in html
