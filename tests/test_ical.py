"""iCalendar feeds (RFC 5545): one event and any filtered list of the agenda.

Every feed is read by two independent parsers — icalendar's `Calendar.from_ical` (no parse error
in any component) and the `ical` package (pydantic-validated, strict on values and time zones) —
and checked by hand for what RFC 5545 requires and parsers forgive: CRLF line endings, lines of
at most 75 octets, the calendar's and each event's required properties, a VTIMEZONE for every
TZID used. UIDs stay the same across changes; SEQUENCE grows with each published change."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.urls import reverse
from ical.calendar_stream import IcsCalendarStream
from ical.event import EventStatus as IcalStatus

from ensemble.events import services
from ensemble.events.models import Event
from ensemble.publishing import selectors as publishing
from ensemble.publishing.selectors import AgendaFilters

from .test_events import at, fields

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SLUG = "saint-omer"
CALENDAR_REQUIRED = ("PRODID", "VERSION", "CALSCALE", "METHOD", "X-WR-CALNAME")
EVENT_REQUIRED = (
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "SEQUENCE",
    "LAST-MODIFIED",
    "SUMMARY",
    "URL",
    "STATUS",
)


def event_ics_url(event: Event, office_slug: str = SLUG) -> str:
    return reverse("public:event_ics", kwargs={"office_slug": office_slug, "event_id": event.pk})


def agenda_ics_url(office_slug: str = SLUG) -> str:
    return reverse("public:agenda_ics", kwargs={"office_slug": office_slug})


def strictly_parsed(response) -> icalendar.Calendar:
    """The feed, checked line by line, then by both parsers; the icalendar tree."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw: bytes = response.content
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines), "bare LF or CR"
    too_long = [line for line in lines if len(line) > 75]
    assert too_long == [], "lines over 75 octets"
    raw.decode("utf-8")  # UTF-8 throughout, folds included (icalendar never cuts a character)

    calendar = icalendar.Calendar.from_ical(raw)
    for component in calendar.walk():
        assert component.errors == [], (component.name, component.errors)
    for name in CALENDAR_REQUIRED:
        assert name in calendar, name
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    timezones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert timezones == {"Europe/Paris"}
    for event in calendar.walk("VEVENT"):
        for name in EVENT_REQUIRED:
            assert name in event, name
        for name in ("DTSTART", "DTEND"):
            tzid = event[name].params.get("TZID")
            assert tzid in (None, "Europe/Paris")
            if tzid is None:
                assert event[name].params.get("VALUE") == "DATE"  # all-day, no floating time
        assert event.decoded("DTEND") > event.decoded("DTSTART")
        assert str(event["STATUS"]) in ("CONFIRMED", "CANCELLED")

    other = IcsCalendarStream.calendar_from_ics(raw.decode())
    assert len(other.events) == len(calendar.walk("VEVENT"))
    assert [tz.tz_id for tz in other.timezones] == ["Europe/Paris"]
    return calendar


def only_event(calendar: icalendar.Calendar) -> icalendar.Event:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


@pytest.fixture
def active_partner(make_membership):
    """A partner whose membership is live: only such partners' events are public."""
    return make_membership("active", email="ines@estaminet.example", establishment_name="L'Estaminet")


@pytest.fixture
def published(active_partner, staff_user):
    event = services.submit_event(
        active_partner.organisation,
        actor=active_partner.applicant,
        establishment=active_partner.establishment,
        **fields(latitude="50.752", longitude="2.261", description_fr="Ligne 1\nLigne 2 ; avec, virgules"),
    )
    return services.approve_event(event, actor=staff_user)


# ---- one event -----------------------------------------------------------------------------


def test_one_event_feed(client, published, office):
    calendar = strictly_parsed(client.get(event_ics_url(published)))
    assert str(calendar["PRODID"]).startswith("-//Ensemble//")
    assert str(calendar["X-WR-CALNAME"]) == "Concert au marais"
    event = only_event(calendar)
    assert str(event["UID"]) == f"{published.uid}@127.0.0.1"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART") == at(1, 14, 20)
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(hours=1)
    assert event.decoded("DTEND") == at(1, 14, 23)
    assert b"DTSTART;TZID=Europe/Paris:20230114T200000\r\n" in client.get(event_ics_url(published)).content
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Concert au marais"
    assert str(event["LOCATION"]) == "Ponton du Haut-Pont, 62500 Saint-Omer"
    assert "Ligne 2 ; avec, virgules" in str(event["DESCRIPTION"])
    assert "Tarifs : 12 €" in str(event["DESCRIPTION"])
    assert "Réservation : https://billets.example/concert" in str(event["DESCRIPTION"])
    assert event["GEO"].latitude == pytest.approx(50.752) and event["GEO"].longitude == pytest.approx(2.261)
    assert str(event["URL"]) == f"http://testserver/{SLUG}/agenda/{published.pk}/"
    assert event.decoded("DTSTAMP") == published.revised_at.replace(microsecond=0)
    other = IcsCalendarStream.calendar_from_ics(client.get(event_ics_url(published)).content.decode())
    parsed = other.events[0]
    assert parsed.uid == str(event["UID"])
    assert parsed.dtstart == at(1, 14, 20) and str(parsed.dtstart.tzinfo) == "Europe/Paris"
    assert parsed.sequence == 0 and parsed.status == IcalStatus.CONFIRMED


def test_the_uid_stays_and_the_sequence_grows_with_each_published_change(
    client, published, active_partner, staff_user
):
    def current() -> icalendar.Event:
        return only_event(strictly_parsed(client.get(event_ics_url(published))))

    first = current()
    services.update_event(published, actor=active_partner.applicant, **fields(starts_at=at(1, 14, 21)))
    waiting = current()  # a change waiting for the office changes nothing in the feed
    assert (waiting["UID"], int(waiting["SEQUENCE"]), waiting.decoded("DTSTART")) == (
        first["UID"],
        0,
        at(1, 14, 20),
    )
    with time_machine.travel(datetime.datetime(2022, 12, 28, 11, tzinfo=PARIS)):
        services.approve_event(published, actor=staff_user)
    changed = current()
    assert changed["UID"] == first["UID"]
    assert int(changed["SEQUENCE"]) == 1
    assert changed.decoded("DTSTART") == at(1, 14, 21)
    assert changed.decoded("DTSTAMP") > first.decoded("DTSTAMP")
    services.edit_event(
        Event.objects.get(pk=published.pk), actor=staff_user, **fields(starts_at=at(1, 14, 21), city="Arques")
    )
    assert int(current()["SEQUENCE"]) == 2


def test_a_cancelled_event_stays_in_the_feeds_as_cancelled(client, published, active_partner):
    services.cancel_event(published, actor=active_partner.applicant, reason="Intempéries")
    event = only_event(strictly_parsed(client.get(event_ics_url(published))))
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    listed = strictly_parsed(client.get(agenda_ics_url())).walk("VEVENT")
    assert [(str(e["UID"]), str(e["STATUS"])) for e in listed] == [
        (f"{published.uid}@127.0.0.1", "CANCELLED")
    ]
    other = IcsCalendarStream.calendar_from_ics(client.get(event_ics_url(published)).content.decode())
    assert other.events[0].status == IcalStatus.CANCELLED


def test_an_all_day_event_uses_dates(client, office, staff_user):
    event = services.create_office_event(
        office, actor=staff_user, **fields(all_day=True, starts_at=at(1, 15, 0), ends_at=at(1, 16, 0))
    )
    parsed = only_event(strictly_parsed(client.get(event_ics_url(event))))
    assert parsed["DTSTART"].params["VALUE"] == "DATE"
    assert parsed.decoded("DTSTART") == datetime.date(2023, 1, 15)
    assert parsed.decoded("DTEND") == datetime.date(2023, 1, 17)  # exclusive: the day after the last
    assert str(parsed["TRANSP"]) == "TRANSPARENT"


def test_long_titles_are_folded_at_75_octets_without_cutting_a_character(client, office, staff_user):
    title = "Fête des bacôves — « marché flottant » et démonstrations de maraîchage " * 2
    event = services.create_office_event(office, actor=staff_user, **fields(title_fr=title.strip()))
    parsed = only_event(strictly_parsed(client.get(event_ics_url(event))))
    assert str(parsed["SUMMARY"]) == title.strip()


def test_the_feed_in_dutch_falls_back_to_french(client, published):
    Event.objects.filter(pk=published.pk).update(title_nl="Concert in het moeras")
    parsed = only_event(strictly_parsed(client.get(event_ics_url(published), {"langue": "nl"})))
    assert str(parsed["SUMMARY"]) == "Concert in het moeras"
    assert str(parsed["DESCRIPTION"]).startswith("Un quatuor sur l'eau.")  # no Dutch summary


def test_proposed_and_other_offices_events_have_no_feed(client, partner, published, other_office):
    proposed = services.submit_event(partner.membership.organisation, actor=partner.user, **fields())
    assert client.get(event_ics_url(proposed)).status_code == 404
    assert client.get(event_ics_url(published, "aire-sur-la-lys")).status_code == 404


# ---- lists ---------------------------------------------------------------------------------


@pytest.fixture
def several(published, office, staff_user, other_office):
    market = services.create_office_event(
        office,
        actor=staff_user,
        **fields(
            title_fr="Marché aux puces",
            category="market",
            city="Arques",
            starts_at=at(1, 8, 7),
            ends_at=at(1, 8, 13),
        ),
    )
    summer = services.create_office_event(
        office, actor=staff_user, **fields(title_fr="Fête d'été", starts_at=at(7, 1, 18), ends_at=at(7, 2, 2))
    )
    services.create_office_event(other_office, actor=staff_user, **fields(title_fr="Ailleurs"))
    return {"concert": published, "market": market, "summer": summer}


def summaries(response) -> list[str]:
    return [str(event["SUMMARY"]) for event in strictly_parsed(response).walk("VEVENT")]


def test_a_filtered_list_feed(client, several):
    assert summaries(client.get(agenda_ics_url())) == ["Marché aux puces", "Concert au marais", "Fête d'été"]
    assert summaries(client.get(agenda_ics_url(), {"categorie": "market"})) == ["Marché aux puces"]
    assert summaries(client.get(agenda_ics_url(), {"ville": "saint-omer"})) == [
        "Concert au marais",
        "Fête d'été",
    ]
    assert summaries(client.get(agenda_ics_url(), {"du": "2023-06-01"})) == ["Fête d'été"]
    assert summaries(client.get(agenda_ics_url(), {"du": "2023-01-01", "au": "2023-01-10"})) == [
        "Marché aux puces"
    ]
    calendar = strictly_parsed(client.get(agenda_ics_url(), {"du": "2023-06-01"}))
    assert str(calendar["X-WR-CALNAME"]) == "Agenda — Office de Tourisme du Pays de Saint-Omer"
    # The VTIMEZONE covers the years of the events (summer time included).
    assert calendar.walk("VEVENT")[0].decoded("DTSTART").utcoffset() == datetime.timedelta(hours=2)


def test_the_list_feed_holds_the_agendas_published_events(client, several, office):
    """The feed filters as publishing.agenda does (plus cancelled events): for the same filters,
    the published events are the same."""
    for params in (
        {},
        {"categorie": "market"},
        {"du": "2023-01-09", "au": "2023-07-01"},
        {"ville": "Arques"},
    ):
        expected = [
            f"{event.uid}@127.0.0.1" for event in publishing.agenda(office, AgendaFilters.from_query(params))
        ]
        listed = strictly_parsed(client.get(agenda_ics_url(), params)).walk("VEVENT")
        assert [str(event["UID"]) for event in listed] == expected, params


def test_an_empty_list_feed_is_still_a_valid_calendar(client, office):
    calendar = strictly_parsed(client.get(agenda_ics_url(), {"categorie": "sport"}))
    assert calendar.walk("VEVENT") == []
    assert len(calendar.walk("VTIMEZONE")) == 1  # RFC 5545: a calendar has at least one component


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"du": "2023-13-45"}, "Date invalide : « 2023-13-45 » (format attendu : AAAA-MM-JJ)."),
        ({"categorie": "volcans"}, "Catégorie d'événement inconnue : « volcans »."),
        ({"du": "2023-02-01", "au": "2023-01-01"}, "La date de fin précède la date de début."),
        ({"since": "hier"}, "Date invalide pour since : « hier » (ISO 8601 attendu)."),
    ],
)
def test_bad_filters_answer_400_in_french(client, office, params, message):
    response = client.get(agenda_ics_url(), params)
    assert response.status_code == 400
    assert response.content.decode() == message


def test_the_feed_query_count_does_not_grow(client, office, staff_user, django_assert_max_num_queries):
    for number in range(30):
        services.create_office_event(office, actor=staff_user, **fields(title_fr=f"Visite {number}"))
    with django_assert_max_num_queries(3):
        assert client.get(agenda_ics_url()).status_code == 200
