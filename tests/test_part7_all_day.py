"""Issue 12, item A12: an all-day event is a date wherever it is published.

It is stored from midnight to 23:59:59, Paris time (17 November 00:00 in Paris is 16 November
23:00 UTC): the API gave `2026-11-16T23:00:00Z`. The API, the JSON-LD, the iCalendar feeds and
the widget now say « 17 November », the last day included; timed events keep their moments.
"""

import json
import re

import pytest

from ensemble.events import services

from .test_events import at, fields

pytestmark = pytest.mark.django_db
SLUG = "saint-omer"
API = f"/{SLUG}/api/v1"


@pytest.fixture
def fair(office, staff_user):
    """Two whole days, 17 and 18 January 2023 (the first starts at 23:00 UTC the day before)."""
    return services.create_office_event(
        office,
        actor=staff_user,
        **fields(title_fr="Foire aux livres", all_day=True, starts_at=at(1, 17, 0), ends_at=at(1, 18, 0)),
    )


@pytest.fixture
def concert(office, staff_user):
    return services.create_office_event(office, actor=staff_user, **fields())  # 14 January, 20:00


def test_the_api_gives_an_all_day_event_its_dates(client, fair):
    item = client.get(f"{API}/events/{fair.pk}").json()
    assert (item["starts_at"], item["ends_at"], item["all_day"]) == ("2023-01-17", "2023-01-18", True)
    listed = {each["id"]: each for each in client.get(f"{API}/events").json()["items"]}
    assert listed[fair.pk]["starts_at"] == "2023-01-17"


def test_a_timed_event_keeps_its_moments(client, concert):
    item = client.get(f"{API}/events/{concert.pk}").json()
    assert item["starts_at"] in ("2023-01-14T19:00:00Z", "2023-01-14T19:00:00+00:00")
    assert item["all_day"] is False


def test_the_api_pages_through_all_day_and_timed_events(client, fair, concert):
    first = client.get(f"{API}/events", {"limit": 1}).json()
    second = client.get(first["next"]).json()
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [concert.pk, fair.pk]


def test_the_schema_documents_dates_or_moments(client, office):
    schema = client.get(f"{API}/openapi.json").json()
    starts = schema["components"]["schemas"]["EventOut"]["properties"]["starts_at"]
    formats = {option.get("format") for option in starts["anyOf"]}
    assert formats == {"date", "date-time"}


def jsonld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def test_json_ld_and_icalendar_give_dates(client, fair):
    data = jsonld(client.get(f"/{SLUG}/agenda/{fair.pk}/").content.decode())
    assert (data["startDate"], data["endDate"]) == ("2023-01-17", "2023-01-18")
    ics = client.get(f"/{SLUG}/agenda/{fair.pk}.ics").content.decode()
    assert "DTSTART;VALUE=DATE:20230117" in ics
    assert "DTEND;VALUE=DATE:20230119" in ics  # exclusive end: the day after the last one


def test_the_widget_gives_the_days_without_a_time(client, fair):
    html = client.get(f"/{SLUG}/widget/", {"type": "events"}).content.decode()
    assert "du 17 janvier au 18 janvier 2023" in html
    assert "23:00" not in html and "00:00" not in html
