"""The schema.org JSON-LD of listing pages, read back with a structured-data extractor (extruct)."""

import extruct
import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from ensemble.directory.models import Category
from ensemble.listings import services as listing_services
from ensemble.listings.models import Amenity, Listing, Photo
from ensemble.public.jsonld import script_content
from ensemble.publishing.services import refresh_listing_snapshot

from .factories import EstablishmentFactory, OrganisationFactory
from .images import jpeg_upload

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


@pytest.fixture(autouse=True)
def _back_to_french():
    """LocaleMiddleware leaves the last request's language active in the thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def jsonld_of(client, listing, **params) -> dict:
    path = f"/{listing.office.slug}/fiches/{listing.pk}/"
    response = client.get(path, params)
    assert response.status_code == 200
    found = extruct.extract(response.content.decode(), base_url=BASE + path, syntaxes=["json-ld"])["json-ld"]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def partner_listing(make_membership, staff_user):
    """An active partner's listing in a category, with approved content and coordinates."""

    def _make(name: str, login: str, *, category: str, lat="50.750000", lng="2.252000", **changes) -> Listing:
        membership = make_membership("active", email=login, establishment_name=name)
        establishment = membership.establishment
        establishment.category = Category.objects.get(office=establishment.office, slug=category)
        establishment.latitude, establishment.longitude = lat, lng
        establishment.save()
        listing = listing_services.ensure_listing(establishment)
        listing_services.edit_listing(listing, changes=changes, actor=staff_user)
        return Listing.objects.get(pk=listing.pk)

    return _make


def test_a_hotel_is_a_hotel_with_its_rooms_hours_prices_and_booking(client, office, partner_listing):
    wifi = Amenity.objects.create(
        office=office, group="equipment", slug="wifi", name_fr="Wi-Fi gratuit", name_en="Free Wi-Fi"
    )
    listing = partner_listing(
        "Hôtel des Remparts",
        "s@r.example",
        category="hebergement",
        short_description_fr="Hôtel de charme au pied des remparts.",
        short_description_en="A charming hotel below the ramparts.",
        phone="03 21 98 76 54",
        email="accueil@remparts.example",
        website="https://remparts.example",
        booking_url="https://reservation.example/remparts",
        amenities=[wifi.pk],
        opening_periods=[
            {
                "starts_on": "2022-12-01",
                "ends_on": "2023-03-31",
                "opens_at": "08:00",
                "closes_at": "22:00",
                "closed_weekdays": [1, 7],
            },  # fmt: skip
            {"starts_on": "2022-01-01", "ends_on": "2022-06-30"},  # over: not announced
        ],
        prices=[
            {
                "label_fr": "Chambre double",
                "label_en": "Double room",
                "amount": "95",
                "amount_max": "130",
                "season_year": 2022,
            },  # fmt: skip
            {"label_fr": "Petit-déjeuner", "amount": "12.50", "season_year": 2022},
            {"label_fr": "Ancien tarif", "amount": "80", "season_year": 2021},  # past: not offered
        ],
    )
    Photo.objects.create(
        listing=listing,
        image=jpeg_upload(1200, 800),
        credit="Jeanne Morel",
        alt_text_fr="La cour intérieure",
        status=Photo.Status.PUBLISHED,
        rights_declared_at=timezone.now(),
    )
    with transaction.atomic():  # written without the services: the snapshot is refreshed by hand
        refresh_listing_snapshot(listing.pk)
    data = jsonld_of(client, listing)
    url = f"{BASE}/{office.slug}/fiches/{listing.pk}/"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Hotel"
    assert data["name"] == "Hôtel des Remparts"
    assert data["url"] == url
    assert data["description"] == "Hôtel de charme au pied des remparts."
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "3 rue de l'Écusserie",
        "postalCode": "62500",
        "addressLocality": "Saint-Omer",
        "addressCountry": "FR",
    }
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 50.75, "longitude": 2.252}
    assert data["telephone"] == "+33321987654"
    assert data["email"] == "accueil@remparts.example"
    assert data["sameAs"] == "https://remparts.example"
    assert data["potentialAction"] == {
        "@type": "ReserveAction",
        "target": {"@type": "EntryPoint", "urlTemplate": "https://reservation.example/remparts"},
    }
    assert data["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [
                f"https://schema.org/{day}"
                for day in ("Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
            ],  # fmt: skip
            "validFrom": "2022-12-01",
            "validThrough": "2023-03-31",
            "opens": "08:00",
            "closes": "22:00",
        }
    ]
    offers = data["makesOffer"]
    assert [offer["name"] for offer in offers] == ["Chambre double", "Petit-déjeuner"]
    assert offers[0]["priceSpecification"] == {
        "@type": "PriceSpecification",
        "minPrice": "95.00",
        "maxPrice": "130.00",
        "priceCurrency": "EUR",
    }
    assert offers[1]["price"] == "12.50" and offers[1]["priceCurrency"] == "EUR"
    assert data["priceRange"] == "12,50\u00a0€ – 130\u00a0€"
    assert data["amenityFeature"] == [
        {"@type": "LocationFeatureSpecification", "name": "Wi-Fi gratuit", "value": True}
    ]
    (image,) = data["image"]
    assert image["@type"] == "ImageObject"
    assert image["contentUrl"].startswith(f"{BASE}/media/listings/photos/")
    assert image["creditText"] == "Jeanne Morel" and image["caption"] == "La cour intérieure"
    # In English: the English texts, the French ones where there is no translation.
    english = jsonld_of(client, listing, langue="en")
    assert english["description"] == "A charming hotel below the ramparts."
    assert [offer["name"] for offer in english["makesOffer"]] == ["Double room", "Petit-déjeuner"]
    assert english["amenityFeature"][0]["name"] == "Free Wi-Fi"


def test_a_restaurant_is_a_restaurant(client, partner_listing):
    listing = partner_listing(
        "La Table du Marais",
        "t@m.example",
        category="restauration",
        lat=None,
        lng=None,
        prices=[{"label_fr": "Menu du jour", "amount": "18", "season_year": 2022}],
    )
    data = jsonld_of(client, listing)
    assert data["@type"] == "Restaurant"
    assert data["name"] == "La Table du Marais"
    assert data["makesOffer"] == [
        {
            "@type": "Offer",
            "name": "Menu du jour",
            "priceCurrency": "EUR",
            "validFrom": "2022-01-01",
            "validThrough": "2022-12-31",
            "price": "18.00",
        }
    ]
    assert data["priceRange"] == "18\u00a0€"
    for absent in ("geo", "potentialAction", "image", "openingHoursSpecification", "sameAs"):
        assert absent not in data


@pytest.mark.parametrize(
    ("name", "category", "expected"),
    [
        ("Camping des Étangs", "hebergement", "Campground"),
        ("Chambres d'hôtes du Lac", "hebergement", "BedAndBreakfast"),
        ("Gîte du Watergang", "hebergement", "LodgingBusiness"),
        ("Estaminet du Haut-Pont", "bars", "BarOrPub"),
        ("Marais en barque", "loisirs", "TouristAttraction"),
        ("Ferme des Endives", "terroir", "Store"),
    ],
)
def test_the_type_follows_the_category(client, partner_listing, name, category, expected):
    listing = partner_listing(name, f"{category}@{expected.lower()}.example", category=category)
    assert jsonld_of(client, listing)["@type"] == expected


def test_an_office_place_is_a_tourist_attraction(client, office, staff_user):
    # Typed by its category like any place (issue 12: an office lodging is no attraction).
    establishment = EstablishmentFactory(
        organisation=OrganisationFactory(office=office),
        name="Cathédrale Notre-Dame",
        category=Category.objects.get(office=office, slug="loisirs"),
        address="Enclos Notre-Dame",
        latitude="50.748300",
        longitude="2.255500",
    )
    listing = listing_services.ensure_listing(establishment)
    listing_services.mark_office_place(listing, is_office_place=True, actor=staff_user)
    listing_services.edit_listing(
        listing,
        changes={
            "short_description_fr": "Chef-d'œuvre gothique.",
            "short_description_nl": "Gotisch meesterwerk.",
            "opening_periods": [
                {
                    "starts_on": "2022-01-01",
                    "ends_on": "2023-12-31",
                    "opens_at": "09:00",
                    "closes_at": "18:00",
                }
            ],
        },
        actor=staff_user,
    )
    client.cookies["django_language"] = "nl"
    data = jsonld_of(client, listing)
    assert data["@type"] == "TouristAttraction"
    assert data["name"] == "Cathédrale Notre-Dame"
    assert data["description"] == "Gotisch meesterwerk."
    assert data["address"]["streetAddress"] == "Enclos Notre-Dame"
    assert data["geo"]["latitude"] == 50.7483
    assert len(data["openingHoursSpecification"][0]["dayOfWeek"]) == 7
    assert "makesOffer" not in data


def test_the_script_cannot_be_closed_by_a_text():
    content = script_content({"name": "</script><script>alert(1)</script> & co"})
    assert "</script>" not in content and "<" not in content and "&" not in content.replace("\\u0026", "")


def test_only_current_prices_are_offered(client, partner_listing):
    listing = partner_listing(
        "Le Vieux Moulin",
        "v@m.example",
        category="restauration",
        prices=[{"label_fr": "Menu 2021", "amount": "15", "season_year": 2021}],
    )
    data = jsonld_of(client, listing)
    assert "makesOffer" not in data and "priceRange" not in data  # 2021 is over on 28/12/2022
