"""The API's OpenAPI 3 schema: served, valid against the OpenAPI meta-schema, and the API fuzzed
from it with schemathesis (positive and negative data) without a single server error, every
answer conforming to the schema. The documentation page is generated from the same schema."""

import copy
import datetime
import re
import zoneinfo

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ensemble.api.v1 import api
from ensemble.listings.models import Amenity

from .test_api import API, event, office_place

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
EXAMPLES = 25  # per operation and mode: the whole fuzz stays well under a minute


def raw_schema() -> dict:
    return api.get_openapi_schema(path_params={"office_slug": "saint-omer"})


def test_the_schema_is_served_and_valid(client, office):
    served = client.get(f"{API}/openapi.json")
    assert served.status_code == 200
    document = served.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/saint-omer/api/v1/listings",
        "/saint-omer/api/v1/listings/{listing_id}",
        "/saint-omer/api/v1/events",
        "/saint-omer/api/v1/events/{event_id}",
        "/saint-omer/api/v1/categories",
        "/saint-omer/api/v1/amenities",
        "/saint-omer/api/v1/datatourisme/listings",
        "/saint-omer/api/v1/datatourisme/listings/{listing_id}.jsonld",
        "/saint-omer/api/v1/datatourisme/events",
        "/saint-omer/api/v1/datatourisme/events/{event_id}.jsonld",
    }
    schemathesis.openapi.from_dict(document).validate()  # the OpenAPI meta-schema (jsonschema)
    broken = copy.deepcopy(document)
    broken["paths"]["/saint-omer/api/v1/listings"]["get"]["responses"] = "aucune"
    with pytest.raises(Exception):  # noqa: B017 — the validator's own error type
        schemathesis.openapi.from_dict(broken).validate()


def test_the_schema_documents_each_operation(office):
    document = raw_schema()
    listings = document["paths"]["/saint-omer/api/v1/listings"]["get"]
    names = {parameter["name"] for parameter in listings["parameters"]}
    assert names >= {
        "q",
        "category",
        "town",
        "amenity",
        "open_on",
        "available_on",
        "accessible",
        "since",
        "cursor",
        "limit",
    }
    assert set(map(str, listings["responses"])) == {"200", "400"}
    jsonld = document["paths"]["/saint-omer/api/v1/datatourisme/listings/{listing_id}.jsonld"]["get"]
    assert "application/ld+json" in jsonld["responses"]["200"]["content"]


@pytest.fixture
def published(office, staff_user):
    """A few published places and events, so that the fuzzer also meets real ids."""
    Amenity.objects.create(office=office, group="accessibility", slug="rampe", name_fr="Rampe")
    listings = [
        office_place(office, name, actor=staff_user, short_description_fr="Patrimoine.")
        for name in ("Beffroi", "Cathédrale Notre-Dame", "Musée Sandelin")
    ]
    for n in range(3):
        event(office, f"Visite n° {n}", starts=datetime.datetime(2023, 1, 10 + n, 14, tzinfo=PARIS))
    return listings


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler, keeping the test's database connection (as Django's test client
    does): no closing of "old" connections at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzzing_finds_no_server_error(published, wsgi_app, mode):
    schema = schemathesis.openapi.from_dict(raw_schema())
    schema.app = wsgi_app
    checks = [not_a_server_error, status_code_conformance, content_type_conformance]
    if mode == GenerationMode.POSITIVE:
        checks.append(response_schema_conformance)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 10
    if mode == GenerationMode.NEGATIVE:  # an operation without parameters has no invalid input
        operations = [operation for operation in operations if operation.definition.raw.get("parameters")]
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            response = case.call()
            assert response.status_code < 500, (case.path, case.query, response.text[:300])
            case.validate_response(response, checks=checks)

        run()


def test_the_docs_page_lists_every_operation_without_script(client, office):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    for operation_id in (
        "listListings",
        "getListing",
        "listEvents",
        "getEvent",
        "listCategories",
        "listAmenities",
        "getListingDatatourisme",
        "listListingsDatatourisme",
    ):
        assert f'id="op-{operation_id}"' in html
    assert 'href="/saint-omer/api/v1/openapi.json"' in html
    assert "<h1>" in html and html.count("<h1") == 1
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", html)  # no inline script
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_docs_page_is_accessible_under_the_csp(browser, live_server, office):
    from .browser import assert_accessible, screenshot

    page = browser.new_page(locale="fr-FR")
    blocked = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(f"{live_server.url}{API}/docs")
    page.get_by_role("heading", name="GET /saint-omer/api/v1/listings", exact=True).wait_for()
    assert_accessible(page)
    screenshot(page, "api-docs")
    assert blocked == []
