"""Issue 13, item 5 (the agenda): « Aujourd'hui », « Ce week-end », « Cette semaine » and a date
range, as links that keep the other filters and mark the current one; an event is listed when
it overlaps the period (multi-day and all-day events included, Paris days); a reversed or
unparsable range, an unknown shortcut or a past period each give a clear French message and a
sensible page. Run on Thursday 10 December 2026 and on Sunday 13 December 2026, Paris time."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ensemble.events import services
from ensemble.publishing.selectors import BadFilter, shortcut_period

from .test_events import fields

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SLUG = "saint-omer"
THURSDAY = datetime.datetime(2026, 12, 10, 14, 0, tzinfo=PARIS)
SUNDAY = datetime.datetime(2026, 12, 13, 9, 0, tzinfo=PARIS)


def on(day: int, hour: int = 20, minute: int = 0, month: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=PARIS)


def agenda_url() -> str:
    return reverse("public:agenda", kwargs={"office_slug": SLUG})


def titles(response) -> list[str]:
    return [row["title"] for row in response.context["rows"]]


@pytest.fixture
def december(office, staff_user):
    """The office's December programme, written on 1 December; the tests then stand on
    Thursday 10 December (the default) or on Sunday 13."""

    def publish(title: str, start: datetime.datetime, end: datetime.datetime, **overrides):
        values = fields(title_fr=title, title_en="", starts_at=start, ends_at=end, **overrides)
        return services.create_office_event(office, actor=staff_user, **values)

    with time_machine.travel(on(1, 9), tick=False):
        publish("Marché de Noël", on(5, 10), on(20, 19), category="market")  # runs all month
        publish("Veillée contée", on(9, 20), on(9, 22))  # over by Thursday
        publish("Concert du jeudi", on(10, 20), on(10, 22))
        publish("Atelier du vendredi", on(11, 18), on(11, 20), category="workshop")
        publish("Braderie", on(12, 0), on(12, 0), all_day=True, category="market")  # Saturday
        publish("Randonnée des marais", on(13, 10), on(13, 12), category="sport")
        # Sunday 23:30 Paris is 22:30 UTC: still Sunday for a visitor in Saint-Omer.
        publish("Nuit des étoiles", on(13, 23, 30), on(14, 1), category="visit")
        publish("Foire du lundi", on(14, 0), on(14, 0), all_day=True, category="market")
    with time_machine.travel(THURSDAY, tick=False):
        yield


# ---- the periods ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "name", "expected"),
    [
        ((2026, 12, 10), "aujourdhui", ((2026, 12, 10), (2026, 12, 10))),
        ((2026, 12, 10), "ce-week-end", ((2026, 12, 12), (2026, 12, 13))),
        ((2026, 12, 10), "cette-semaine", ((2026, 12, 10), (2026, 12, 13))),
        ((2026, 12, 12), "ce-week-end", ((2026, 12, 12), (2026, 12, 13))),  # a Saturday
        ((2026, 12, 13), "ce-week-end", ((2026, 12, 13), (2026, 12, 13))),  # a Sunday: today
        ((2026, 12, 13), "cette-semaine", ((2026, 12, 13), (2026, 12, 13))),
        ((2026, 12, 14), "ce-week-end", ((2026, 12, 19), (2026, 12, 20))),  # a Monday
        ((2026, 12, 31), "cette-semaine", ((2026, 12, 31), (2027, 1, 3))),  # across the year
    ],
)
def test_each_shortcut_names_its_days(today, name, expected):
    start, end = shortcut_period(name, datetime.date(*today))
    assert (start, end) == (datetime.date(*expected[0]), datetime.date(*expected[1]))


def test_an_unknown_shortcut_is_refused():
    with pytest.raises(BadFilter, match="Raccourci de date inconnu : « demain »."):
        shortcut_period("demain", datetime.date(2026, 12, 10))


# ---- the list on a Thursday ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {},
            [
                "Marché de Noël",
                "Concert du jeudi",
                "Atelier du vendredi",
                "Braderie",
                "Randonnée des marais",
                "Nuit des étoiles",
                "Foire du lundi",
            ],
        ),
        ({"quand": "aujourdhui"}, ["Marché de Noël", "Concert du jeudi"]),
        (
            {"quand": "ce-week-end"},
            ["Marché de Noël", "Braderie", "Randonnée des marais", "Nuit des étoiles"],
        ),
        (
            {"quand": "cette-semaine"},
            [
                "Marché de Noël",
                "Concert du jeudi",
                "Atelier du vendredi",
                "Braderie",
                "Randonnée des marais",
                "Nuit des étoiles",
            ],
        ),
        ({"quand": "ce-week-end", "categorie": "market"}, ["Marché de Noël", "Braderie"]),
        # The night of the stars ends on Monday at 1:00: it overlaps Monday too.
        ({"du": "2026-12-14", "au": "2026-12-14"}, ["Marché de Noël", "Nuit des étoiles", "Foire du lundi"]),
        # Typed dates win over a shortcut (the form carries the shortcut in a hidden field).
        (
            {"quand": "aujourdhui", "du": "2026-12-11", "au": "2026-12-11"},
            ["Marché de Noël", "Atelier du vendredi"],
        ),
        # A range begun before today lists what still runs, not what is over (« Veillée »).
        ({"du": "2026-12-08", "au": "2026-12-10"}, ["Marché de Noël", "Concert du jeudi"]),
    ],
)
def test_the_list_shows_the_events_overlapping_the_period(client, december, params, expected):
    response = client.get(agenda_url(), params)
    assert response.status_code == 200
    assert titles(response) == expected


def test_the_shortcuts_keep_the_other_filters_and_mark_the_current_one(client, december):
    response = client.get(
        agenda_url(), {"quand": "ce-week-end", "categorie": "market", "langue": "en", "apres": ""}
    )
    links = response.context["shortcuts"]
    assert [str(link["label"]) for link in links] == [
        "Toutes les dates",
        "Aujourd'hui",
        "Ce week-end",
        "Cette semaine",
    ]
    assert [link["current"] for link in links] == [False, False, True, False]
    base = agenda_url()
    assert [link["url"] for link in links] == [
        f"{base}?categorie=market&langue=en",
        f"{base}?categorie=market&langue=en&quand=aujourdhui",
        f"{base}?categorie=market&langue=en&quand=ce-week-end",
        f"{base}?categorie=market&langue=en&quand=cette-semaine",
    ]
    html = response.content.decode()
    current = f'<a href="{base}?categorie=market&amp;langue=en&amp;quand=ce-week-end" aria-current="true">'
    assert current in html
    assert html.count('aria-current="true"') == 2  # the shortcut and the content language
    assert '<input type="hidden" name="quand" value="ce-week-end">' in html  # the form keeps it
    assert "Du samedi 12 décembre 2026 au dimanche 13 décembre 2026" in html


@pytest.mark.parametrize(
    ("params", "current"),
    [
        ({}, [True, False, False, False]),
        ({"quand": "aujourdhui"}, [False, True, False, False]),
        ({"quand": "cette-semaine"}, [False, False, False, True]),
        ({"du": "2026-12-12", "au": "2026-12-13"}, [False, False, False, False]),  # the form shows it
    ],
)
def test_which_period_is_current(client, december, params, current):
    response = client.get(agenda_url(), params)
    assert [link["current"] for link in response.context["shortcuts"]] == current


def test_the_shortcut_is_kept_in_the_calendar_feed(client, december):
    response = client.get(agenda_url(), {"quand": "aujourdhui"})
    feed = client.get(response.context["feed_url"])
    assert feed.status_code == 200
    body = feed.content.decode()
    assert "Concert du jeudi" in body and "Marché de Noël" in body
    assert "Braderie" not in body and "Atelier du vendredi" not in body


# ---- on a Sunday ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["aujourdhui", "ce-week-end", "cette-semaine"])
def test_on_a_sunday_every_shortcut_is_that_sunday(client, december, name):
    with time_machine.travel(SUNDAY, tick=False):
        response = client.get(agenda_url(), {"quand": name})
    assert titles(response) == ["Marché de Noël", "Randonnée des marais", "Nuit des étoiles"]
    assert "Le dimanche 13 décembre 2026" in response.content.decode()


# ---- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"du": "2026-12-13", "au": "2026-12-12"}, "au", "La date de fin précède la date de début."),
        ({"du": "samedi"}, "du", "Date invalide : « samedi » (format attendu : AAAA-MM-JJ)."),
        ({"quand": "demain"}, None, "Raccourci de date inconnu : « demain »."),
    ],
)
def test_a_bad_period_says_so_and_lists_nothing(client, december, params, field, message):
    response = client.get(agenda_url(), {**params, "categorie": "market"})
    assert response.status_code == 400
    assert response.context["errors"] == {field: message}
    assert "rows" not in response.context  # nothing filtered by a range that cannot be read
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'")
    # The shortcuts still offer a way out, with the category kept.
    assert f"{agenda_url()}?categorie=market&amp;quand=ce-week-end" in html


def test_a_past_period_says_it_is_over(client, december):
    response = client.get(agenda_url(), {"du": "2026-12-01", "au": "2026-12-09"})
    assert response.status_code == 200
    assert response.context["past"] is True
    assert titles(response) == []  # even the Christmas market, still running, is not of that period
    html = response.content.decode()
    assert "Cette période est passée : ses événements sont terminés." in html
    assert f'<a href="{agenda_url()}">Voir les événements à venir</a>' in html


# ---- cost ----------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_weekend(
    client, december, office, staff_user, django_assert_max_num_queries
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(agenda_url(), {"quand": "ce-week-end"}).status_code == 200
        return len(queries)

    few = count()
    with time_machine.travel(on(1, 9), tick=False):
        for number in range(30):
            values = fields(
                title_fr=f"Visite {number}", city=f"Ville {number}", starts_at=on(12, 10), ends_at=on(12, 11)
            )
            services.create_office_event(office, actor=staff_user, **values)
    with django_assert_max_num_queries(4):
        response = client.get(agenda_url(), {"quand": "ce-week-end"})
    assert len(response.context["rows"]) == 20
    assert count() == few
