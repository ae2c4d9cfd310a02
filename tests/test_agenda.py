"""The public agenda: the list by date range, category and town (bad filters → 400 in French),
keyset pages, a query count that does not grow with the events; each event's page in Paris time,
in French, English or Dutch (French where a translation is missing), with schema.org Event
JSON-LD read back by a structured-data extractor."""

import datetime
from zoneinfo import ZoneInfo

import extruct
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ensemble.events import services
from ensemble.events.models import Event

from .test_events import at, fields

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SLUG = "saint-omer"


def agenda_url(office_slug: str = SLUG) -> str:
    return reverse("public:agenda", kwargs={"office_slug": office_slug})


def event_url(event: Event, office_slug: str = SLUG) -> str:
    return reverse("public:event", kwargs={"office_slug": office_slug, "event_id": event.pk})


def titles(response) -> list[str]:
    return [row["title"] for row in response.context["rows"]]


@pytest.fixture
def publish(office, staff_user):
    """An office event, published at once."""

    def _publish(title: str, **overrides) -> Event:
        return services.create_office_event(office, actor=staff_user, **fields(title_fr=title, **overrides))

    return _publish


@pytest.fixture
def program(publish, partner, staff_user, other_office):
    """Four published events, one proposed, one cancelled, one of the other office."""
    concert = publish("Concert au marais")  # 14 January, Saint-Omer
    market = publish(
        "Marché aux puces",
        category="market",
        city="Arques",
        starts_at=at(1, 8, 7),
        ends_at=at(1, 8, 13),
    )
    exhibition = publish(
        "Exposition Vauban",
        category="exhibition",
        starts_at=at(12, 1, 10, year=2022),
        ends_at=at(2, 28, 18),
    )
    publish("Salon du tourisme", category="other", starts_at=at(3, 4, 10), ends_at=at(3, 5, 18))
    services.submit_event(
        partner.membership.organisation, actor=partner.user, **fields(title_fr="En attente")
    )
    cancelled = publish("Feu d'artifice", starts_at=at(12, 31, 23, year=2022), ends_at=at(1, 1, 0, 30))
    services.cancel_event(cancelled, actor=staff_user, reason="Vent fort.")
    services.create_office_event(other_office, actor=staff_user, **fields(title_fr="Ailleurs"))
    return {"concert": concert, "market": market, "exhibition": exhibition, "cancelled": cancelled}


# ---- the list ------------------------------------------------------------------------------


def test_the_agenda_lists_the_published_events_by_start(client, program):
    response = client.get(agenda_url())
    assert response.status_code == 200
    # The exhibition started in December and still runs: it comes first. Cancelled, proposed and
    # the other office's events are not listed.
    assert titles(response) == [
        "Exposition Vauban",
        "Marché aux puces",
        "Concert au marais",
        "Salon du tourisme",
    ]
    html = response.content.decode()
    assert "samedi 14 janvier 2023, 20:00" in html
    assert reverse("public:agenda_ics", kwargs={"office_slug": SLUG}) in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"du": "2023-01-10"}, ["Exposition Vauban", "Concert au marais", "Salon du tourisme"]),
        ({"du": "2023-01-01", "au": "2023-01-10"}, ["Exposition Vauban", "Marché aux puces"]),
        ({"du": "2023-03-01", "au": "2023-03-31"}, ["Salon du tourisme"]),
        ({"categorie": "market"}, ["Marché aux puces"]),
        ({"ville": "arques"}, ["Marché aux puces"]),
        ({"ville": "Saint-Omer", "categorie": "concert"}, ["Concert au marais"]),
        ({"ville": "Lille"}, []),
    ],
)
def test_filters(client, program, params, expected):
    response = client.get(agenda_url(), params)
    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"du": "2023-13-45"}, "du", "Date invalide : « 2023-13-45 » (format attendu : AAAA-MM-JJ)."),
        ({"au": "demain"}, "au", "Date invalide : « demain » (format attendu : AAAA-MM-JJ)."),
        ({"du": "1850-01-01"}, "du", "Date hors limites : 1850-01-01."),
        ({"categorie": "volcans"}, "categorie", "Catégorie d'événement inconnue : « volcans »."),
        ({"du": "2023-02-01", "au": "2023-01-01"}, "au", "La date de fin précède la date de début."),
        ({"apres": "%%%pas-un-curseur"}, None, "Curseur de pagination invalide."),
        (
            {"since": "hier", "au": "2023-02-01"},
            None,
            "Date invalide pour since : « hier » (ISO 8601 attendu).",
        ),
    ],
)
def test_bad_filters_answer_400_with_the_message_on_the_field(client, program, params, field, message):
    response = client.get(agenda_url(), params)
    assert response.status_code == 400
    assert response.context["errors"] == {field: message}
    assert message.replace("'", "&#x27;") in response.content.decode() or message in response.content.decode()
    if field:
        assert response.context["form"].errors[field] == [message]


def test_keyset_pages_follow_each_other_without_gaps(client, publish):
    starts = at(1, 10, 9)
    created = [
        publish(f"Visite {number:02d}", starts_at=starts, ends_at=starts + datetime.timedelta(hours=2))
        for number in range(25)
    ] + [publish(f"Atelier {n}", starts_at=at(1, 11, 9), ends_at=at(1, 11, 10)) for n in range(20)]
    seen, url, pages = [], agenda_url(), 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [row["event"].pk for row in response.context["rows"]]
        url, pages = response.context["next_url"], pages + 1
    assert pages == 3
    assert seen == [event.pk for event in created]  # same start: by id, no gap, no repeat
    assert response.context["first_url"] == agenda_url()  # back to the first page


def test_a_cursor_past_the_end_is_refused(client, publish):
    from ensemble.public.agenda_views import encode_cursor

    last = publish("Dernier")
    response = client.get(agenda_url(), {"apres": encode_cursor(last)})
    assert response.status_code == 400
    assert response.context["errors"] == {None: "Page hors limites : il n'y a pas d'événement au-delà."}


def test_the_query_count_does_not_grow_with_the_events(client, publish):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(agenda_url()).status_code == 200
        return len(queries)

    for number in range(5):
        publish(f"Visite {number}", city=f"Ville {number}")
    few = count()
    for number in range(5, 40):
        publish(f"Visite {number}", city=f"Ville {number}")
    assert count() == few
    assert few <= 4


def test_another_office_has_its_own_agenda(client, program):
    response = client.get(agenda_url("aire-sur-la-lys"))
    assert titles(response) == ["Ailleurs"]


# ---- one event -----------------------------------------------------------------------------


def test_the_event_page_in_paris_time_with_place_price_and_booking(client, program):
    concert = program["concert"]
    response = client.get(event_url(concert))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Concert au marais</h1>" in html
    assert "samedi 14 janvier 2023, 20:00" in html and "23:00" in html
    assert 'datetime="2023-01-14T20:00:00+01:00"' in html
    assert "Ponton du Haut-Pont" in html and "62500 Saint-Omer" in html
    assert "12 €" in html
    assert 'href="https://billets.example/concert"' in html
    assert reverse("public:event_ics", kwargs={"office_slug": SLUG, "event_id": concert.pk}) in html


def test_the_event_page_in_english_and_dutch_falls_back_in_the_offices_order(client, program):
    concert = program["concert"]
    english = client.get(event_url(concert), {"langue": "en"}).content.decode()
    assert "<h1>Concert in the marshes</h1>" in english
    assert '<p class="lead" lang="fr">Un quatuor sur l&#x27;eau.</p>' in english  # the French one, marked
    dutch = client.get(event_url(concert), {"langue": "nl"})
    assert dutch.status_code == 200
    assert '<h1 lang="en">Concert in the marshes</h1>' in dutch.content.decode()  # nl → en → fr
    assert "zaterdag 14 januari 2023" in dutch.content.decode()
    Event.objects.filter(pk=concert.pk).update(title_nl="Concert in het moeras")
    assert (
        "<h1>Concert in het moeras</h1>" in client.get(event_url(concert), {"langue": "nl"}).content.decode()
    )


def jsonld_of(html: str) -> dict:
    data = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    assert len(data) == 1
    return data[0]


def test_the_event_page_embeds_schema_org_event(client, program):
    concert = program["concert"]
    data = jsonld_of(client.get(event_url(concert)).content.decode())
    assert data["@type"] == "Event"
    assert data["name"] == "Concert au marais"
    assert data["startDate"] == "2023-01-14T20:00+01:00"
    assert data["endDate"] == "2023-01-14T23:00+01:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["location"]["@type"] == "Place"
    assert data["location"]["address"]["addressLocality"] == "Saint-Omer"
    assert data["location"]["address"]["postalCode"] == "62500"
    assert data["offers"]["url"] == "https://billets.example/concert"
    assert data["offers"]["description"] == "12 €"
    assert data["url"].endswith(event_url(concert))
    assert data["organizer"]["name"] == "Office de Tourisme du Pays de Saint-Omer"


def test_a_text_cannot_close_the_json_ld_script(client, publish):
    event = publish("Rock & blues")
    # Services strip tags; a text written by any other way (an import) must still be inert.
    Event.objects.filter(pk=event.pk).update(title_fr="</script><script>alert(1)</script>")
    html = client.get(event_url(event)).content.decode()
    assert "<script>alert(1)" not in html
    assert jsonld_of(html)["name"] == "</script><script>alert(1)</script>"


def test_a_cancelled_event_says_so(client, program):
    cancelled = program["cancelled"]
    response = client.get(event_url(cancelled))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cet événement est annulé." in html and "Vent fort." in html
    assert jsonld_of(html)["eventStatus"] == "https://schema.org/EventCancelled"


def test_an_all_day_event(client, publish):
    event = publish("Braderie", all_day=True, starts_at=at(1, 15, 0), ends_at=at(1, 16, 0))
    html = client.get(event_url(event)).content.decode()
    assert 'du <time datetime="2023-01-15">15 janvier 2023</time> au' in html
    data = jsonld_of(html)
    assert (data["startDate"], data["endDate"]) == ("2023-01-15", "2023-01-16")


def test_unpublished_and_other_offices_events_answer_404(client, program, partner, other_office):
    proposed = Event.objects.get(title_fr="En attente")
    foreign = Event.objects.get(title_fr="Ailleurs")
    for url in (event_url(proposed), event_url(foreign), event_url(program["concert"], "aire-sur-la-lys")):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Cet événement n&#x27;existe pas ou n&#x27;est pas publié." in response.content.decode()
    assert client.get(f"/{SLUG}/agenda/999999/").status_code == 404


def test_the_event_page_query_count_is_small(client, program, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client.get(event_url(program["concert"])).status_code == 200


def test_the_partner_listing_page_links_its_upcoming_event(client, make_membership, staff_user):
    from ensemble.listings import services as listing_services

    membership = make_membership("active", email="gite@marais.example", establishment_name="Gîte du Marais")
    listing = listing_services.ensure_listing(membership.establishment)
    event = services.submit_event(
        membership.organisation,
        actor=membership.applicant,
        establishment=membership.establishment,
        **fields(),
    )
    services.approve_event(event, actor=staff_user)
    html = client.get(event_url(event)).content.decode()
    listing_url = reverse("public:listing", kwargs={"office_slug": SLUG, "listing_id": listing.pk})
    assert f'href="{listing_url}"' in html


def test_a_long_office_summary_is_shortened_on_the_card_only(client, publish):
    """The office's own events may carry long texts (DATAtourisme imports keep them whole); the
    agenda's card shows the beginning, the event's page the whole."""
    summary = "Une visite guidée des marais audomarois en barque. " * 30  # about 1,500 characters
    event = publish("Visite longue", summary_fr=summary.strip())

    card = client.get(agenda_url()).content.decode()
    assert summary[:200] in card
    assert summary.strip() not in card
    assert "…" in card

    page = client.get(event_url(event)).content.decode()
    assert summary.strip() in page
