"""In Chromium: the directory with its Leaflet map, a listing page, the accessibility statement and
the legal notices pass axe-core (WCAG 2.1 A/AA) with the strict CSP and no CSP violation;
screenshots go to var/screenshots/."""

import datetime

import pytest

from ensemble.directory.models import Category
from ensemble.events.models import Event
from ensemble.listings import services as listing_services
from ensemble.listings.models import Amenity, Listing

from .browser import assert_accessible, screenshot
from .factories import EstablishmentFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLACES = [
    ("Hôtel des Remparts", "hebergement", "Saint-Omer", "50.750800", "2.252100"),
    ("Camping des Étangs", "hebergement", "Clairmarais", "50.769000", "2.300400"),
    ("La Table du Marais", "restauration", "Saint-Omer", "50.753300", "2.259900"),
    ("Musée Sandelin", "loisirs", "Saint-Omer", "50.748200", "2.254300"),
    ("Ferme des Endives", "terroir", "Tilques", None, None),
]


def make_place(office, staff_user, name, category, city, lat, lng, **changes) -> Listing:
    establishment = EstablishmentFactory(
        organisation=OrganisationFactory(office=office),
        name=name,
        category=Category.objects.get(office=office, slug=category),
        city=city,
        latitude=lat,
        longitude=lng,
        phone="+33321987654",
        email="contact@lieu.example",
        website="https://lieu.example",
    )
    listing = listing_services.ensure_listing(establishment)
    listing_services.mark_office_place(listing, is_office_place=True, actor=staff_user)
    changes.setdefault("short_description_fr", f"{name} : une adresse du Pays de Saint-Omer.")
    changes.setdefault("short_description_nl", f"{name}: een adres in de streek van Saint-Omer.")
    listing_services.edit_listing(listing, changes=changes, actor=staff_user)
    return Listing.objects.get(pk=listing.pk)


@pytest.fixture
def places(office, staff_user):
    listing_services.install_default_amenities(office)
    return [make_place(office, staff_user, *row) for row in PLACES]


def watch_csp(page) -> list[str]:
    """Every CSP violation and script error the page reports."""
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_the_directory_with_its_map(browser, live_server, office, places, settings):
    # The tiles come from another origin (127.0.0.1 rather than localhost): the page's CSP must
    # allow it. A static image stands for every tile; nothing leaves the machine.
    port = live_server.url.rsplit(":", 1)[1]
    settings.MAP_TILE_URL = (
        f"http://127.0.0.1:{port}/static/vendor/leaflet/images/layers.png?{{z}}-{{x}}-{{y}}"
    )
    page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
    problems = watch_csp(page)
    page.goto(f"{live_server.url}/{office.slug}/annuaire/")
    page.wait_for_selector(".leaflet-marker-icon")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() == 1
    assert page.locator(".listing-card").count() == 5
    assert page.locator(".leaflet-marker-icon").count() == 4  # the farm has no coordinates
    assert page.locator("img.leaflet-tile-loaded").count() > 0
    assert page.locator('.leaflet-marker-icon[alt="Musée Sandelin"]').count() == 1
    assert problems == []
    assert_accessible(page)
    screenshot(page, "public-annuaire")

    # A filter through the form, without JavaScript help: the town list.
    page.select_option("#id_ville", "Clairmarais")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    assert page.locator(".listing-card").count() == 1
    assert "Camping des Étangs" in page.locator(".listing-card").inner_text()

    # A malformed date: the message on the field, still accessible.
    page.goto(f"{live_server.url}/{office.slug}/annuaire/?ouvert_le=2023-02-30")
    assert "Date invalide" in page.locator("#id_ouvert_le_error").inner_text()
    assert_accessible(page)
    screenshot(page, "public-annuaire-erreur")


def test_the_directory_in_dutch(browser, live_server, office, places, settings):
    settings.MAP_TILE_URL = ""
    page = browser.new_page(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/{office.slug}/annuaire/loisirs/")
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "Musée Sandelin: een adres in de streek van Saint-Omer." in page.content()
    assert page.get_by_role("button", name="Filteren").count() == 1
    assert_accessible(page)
    screenshot(page, "public-annuaire-nl")


def test_a_listing_page(browser, live_server, office, places, staff_user):
    hotel = places[0]
    wifi = Amenity.objects.get(office=office, slug="acces-fauteuil")
    listing_services.edit_listing(
        hotel,
        changes={
            "booking_url": "https://reservation.example/remparts",
            "rooms": 12,
            "amenities": [wifi.pk],
            "opening_periods": [
                {
                    "starts_on": "2022-12-01",
                    "ends_on": "2023-03-31",
                    "opens_at": "08:00",
                    "closes_at": "22:00",
                    "closed_weekdays": [1],
                },  # fmt: skip
            ],
            "prices": [
                {"label_fr": "Chambre double", "amount": "95", "amount_max": "130", "season_year": 2022},
                {"label_fr": "Petit-déjeuner", "amount": "12", "season_year": 2021},
            ],
        },
        actor=staff_user,
    )
    today = datetime.date(2022, 12, 28)
    listing_services.set_availability(
        hotel, days={today: "available", today + datetime.timedelta(days=2): "full"}, actor=staff_user
    )
    Event.objects.create(
        office=office,
        establishment=hotel.establishment,
        title_fr="Soirée jazz aux Remparts",
        category="concert",
        starts_at=datetime.datetime(2023, 1, 14, 20, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2023, 1, 14, 23, 0, tzinfo=datetime.UTC),
        city="Saint-Omer",
        status=Event.Status.PUBLISHED,
    )
    page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
    problems = watch_csp(page)
    page.goto(f"{live_server.url}/{office.slug}/fiches/{hotel.pk}/")
    assert page.locator("h1").inner_text() == "Hôtel des Remparts"
    assert "tarif d'une saison passée" in page.content()
    assert page.locator("table.availability tbody tr").count() == 14
    assert "Soirée jazz aux Remparts" in page.content()
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert problems == []
    assert_accessible(page)
    screenshot(page, "public-fiche")


@pytest.mark.parametrize(("path", "title"), [("accessibilite/", "Déclaration d'accessibilité"),
                                             ("mentions-legales/", "Mentions légales")])  # fmt: skip
def test_statement_and_notices(browser, live_server, office, path, title):
    page = browser.new_page(locale="fr-FR")
    page.goto(f"{live_server.url}/{office.slug}/{path}")
    assert page.locator("h1").inner_text() == title
    assert_accessible(page)
    screenshot(page, "public-" + path.strip("/"))
