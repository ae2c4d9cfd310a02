"""The cache of the public pages and API answers (core.page_cache): a second visit is served
without rendering again, visibility is still counted at each visit, a change shows on the next
request (tests/test_shared_cache.py tests the versions and the sharing), and nothing of one
visitor's answer (304, CORS, cookies) reaches another."""

import datetime

import pytest
import time_machine
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ensemble.core import page_cache
from ensemble.listings import services as listing_services
from ensemble.stats.models import VisibilityCount

from .test_api import API, office_place

# The suite turns the page cache off (settings.test); these tests turn it on (conftest).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]
BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"}


@pytest.fixture
def museum(office, staff_user):
    return office_place(
        office, "Musée de l'Hôtel Sandelin", actor=staff_user, short_description_fr="Beaux-arts."
    )


def queries_of(client, url: str, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def counted(listing, kind) -> int:
    row = VisibilityCount.objects.filter(listing=listing, kind=kind).first()
    return row.count if row else 0


def redescribe(listing, staff_user) -> None:
    listing_services.edit_listing(
        listing, changes={"short_description_fr": "Peintures flamandes."}, actor=staff_user
    )


def page_url(listing) -> str:
    return f"/saint-omer/fiches/{listing.pk}/"


def test_a_second_visit_is_served_from_the_cache_and_still_counted(client, museum):
    first, rendered = queries_of(client, page_url(museum), **BROWSER)
    second, served = queries_of(client, page_url(museum), **BROWSER)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    # The office's lookups and the counter's upsert: no page queries on the second visit.
    assert served < rendered
    assert served <= 3
    assert counted(museum, VisibilityCount.Kind.PAGE_VIEW) == 2


def test_robots_served_from_the_cache_are_not_counted(client, museum):
    client.get(page_url(museum), **BROWSER)
    client.get(page_url(museum), HTTP_USER_AGENT="Googlebot/2.1")
    client.head(page_url(museum), **BROWSER)
    assert counted(museum, VisibilityCount.Kind.PAGE_VIEW) == 1


def test_a_change_shows_on_the_next_request(client, museum, staff_user, django_capture_on_commit_callbacks):
    assert "Beaux-arts." in client.get(page_url(museum)).content.decode()
    assert client.get(page_url(museum))["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        redescribe(museum, staff_user)
    again = client.get(page_url(museum))
    assert again["X-Cache"] == "miss"
    assert "Peintures flamandes." in again.content.decode()


def test_until_the_change_commits_the_cached_copy_is_served(client, museum, staff_user):
    """The test's transaction never commits: no new version, the copy still holds."""
    client.get(page_url(museum))
    redescribe(museum, staff_user)
    assert "Beaux-arts." in client.get(page_url(museum)).content.decode()


def test_an_answer_expires_after_the_setting(client, museum, settings):
    client.get(page_url(museum))
    with time_machine.travel(datetime.timedelta(seconds=settings.PUBLIC_PAGE_CACHE_SECONDS - 60)):
        assert client.get(page_url(museum))["X-Cache"] == "hit"
    with time_machine.travel(datetime.timedelta(seconds=settings.PUBLIC_PAGE_CACHE_SECONDS + 1)):
        assert client.get(page_url(museum))["X-Cache"] == "miss"


def test_a_logged_in_visitor_is_neither_served_nor_stored(client, museum, staff_user):
    client.get(page_url(museum))
    listing_services.edit_listing(
        museum, changes={"short_description_fr": "Peintures flamandes."}, actor=staff_user
    )
    client.force_login(staff_user)
    assert "Peintures flamandes." in client.get(page_url(museum)).content.decode()
    client.logout()
    # The cached copy (the edit's commit never comes in this test, so its version holds).
    assert "Beaux-arts." in client.get(page_url(museum)).content.decode()


def test_answers_other_than_200_are_not_kept(client, museum, staff_user):
    listing_services.unpublish_listing(museum, reason="Fermé pour travaux.", actor=staff_user)
    assert client.get(page_url(museum)).status_code == 404
    listing_services.republish_listing(museum, actor=staff_user)
    assert client.get(page_url(museum)).status_code == 200


def test_each_language_has_its_own_copy(client, museum):
    french = client.get("/saint-omer/annuaire/", HTTP_ACCEPT_LANGUAGE="fr")
    english = client.get("/saint-omer/annuaire/", HTTP_ACCEPT_LANGUAGE="en")
    assert french.content != english.content
    assert client.get("/saint-omer/annuaire/", HTTP_ACCEPT_LANGUAGE="en").content == english.content


def test_the_api_answers_conditionally_and_with_cors_from_the_cache(client, museum, office):
    office.api_allowed_origins = "https://www.tourisme-saintomer.example"
    office.save()
    url = f"{API}/listings/{museum.pk}"
    first = client.get(url)
    etag = first["ETag"]
    second, served = queries_of(client, url, HTTP_ORIGIN="https://www.tourisme-saintomer.example")
    assert second.status_code == 200 and second.content == first.content
    assert second["Access-Control-Allow-Origin"] == "https://www.tourisme-saintomer.example"
    assert served <= 3
    stranger = client.get(url, HTTP_ORIGIN="https://ailleurs.example")
    assert "Access-Control-Allow-Origin" not in stranger
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert counted(museum, VisibilityCount.Kind.API_IMPRESSION) == 4


def test_the_cached_widget_can_still_be_framed(client, museum, office):
    url = f"/{office.slug}/widget/?type=listings"
    client.get(url, **BROWSER)
    again = client.get(url, **BROWSER)
    assert "X-Frame-Options" not in again
    assert counted(museum, VisibilityCount.Kind.WIDGET_IMPRESSION) == 2


def test_nothing_is_cached_when_the_setting_is_zero(client, museum, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    _, first = queries_of(client, page_url(museum))
    _, second = queries_of(client, page_url(museum))
    assert second == first


def office_request(rf, office, path="/saint-omer/annuaire/"):
    request = rf.get(path)
    request.office = office  # as the office middleware sets it
    return request


def test_a_page_holding_a_form_token_is_not_kept(rf, office):
    """A CSRF token is tied to one visitor's cookie: such a page must not reach another."""
    renders = []

    def render():
        renders.append(get_token(request))
        return HttpResponse(f"<input value='{renders[-1]}'>")

    for _ in range(2):
        request = office_request(rf, office)
        page_cache.serve(request, render)
    assert len(renders) == 2
    plain = [page_cache.serve(office_request(rf, office), lambda: HttpResponse("ok")) for _ in range(2)]
    assert [r["X-Cache"] for r in plain] == ["miss", "hit"]  # the control: the same page, no token


def test_a_request_without_an_office_is_not_kept(rf):
    """No office, no content version to key the answer by."""
    answers = [page_cache.serve(rf.get("/"), lambda: HttpResponse("ok")) for _ in range(2)]
    assert ["X-Cache" in answer for answer in answers] == [False, False]


def test_the_language_menu_needs_no_form_token(museum):
    client = Client(enforce_csrf_checks=True)
    page = client.get(page_url(museum), **BROWSER)
    assert b"csrfmiddlewaretoken" not in page.content
    response = client.post("/i18n/setlang/", {"language": "nl", "next": page_url(museum)})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "nl"


def test_a_visitor_with_a_waiting_message_is_neither_served_nor_stored(client, museum):
    client.cookies[CookieStorage.cookie_name] = "un message en attente"
    assert "X-Cache" not in client.get(page_url(museum))
    del client.cookies[CookieStorage.cookie_name]
    assert client.get(page_url(museum))["X-Cache"] == "miss"  # nothing was kept


def test_a_page_showing_a_message_is_not_kept(rf, office):
    """A flash message is one visitor's (« Vous êtes déconnecté. »): never served to others."""
    request = office_request(rf, office)
    request._messages = CookieStorage(request)
    messages.info(request, "Vous êtes déconnecté.")
    page_cache.serve(request, lambda: HttpResponse("".join(str(m) for m in request._messages)))
    other = page_cache.serve(office_request(rf, office), lambda: HttpResponse("Annuaire"))
    assert other.content == b"Annuaire"
    assert other["X-Cache"] == "miss"
