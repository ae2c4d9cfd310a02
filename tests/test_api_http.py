"""HTTP of the open-data API: conditional requests (ETag, Last-Modified, 304; garbage validators
ignored, never a 500), HEAD, and CORS for the origins the office lists (and only those), with
its settings field."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils.http import http_date

from ensemble.core.errors import EnsembleError
from ensemble.core.models import Office
from ensemble.core.services import update_office_settings
from ensemble.listings import services as listing_services

from .factories import StaffFactory, UserFactory
from .test_api import API, office_place

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SITE = "https://www.tourisme-saintomer.example"


@pytest.fixture
def listing(office, staff_user):
    with time_machine.travel(datetime.datetime(2022, 12, 20, 9, tzinfo=PARIS), tick=False):
        return office_place(
            office, "Musée de l'Hôtel Sandelin", actor=staff_user, short_description_fr="Beaux-arts."
        )


@pytest.fixture
def allowed(office):
    Office.objects.filter(pk=office.pk).update(api_allowed_origins=f"{SITE}\nhttp://localhost:8080")


URLS = [
    "/listings",
    "/listings/{id}",
    "/events",
    "/categories",
    "/amenities",
    "/datatourisme/listings",
    "/datatourisme/listings/{id}.jsonld",
    "/openapi.json",
]


@pytest.mark.parametrize("path", URLS)
def test_every_answer_has_a_strong_etag_and_a_304(client, listing, path):
    url = API + path.format(id=listing.pk)
    response = client.get(url)
    assert response.status_code == 200
    etag = response["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": f'"autre", {etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"autre"'}).status_code == 200


def test_a_change_changes_the_etag(client, listing, staff_user):
    url = f"{API}/listings/{listing.pk}"
    etag = client.get(url)["ETag"]
    listing_services.edit_listing(
        listing, changes={"short_description_fr": "Beaux-arts et faïences."}, actor=staff_user
    )
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response.json()["short_description"]["fr"] == "Beaux-arts et faïences."


def test_last_modified_and_if_modified_since(client, listing, staff_user):
    url = f"{API}/listings/{listing.pk}"
    with time_machine.travel(datetime.datetime(2022, 12, 28, 10, tzinfo=PARIS), tick=False):
        response = client.get(url)
        # The latest of the listing's changes (its category's included) and today's midnight.
        midnight = datetime.datetime(2022, 12, 28, tzinfo=PARIS)
        latest = max(listing.updated_at, listing.establishment.category.updated_at, midnight)
        assert response["Last-Modified"] == http_date(latest.timestamp())
        assert client.get(url, headers={"If-Modified-Since": response["Last-Modified"]}).status_code == 304
        earlier = http_date(datetime.datetime(2022, 12, 27, 12, tzinfo=PARIS).timestamp())
        assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    with time_machine.travel(datetime.datetime(2022, 12, 28, 15, tzinfo=PARIS), tick=False):
        listing_services.edit_listing(listing, changes={"short_description_fr": "Rouvert."}, actor=staff_user)
        assert client.get(url, headers={"If-Modified-Since": response["Last-Modified"]}).status_code == 200


def test_a_withdrawal_moves_the_lists_last_modified(client, listing, office, staff_user):
    other = office_place(office, "Beffroi", actor=staff_user)
    with time_machine.travel(datetime.datetime(2022, 12, 28, 10, tzinfo=PARIS), tick=False):
        stamp = client.get(f"{API}/listings")["Last-Modified"]
    with time_machine.travel(datetime.datetime(2022, 12, 28, 16, tzinfo=PARIS), tick=False):
        listing_services.unpublish_listing(other, reason="Travaux.", actor=staff_user, notify=False)
        response = client.get(f"{API}/listings", headers={"If-Modified-Since": stamp})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [listing.pk]


@pytest.mark.parametrize(
    "headers",
    [
        {"If-None-Match": "n'importe quoi"},
        {"If-None-Match": '"'},
        {"If-None-Match": "W/"},
        {"If-None-Match": ",,,"},
        {"If-None-Match": "\x00\x01"},
        {"If-Modified-Since": "hier"},
        {"If-Modified-Since": "Mon, 99 Foo 2022 99:99:99 GMT"},
        {"If-Modified-Since": "Fri, 31 Dec 9999 23:59:59 GMT"},  # in the future: not a validator
        {"If-Modified-Since": ""},
        {"If-None-Match": "garbage", "If-Modified-Since": "garbage"},
    ],
)
def test_garbage_validators_are_ignored(client, listing, headers):
    response = client.get(f"{API}/listings/{listing.pk}", headers=headers)
    assert response.status_code == 200
    assert response.json()["id"] == listing.pk


def test_head_answers_the_headers_without_the_body(client, listing):
    got = client.get(f"{API}/listings")
    head = client.head(f"{API}/listings")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == got["ETag"]
    assert head["Content-Length"] == str(len(got.content))


# ---- CORS -------------------------------------------------------------------------------------


def test_cors_echoes_only_the_offices_origins(client, listing, allowed):
    url = f"{API}/listings"
    response = client.get(url, headers={"Origin": SITE})
    assert response["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in response["Vary"]
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response
    assert (
        client.get(url, headers={"Origin": "http://localhost:8080"})["Access-Control-Allow-Origin"]
        == "http://localhost:8080"
    )
    for stranger in (
        "https://evil.example",
        f"{SITE}.evil.example",
        "http://www.tourisme-saintomer.example",
        "null",
    ):
        refused = client.get(url, headers={"Origin": stranger})
        assert refused.status_code == 200
        assert "Access-Control-Allow-Origin" not in refused
        assert "Origin" in refused["Vary"]
    assert not response.cookies


def test_cors_on_errors_and_304(client, listing, allowed):
    missing = client.get(f"{API}/listings/987654", headers={"Origin": SITE})
    assert missing.status_code == 404 and missing["Access-Control-Allow-Origin"] == SITE
    etag = client.get(f"{API}/listings")["ETag"]
    not_modified = client.get(f"{API}/listings", headers={"Origin": SITE, "If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified["Access-Control-Allow-Origin"] == SITE


def test_preflight(client, listing, allowed):
    url = f"{API}/listings/{listing.pk}"
    response = client.options(
        url,
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match, X-Secret",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == SITE
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "if-none-match"
    assert int(response["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in response
    refused = client.options(
        url, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert refused.status_code == 204
    assert "Access-Control-Allow-Origin" not in refused and "Access-Control-Allow-Methods" not in refused


def test_another_offices_origins_do_not_count(client, listing, other_office):
    Office.objects.filter(pk=other_office.pk).update(api_allowed_origins=SITE)
    assert "Access-Control-Allow-Origin" not in client.get(f"{API}/listings", headers={"Origin": SITE})
    assert (
        client.get("/aire-sur-la-lys/api/v1/listings", headers={"Origin": SITE})[
            "Access-Control-Allow-Origin"
        ]
        == SITE
    )


# ---- the office's setting ---------------------------------------------------------------------


def test_origins_are_checked_and_normalised(office, staff_user):
    changed = update_office_settings(
        office,
        actor=staff_user,
        api_allowed_origins=f" HTTPS://Www.Tourisme-SaintOmer.example/ \n\n{SITE}\nhttp://localhost:8080",
    )
    assert changed == ["api_allowed_origins"]
    office.refresh_from_db()
    assert office.api_allowed_origins == f"{SITE}\nhttp://localhost:8080"
    assert office.api_origins == {SITE, "http://localhost:8080"}


@pytest.mark.parametrize(
    "value",
    [
        "https://www.exemple.fr/chemin",
        "www.exemple.fr",
        "ftp://exemple.fr",
        "https://exemple.fr:99999",
        "https://exe mple.fr",
        "https://*.exemple.fr",
    ],
)
def test_bad_origins_are_refused(office, staff_user, value):
    with pytest.raises(EnsembleError) as info:
        update_office_settings(office, actor=staff_user, api_allowed_origins=f"{SITE}\n{value}")
    assert info.value.field == "api_allowed_origins"
    assert info.value.message.startswith("Origine invalide : « ")
    assert "une origine par ligne" in info.value.message
    office.refresh_from_db()
    assert office.api_allowed_origins == ""


def test_a_manager_sets_the_origins_on_the_settings_page(client, office):
    manager = StaffFactory(office=office, user=UserFactory(email="direction@saint-omer.example")).user
    client.force_login(manager)
    url = reverse("backoffice:settings", kwargs={"office_slug": office.slug})
    page = client.get(url)
    assert 'name="office-api_allowed_origins"' in page.content.decode()
    data = {
        f"office-{name}": value
        for name, value in page.context["office_form"].initial.items()
        if value is not None
    }
    data.update({"section": "office", "office-api_allowed_origins": "https://www.exemple.fr/chemin"})
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Origine invalide : « https://www.exemple.fr/chemin »" in refused.content.decode()
    data["office-api_allowed_origins"] = f"{SITE}/"
    assert client.post(url, data).status_code == 302
    office.refresh_from_db()
    assert office.api_allowed_origins == SITE


def test_errors_are_french_whatever_the_client_asks(client, office):
    response = client.get(f"{API}/listings?category=volcans", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Catégorie inconnue : « volcans »."}


@pytest.mark.parametrize(
    "query",
    [
        "q=caf%00e",
        "town=Saint%00Omer",
        "category=%00",
        "amenity=%00",
        "since=2022%00-01-01",
        "cursor=WyJrIiwiXHUwMDAwIiwxXQ",
    ],
)
def test_nul_characters_never_reach_the_database(client, listing, query):
    # PostgreSQL refuses NUL in any text: stripped from the parameters, refused in a cursor.
    response = client.get(f"{API}/listings?{query}")
    assert response.status_code in (200, 400)
    assert response["Content-Type"].startswith("application/json")
