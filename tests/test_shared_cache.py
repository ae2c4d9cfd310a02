"""The cache every process shares (issue 11, item 4): public answers keyed by their office's
content version and the local date, so a change is visible on the next request in every process
while the other offices keep theirs; rate limits, page versions and sessions seen alike by two
cache clients (two processes' worth), on the files and database of one machine and on Redis."""

import datetime
import os
import subprocess
import sys
import time
import urllib.request
import zoneinfo
from contextlib import contextmanager
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX, SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.module_loading import import_string

from ensemble.core import page_cache, ratelimit
from ensemble.core.services import update_office_settings
from ensemble.directory import services as directory_services
from ensemble.events import services as event_services
from ensemble.listings import services as listing_services
from ensemble.memberships import services as membership_services
from ensemble.memberships.models import Membership
from ensemble.privacy.services import erase_person
from ensemble.settings.base import pages_cache_config, shared_cache_config

from .needs import unavailable
from .test_api import office_place
from .test_events import fields as event_fields
from .test_privacy_export_erase import EMAIL, person  # noqa: F401 — the erasure's fixture
from .test_rate_limits import shared_database_url, two_servers

# The suite turns the page cache off (settings.test); these tests turn it on (conftest).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]
ROOT = Path(__file__).resolve().parent.parent
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def museum(office, staff_user):
    return office_place(office, "Musée Sandelin", actor=staff_user, short_description_fr="Beaux-arts.")


@pytest.fixture
def abbey(other_office, other_staff_user):
    return office_place(
        other_office, "Abbaye de Saint-Bertin", actor=other_staff_user, short_description_fr="Ruines."
    )


def page_of(listing) -> str:
    return f"/{listing.office.slug}/fiches/{listing.pk}/"


def build(config: dict):
    """A cache client from a CACHES entry, as each process builds its own."""
    params = {key: value for key, value in config.items() if key not in ("BACKEND", "LOCATION")}
    return import_string(config["BACKEND"])(config["LOCATION"], params)


@contextmanager
def cache_is(alias: str, backend):
    previous = caches[alias]
    caches[alias] = backend
    try:
        yield backend
    finally:
        caches[alias] = previous


def request_for(office, path: str = "/saint-omer/annuaire/"):
    request = RequestFactory().get(path)
    request.office = office
    return request


# --- Exact invalidation ---------------------------------------------------------------------


def test_a_listing_change_is_visible_on_the_next_request_and_other_offices_keep_theirs(
    client, museum, abbey, staff_user, other_office, django_capture_on_commit_callbacks
):
    assert client.get(page_of(museum))["X-Cache"] == "miss"
    assert client.get(page_of(abbey))["X-Cache"] == "miss"
    other_version = page_cache.office_version(other_office.pk)
    version = page_cache.office_version(museum.office_id)

    with django_capture_on_commit_callbacks(execute=True):
        listing_services.edit_listing(
            museum, changes={"short_description_fr": "Peintures flamandes."}, actor=staff_user
        )

    assert page_cache.office_version(museum.office_id) != version
    fresh = client.get(page_of(museum))
    assert fresh["X-Cache"] == "miss" and "Peintures flamandes." in fresh.content.decode()
    assert page_cache.office_version(other_office.pk) == other_version
    assert client.get(page_of(abbey))["X-Cache"] == "hit"  # the other office's answer is untouched


def test_a_withdrawn_listing_is_gone_on_the_next_request(
    client, museum, staff_user, django_capture_on_commit_callbacks
):
    assert client.get(page_of(museum)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.unpublish_listing(museum, reason="Fermé pour travaux.", actor=staff_user)
    assert client.get(page_of(museum)).status_code == 404


def test_the_version_moves_only_when_the_transaction_commits(office, django_capture_on_commit_callbacks):
    before = page_cache.office_version(office.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            page_cache.invalidate_office(office.pk)
            raise RuntimeError("rolled back")
    assert callbacks == [] and page_cache.office_version(office.pk) == before
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page_cache.invalidate_office(office.pk)
    assert page_cache.office_version(office.pk) == before  # not before the commit
    callbacks[0]()
    assert page_cache.office_version(office.pk) != before


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_version_moves_at_once():
    before = page_cache.office_version(7)
    page_cache.invalidate_office(7)
    assert page_cache.office_version(7) != before


def test_a_version_is_a_fresh_random_token_never_reused(office):
    seen = {page_cache.office_version(office.pk)}
    for _ in range(20):
        page_cache.bump_office_version(office.pk)
        seen.add(page_cache.office_version(office.pk))
    assert len(seen) == 21
    # Evicted (culled, Redis under memory pressure): a new token, so no old answer is read.
    caches["pages"].delete(f"pagever:{office.pk}")
    assert page_cache.office_version(office.pk) not in seen


def test_an_evicted_version_makes_every_old_answer_miss(office):
    served = [page_cache.serve(request_for(office), lambda: HttpResponse("Annuaire"))["X-Cache"]]
    served.append(page_cache.serve(request_for(office), lambda: HttpResponse("Annuaire"))["X-Cache"])
    caches["pages"].delete(f"pagever:{office.pk}")
    served.append(page_cache.serve(request_for(office), lambda: HttpResponse("Annuaire"))["X-Cache"])
    assert served == ["miss", "hit", "miss"]


def test_the_local_date_is_in_the_key(client, museum):
    """What is upcoming or available changes at midnight in Saint-Omer, not in UTC."""
    with time_machine.travel(datetime.datetime(2022, 12, 28, 22, 0, tzinfo=PARIS), tick=False):
        assert client.get(page_of(museum))["X-Cache"] == "miss"
        assert page_cache.cache_key(request_for(museum.office)).split(":")[3] == "2022-12-28"
    with time_machine.travel(datetime.datetime(2022, 12, 28, 23, 30, tzinfo=PARIS), tick=False):
        assert client.get(page_of(museum))["X-Cache"] == "hit"
    # 00:30 in Saint-Omer, still 23:30 on the 28th in UTC: a new day all the same.
    with time_machine.travel(datetime.datetime(2022, 12, 29, 0, 30, tzinfo=PARIS), tick=False):
        assert client.get(page_of(museum))["X-Cache"] == "miss"
        assert page_cache.cache_key(request_for(museum.office)).split(":")[3] == "2022-12-29"


def test_a_new_release_renders_again(client, museum, monkeypatch):
    """Answers live for hours: those of the previous code and templates are not served after a
    deploy (the key holds a fingerprint of the code, taken once per process)."""
    assert page_cache.code_version() == page_cache.code_version() != ""
    assert client.get(page_of(museum))["X-Cache"] == "miss"
    assert client.get(page_of(museum))["X-Cache"] == "hit"
    monkeypatch.setattr(page_cache, "code_version", lambda: "nouvelle-version")
    assert client.get(page_of(museum))["X-Cache"] == "miss"


def test_every_office_can_be_invalidated_at_once(office, other_office, django_capture_on_commit_callbacks):
    before = {page_cache.office_version(office.pk), page_cache.office_version(other_office.pk)}
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.invalidate_all_offices()
    after = {page_cache.office_version(office.pk), page_cache.office_version(other_office.pk)}
    assert len(after) == 2 and not before & after


def office_event(office, staff_user):
    event_services.create_office_event(office, actor=staff_user, **event_fields())


def new_category(office, staff_user):
    directory_services.create_category(office, name="Patrimoine", actor=staff_user)


def new_amenity(office, staff_user):
    listing_services.create_amenity(office, group="equipment", names={"fr": "Vestiaire"}, actor=staff_user)


def renamed_office(office, staff_user):
    update_office_settings(office, actor=staff_user, name="Office de Tourisme de la Région de Saint-Omer")


def edited_listing(office, staff_user):
    listing = office_place(office, "Cathédrale", actor=staff_user)
    listing_services.edit_listing(listing, changes={"short_description_fr": "Gothique."}, actor=staff_user)


def suspended_partner(office, staff_user, make_membership):
    membership = make_membership(Membership.Status.ACTIVE)
    membership_services.suspend_membership(membership, actor=staff_user, reason="Fiche non à jour")


@pytest.mark.parametrize(
    "change",
    [office_event, new_category, new_amenity, renamed_office, edited_listing, suspended_partner],
)
def test_each_change_of_what_is_published_gives_the_office_a_new_version(
    change, office, other_office, staff_user, make_membership, django_capture_on_commit_callbacks
):
    """The call sites: events, categories, amenities and the office's details call
    `invalidate_office` themselves; listings, memberships and establishments report through
    `core.publication`, which the page cache listens to."""
    extra = (make_membership,) if change is suspended_partner else ()
    ours, theirs = page_cache.office_version(office.pk), page_cache.office_version(other_office.pk)
    with django_capture_on_commit_callbacks(execute=True):
        change(office, staff_user, *extra)
    assert page_cache.office_version(office.pk) != ours
    assert page_cache.office_version(other_office.pk) == theirs


def test_a_new_office_event_shows_on_the_agenda_at_once(
    client, office, staff_user, django_capture_on_commit_callbacks
):
    agenda = f"/{office.slug}/agenda/"
    assert client.get(agenda)["X-Cache"] == "miss"
    assert client.get(agenda)["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        event_services.create_office_event(
            office, actor=staff_user, **event_fields(title_fr="Feu de la Saint-Jean")
        )
    fresh = client.get(agenda)
    assert fresh["X-Cache"] == "miss" and "Feu de la Saint-Jean" in fresh.content.decode()


# --- One machine: the files of `pages` and the database of `default`, seen by two processes ---------


def test_two_clients_on_one_folder_share_answers_and_versions(tmp_path, office):
    config = pages_cache_config("", tmp_path / "pages")
    first, second = build(config), build(config)
    with cache_is("pages", first):
        assert page_cache.serve(request_for(office), lambda: HttpResponse("A"))["X-Cache"] == "miss"
    with cache_is("pages", second):
        served = page_cache.serve(request_for(office), lambda: HttpResponse("B"))
        assert (served["X-Cache"], served.content) == ("hit", b"A")
        page_cache.bump_office_version(office.pk)
    with cache_is("pages", first):
        assert page_cache.serve(request_for(office), lambda: HttpResponse("C"))["X-Cache"] == "miss"


def test_a_version_bumped_by_another_process_is_seen_here(tmp_path):
    """A real second process (the test settings with their own var/, as a server started by a
    test): it reads the version this process wrote, bumps it, and this process sees the bump."""
    folder = tmp_path / "cache" / "pages"
    ours = build(pages_cache_config("", folder))
    with cache_is("pages", ours):
        page_cache.bump_office_version(42)
        before = page_cache.office_version(42)
        script = (
            "import django; django.setup()\n"
            "from ensemble.core import page_cache\n"
            "print(page_cache.office_version(42)); page_cache.bump_office_version(42)\n"
            "print(page_cache.office_version(42))\n"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ensemble.settings.test",
            "ENSEMBLE_VAR_DIR": str(tmp_path),
        }
        done = subprocess.run(  # noqa: S603 — our interpreter, our code
            [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        seen, bumped = done.stdout.split()
        assert seen == before
        assert bumped != before and page_cache.office_version(42) == bumped


def _get(url: str) -> tuple[str, str]:
    # One host name for both servers, as behind the deployment's proxy (the host is in the key).
    request = urllib.request.Request(url, headers={"Host": "ensemble.example"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — http://127.0.0.1
        return response.headers.get("X-Cache", ""), response.read().decode()


@pytest.mark.django_db(transaction=True)  # the servers must see the office and the listing
def test_two_app_servers_share_answers_and_see_a_change_at_once(tmp_path, monkeypatch, office, staff_user):
    """Two gunicorn processes on one database and one var/ (the folder cache), as one machine
    runs them; the change is made by a third process (`manage.py shell`, as the worker would)."""
    museum = office_place(office, "Musée Sandelin", actor=staff_user)
    listing_services.edit_listing(museum, changes={"short_description_fr": "Beaux-arts."}, actor=staff_user)
    monkeypatch.setenv("PUBLIC_PAGE_CACHE_SECONDS", str(6 * 3600))
    with two_servers(tmp_path) as (first, second):
        url = f"/saint-omer/fiches/{museum.pk}/"
        assert _get(first + url)[0] == "miss"
        cached, html = _get(second + url)
        assert cached == "hit" and "Beaux-arts." in html  # rendered by the first server
        change = (
            "from ensemble.listings import services; from ensemble.listings.models import Listing\n"
            "from ensemble.accounts.models import User\n"
            f"listing, staff = Listing.objects.get(pk={museum.pk}), User.objects.get(pk={staff_user.pk})\n"
            "changes = {'short_description_fr': 'Peintures flamandes.'}\n"
            "services.edit_listing(listing, changes=changes, actor=staff)\n"
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ensemble.settings.test"}
        # The servers' database: SQLite's copy made by two_servers (not copied again), or PostgreSQL's.
        database = f"sqlite:///{tmp_path / 'shared.db'}" if connection.vendor == "sqlite" else None
        env.update(ENSEMBLE_VAR_DIR=str(tmp_path), DATABASE_URL=database or shared_database_url(tmp_path))
        done = subprocess.run(  # noqa: S603 — our interpreter, our manage.py
            [sys.executable, str(ROOT / "manage.py"), "shell", "-c", change],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        cached, html = _get(second + url)
        assert cached == "miss" and "Peintures flamandes." in html
        cached, html = _get(first + url)
        assert cached == "hit" and "Peintures flamandes." in html


def test_two_clients_of_the_shared_cache_count_the_same_limit(settings):
    """`default` as settings build it (the database cache here), two clients: one count."""
    settings.RATE_LIMITS = {"probe": "3/h/ip"}
    first, second = build(shared_cache_config()), build(shared_cache_config())
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
    answers = []
    for backend in (first, second, first, second):
        with cache_is(ratelimit.CACHE_ALIAS, backend):
            answers.append(ratelimit.hit(request, "probe"))
    assert answers[:3] == [None, None, None] and answers[3]


def test_the_folder_stays_bounded_and_keeps_the_versions(tmp_path):
    config = pages_cache_config("", tmp_path)
    config["OPTIONS"] = {"MAX_ENTRIES": 10, "CULL_EVERY": 5}
    cache = build(config)
    cache.set("pagever:1", "jeton", None)
    for n in range(60):
        cache.set(f"page:{n}", b"x" * 100, 3600)
        os.utime(cache._key_to_file(f"page:{n}"), (1_000_000 + n, 1_000_000 + n))  # written in order
    files = list(tmp_path.glob("*.djcache"))
    assert len(files) <= 10 + 5  # culled at each fifth write, past ten entries
    assert cache.get("pagever:1") == "jeton"  # kept without a timeout: never culled
    assert cache.get("page:59") is not None and cache.get("page:0") is None  # the oldest went first


# --- Sessions --------------------------------------------------------------------------------


def test_sessions_live_in_the_shared_cache_and_end_everywhere_at_logout(client, staff_user):
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    client.force_login(staff_user)
    key = client.session.session_key
    assert caches["default"].get(KEY_PREFIX + key)["_auth_user_id"] == str(staff_user.pk)
    # Another app server, with its own client of the same cache, reads it from there.
    Session.objects.filter(session_key=key).update(session_data="")  # the database copy unreadable
    with cache_is("default", build(shared_cache_config())):
        assert SessionStore(key).load()["_auth_user_id"] == str(staff_user.pk)
    assert client.get("/saint-omer/gestion/").status_code == 200  # still logged in, through the cache
    client.logout()
    assert caches["default"].get(KEY_PREFIX + key) is None
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_lost_by_the_cache_is_read_again_from_the_database(client, staff_user):
    client.force_login(staff_user)
    key = client.session.session_key
    caches["default"].delete(KEY_PREFIX + key)  # a Redis restart
    assert client.get("/saint-omer/gestion/").status_code == 200
    assert caches["default"].get(KEY_PREFIX + key)["_auth_user_id"] == str(staff_user.pk)


def test_an_erased_persons_session_leaves_the_cache_too(person, office, staff_user, client):  # noqa: F811
    key = client.session.session_key
    assert caches["default"].get(KEY_PREFIX + key) is not None
    erase_person(office, email=EMAIL, actor=staff_user)
    assert caches["default"].get(KEY_PREFIX + key) is None
    assert not Session.objects.filter(session_key=key).exists()


# --- Redis, when REDIS_URL is set -----------------------------------------------------------


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001 — missing package or no server: the same answer
        unavailable(f"No Redis server answers at {url} (or the redis package is missing)")
    return url


@pytest.fixture
def redis_configs(monkeypatch):
    """The settings' own Redis configurations, each under a prefix of this test alone (clear()
    would flush the whole database)."""
    url = _redis_url()
    monkeypatch.setenv("REDIS_URL", url)
    prefix = f"ensemble-test-{os.getpid()}-{time.time_ns()}"
    default, pages = shared_cache_config(), pages_cache_config(url, Path("unused"))
    assert default["BACKEND"] == pages["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert pages["KEY_PREFIX"] == "pages"
    yield {**default, "KEY_PREFIX": f"{prefix}-default"}, {**pages, "KEY_PREFIX": f"{prefix}-pages"}
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def test_on_redis_two_clients_share_versions_answers_limits_and_sessions(
    redis_configs, settings, office, staff_user
):
    default, pages = redis_configs
    settings.RATE_LIMITS = {"probe": "2/h/ip"}
    one, two = (build(default), build(pages)), (build(default), build(pages))
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
    with cache_is("default", one[0]), cache_is("pages", one[1]):
        page_cache.bump_office_version(office.pk)
        version = page_cache.office_version(office.pk)
        assert page_cache.serve(request_for(office), lambda: HttpResponse("A"))["X-Cache"] == "miss"
        assert ratelimit.hit(request, "probe") is None
        session = SessionStore()
        session["_auth_user_id"] = str(staff_user.pk)
        session.save()
    with cache_is("default", two[0]), cache_is("pages", two[1]):
        assert page_cache.office_version(office.pk) == version
        assert page_cache.serve(request_for(office), lambda: HttpResponse("B")).content == b"A"
        assert ratelimit.hit(request, "probe") is None
        assert ratelimit.hit(request, "probe")  # the third, counted across both clients
        Session.objects.filter(session_key=session.session_key).update(session_data="")
        assert SessionStore(session.session_key).load()["_auth_user_id"] == str(staff_user.pk)
        page_cache.bump_office_version(office.pk)
    with cache_is("default", one[0]), cache_is("pages", one[1]):
        assert page_cache.office_version(office.pk) != version
        assert page_cache.serve(request_for(office), lambda: HttpResponse("C")).content == b"C"
