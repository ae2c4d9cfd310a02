"""The embeddable widget: the script, the framed list of listings or events, the host's colours
(checked strictly, passed through a stylesheet), frameable headers on these views only, and the
impressions it counts."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ensemble.events.models import Event
from ensemble.listings import services as listing_services
from ensemble.listings.models import Listing
from ensemble.public import widget_views
from ensemble.stats.models import VisibilityCount

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TODAY = datetime.date(2022, 12, 28)
BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"}


@pytest.fixture
def active(make_membership, staff_user):
    def _make(name: str, email: str, **changes) -> Listing:
        membership = make_membership("active", email=email, establishment_name=name)
        listing = listing_services.ensure_listing(membership.establishment)
        if changes:
            listing_services.edit_listing(listing, changes=changes, actor=staff_user)
        return Listing.objects.get(pk=listing.pk)

    return _make


@pytest.fixture
def listings(active, partner):
    """Two published listings (one in Clairmarais) and one that is not (a join request)."""
    return [
        active("Hôtel des Remparts", "sophie@remparts.example", short_description_fr="Au pied des remparts."),
        active("Camping des Étangs", "c@etangs.example", city="Clairmarais"),
    ]


def widget(client, office, **params):
    return client.get(f"/{office.slug}/widget/", params, **BROWSER)


def impressions() -> dict[int, int]:
    return dict(
        VisibilityCount.objects.filter(kind=VisibilityCount.Kind.WIDGET_IMPRESSION).values_list(
            "listing_id", "count"
        )
    )


# --- The script ----------------------------------------------------------------------------------


def test_the_script_is_served_at_the_offices_url(client, office):
    response = client.get(f"/{office.slug}/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    body = response.content.decode()
    assert "document.currentScript" in body and 'createElement("iframe")' in body
    assert "iframe.title" in body  # the frame gets an accessible name
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"


# --- The list ------------------------------------------------------------------------------------


def test_the_listings_widget_shows_published_listings_and_counts_impressions(client, office, listings):
    response = widget(client, office, type="listings")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hôtel des Remparts" in html and "Au pied des remparts." in html
    assert "Camping des Étangs" in html
    assert "Le Moulin des Marais" not in html  # only asked to join: not published
    link = f'href="http://testserver/{office.slug}/fiches/{listings[0].pk}/" target="_blank" rel="noopener"'
    assert link in html
    assert "(nouvel onglet)" in html
    assert impressions() == {listings[0].pk: 1, listings[1].pk: 1}
    assert not response.cookies


def test_filters_and_limit(client, office, listings):
    html = widget(client, office, town="Clairmarais").content.decode()
    assert "Camping des Étangs" in html and "Hôtel des Remparts" not in html
    assert impressions() == {listings[1].pk: 1}
    html = widget(client, office, category="hebergement", limit="1").content.decode()
    assert html.count('class="widget-item"') == 1
    assert widget(client, office, limit="beaucoup").status_code == 200  # default limit
    assert widget(client, office, limit="-5").content.decode().count('class="widget-item"') == 1


def test_robots_do_not_count(client, office, listings):
    client.get(f"/{office.slug}/widget/", HTTP_USER_AGENT="Googlebot/2.1")
    assert impressions() == {}


def test_the_widget_in_english_or_dutch(client, office, active):
    listing = active("Gîte du Watergang", "g@w.example", short_description_nl="Rustig vakantiehuis.")
    html = widget(client, office, langue="nl").content.decode()
    assert '<html lang="nl">' in html and "Rustig vakantiehuis." in html
    assert f"/fiches/{listing.pk}/?langue=nl" in html
    assert '<html lang="fr">' in widget(client, office, langue="xx").content.decode()


def test_the_events_widget_lists_published_events(client, office, other_office):
    start = datetime.datetime(2022, 12, 31, 20, 30, tzinfo=PARIS)
    for title, status, where in (
        ("Concert du Nouvel An", Event.Status.PUBLISHED, office),
        ("En attente", Event.Status.PROPOSED, office),
        ("À Aire", Event.Status.PUBLISHED, other_office),
    ):
        Event.objects.create(
            office=where,
            title=title,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            city="Saint-Omer",
            place_name="Cathédrale",
            status=status,
        )
    html = widget(client, office, type="events").content.decode()
    assert "Concert du Nouvel An" in html
    assert "samedi 31 décembre 2022, 20:30" in html and "Cathédrale" in html
    concert = Event.objects.get(title="Concert du Nouvel An")
    assert f'href="http://testserver/{office.slug}/agenda/{concert.pk}/" target="_blank"' in html
    assert "En attente" not in html and "À Aire" not in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"category": "volcans"}, "Catégorie inconnue : « volcans »."),
        ({"type": "events", "category": "volcans"}, "Catégorie d&#x27;événement inconnue : « volcans »."),
        ({"type": "coupons"}, "Type de widget inconnu : « coupons » (listings ou events)."),
        (
            {"type": "events", "du": "2023-02-30"},
            "Date invalide : « 2023-02-30 » (format attendu : AAAA-MM-JJ).",
        ),
    ],
)
def test_bad_filters_answer_400_with_a_message_in_the_frame(client, office, params, message):
    response = widget(client, office, **params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "X-Frame-Options" not in response  # still shown inside the host's page


def test_the_widget_needs_the_same_queries_for_few_or_many_listings(client, office, active, listings):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert widget(client, office, limit=20).status_code == 200
        return len(context)

    few = queries()
    for n in range(6):
        active(f"Gîte n° {n}", f"g{n}@gites.example")
    assert queries() == few


# --- Colours -------------------------------------------------------------------------------------


def test_valid_colours_reach_the_stylesheet_link(client, office, listings):
    html = widget(client, office, colour="#0B5D8C", background="#FFFFFF").content.decode()
    stylesheet = f"/{office.slug}/widget.css?colour=%230b5d8c&amp;background=%23ffffff"
    assert f'<link rel="stylesheet" href="{stylesheet}">' in html
    assert "style=" not in html and "<style" not in html  # nothing inline (CSP)


@pytest.mark.parametrize(
    "bad",
    ["red", "#fff", "#12345g", "#0b5d8c;}body{display:none", "#0b5d8c\n", "0b5d8c", "", "#0b5d8c00"],
)
def test_bad_colours_fall_back_to_the_defaults(client, office, bad):
    html = widget(client, office, colour=bad, background=bad).content.decode()
    assert "widget.css?colour=%230b5a8a&amp;background=%23ffffff" in html
    css = client.get(f"/{office.slug}/widget.css", {"colour": bad, "background": bad}).content.decode()
    assert css == ":root { --widget-accent: #0b5a8a; --widget-background: #ffffff; --widget-ink: #1d2330; }\n"


def test_the_stylesheet_keeps_text_readable(client, office):
    response = client.get(f"/{office.slug}/widget.css", {"colour": "#ffcc00", "background": "#102030"})
    assert response["Content-Type"] == "text/css; charset=utf-8"
    # A yellow accent on a dark background reads well: kept; the text turns light.
    assert response.content.decode() == (
        ":root { --widget-accent: #ffcc00; --widget-background: #102030; --widget-ink: #ffffff; }\n"
    )
    # A pale accent on white would not (contrast < 4.5:1): links use the ink instead.
    pale = client.get(f"/{office.slug}/widget.css", {"colour": "#ffcc00", "background": "#ffffff"})
    assert "--widget-accent: #1d2330;" in pale.content.decode()


def test_contrast_ratio():
    assert round(widget_views.contrast("#000000", "#ffffff"), 1) == 21.0
    assert widget_views.contrast("#0b5a8a", "#ffffff") >= 4.5


# --- Framing -------------------------------------------------------------------------------------


def test_only_the_widget_may_be_framed(client, office, listings):
    response = widget(client, office)
    assert "X-Frame-Options" not in response
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "frame-ancestors 'none'" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp  # still strict otherwise
    for path in ("", f"fiches/{listings[0].pk}/", "adherer/"):
        other = client.get(f"/{office.slug}/{path}")
        assert other["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in other["Content-Security-Policy"], path


def test_category_names_follow_the_widgets_language(client, office, listings):
    assert "Hébergement — Clairmarais" in widget(client, office).content.decode()
    assert "Accommodation — Clairmarais" in widget(client, office, langue="en").content.decode()
    assert "Accommodatie — Clairmarais" in widget(client, office, langue="nl").content.decode()
