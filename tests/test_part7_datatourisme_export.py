"""DATAtourisme export (issue 12, part D): what the importer reads comes back out, so that an
export → import round trip keeps every field — names in three languages (and the others kept),
texts whole, all contacts, prices with their dates, amenities, category, coordinates, events —
and the office's own places are typed by their category in schema.org JSON-LD."""

import json

import pytest
import rdflib
from django.urls import reverse
from rdflib import Graph, Namespace, URIRef

from ensemble.datatourisme import services
from ensemble.directory.models import Category
from ensemble.events.models import Event
from ensemble.listings.models import Listing

from .test_api import API, office_place
from .test_part7_datatourisme_import import (
    ACTIVITY,
    CELLAR,
    CONCERT,
    NO_STREET,
    RENTAL,
    RENTAL_SHOP,
    WRONG_PLACE,
    part7,
)

pytestmark = pytest.mark.django_db
CORE = Namespace("https://www.datatourisme.fr/ontology/core#")
SCHEMA = Namespace("http://schema.org/")
PLACES = (RENTAL, CELLAR, ACTIVITY, RENTAL_SHOP, NO_STREET, WRONG_PLACE)


def listing_state(listing: Listing) -> dict:
    """Every field an import writes, as comparable values."""
    establishment = listing.establishment
    return {
        "names": (establishment.name, listing.name_en, listing.name_nl),
        "texts": {
            f"{base}_{lang}": getattr(listing, f"{base}_{lang}")
            for base in ("short_description", "long_description")
            for lang in ("fr", "en", "nl")
        },
        "other_languages": listing.other_languages,
        "contacts": (
            establishment.phone,
            establishment.email,
            establishment.website,
            listing.extra_phones,
            listing.extra_emails,
            listing.extra_websites,
            listing.booking_url,
        ),
        "prices": [
            (p.label_fr, p.label_en, p.label_nl, p.amount, p.amount_max, p.valid_from, p.valid_through)
            for p in listing.prices.order_by("position")
        ],
        "amenities": sorted((a.slug, a.name_fr, a.name_en, a.name_nl) for a in listing.amenities.all()),
        "category": establishment.category.slug,
        "address": (establishment.address, establishment.postcode, establishment.city),
        "coordinates": (establishment.latitude, establishment.longitude),
    }


def event_state(event: Event) -> dict:
    return {
        field: getattr(event, field)
        for field in (
            *(
                f"{base}_{lang}"
                for base in ("title", "summary", "description")
                for lang in ("fr", "en", "nl")
            ),
            "category",
            "starts_at",
            "ends_at",
            "all_day",
            "place_name",
            "address",
            "postcode",
            "city",
            "latitude",
            "longitude",
            "is_free",
            "price_text",
            "booking_url",
        )
    }


def test_an_export_imports_back_with_every_field(client, office, other_office, staff_user, other_staff_user):
    report = services.import_objects(office, part7(*PLACES, CONCERT), actor=staff_user)
    assert report.skipped == 0, report.skips
    originals = {
        listing.external_id: listing
        for listing in Listing.objects.filter(office=office).select_related("establishment__category")
    }
    documents = []
    for listing in originals.values():
        response = client.get(f"{API}/datatourisme/listings/{listing.pk}.jsonld")
        assert response.status_code == 200
        documents.append((f"{listing.pk}.jsonld", response.content))
    event = Event.objects.get(office=office)
    response = client.get(f"{API}/datatourisme/events/{event.pk}.jsonld")
    assert response.status_code == 200
    documents.append(("event.jsonld", response.content))

    again = services.import_objects(other_office, documents, actor=other_staff_user)
    assert (again.created, again.skipped) == (len(PLACES) + 1, 0), again.skips
    copies = {
        listing.establishment.name: listing
        for listing in Listing.objects.filter(office=other_office).select_related("establishment__category")
    }
    for original in originals.values():
        assert listing_state(copies[original.establishment.name]) == listing_state(original)
    assert event_state(Event.objects.get(office=other_office)) == event_state(event)
    # The long text survived whole, twice.
    assert len(copies["La Longère des Wateringues"].long_description_fr) == 1993


def test_amenities_go_out_as_features(client, office, staff_user):
    services.import_objects(office, part7(RENTAL), actor=staff_user)
    listing = Listing.objects.get(office=office)
    document = client.get(f"{API}/datatourisme/listings/{listing.pk}.jsonld").json()
    (feature_spec,) = document["hasFeature"]
    labels = sorted(feature["rdfs:label"]["en"][0] for feature in feature_spec["features"])
    assert labels == ["Garden", "Wifi"]
    graph = Graph()
    graph.parse(data=json.dumps(document), format="json-ld")
    assert len(set(graph.objects(None, CORE.features))) == 2


def test_prices_go_out_with_their_own_dates(client, office, staff_user):
    services.import_objects(office, part7(RENTAL), actor=staff_user)
    listing = Listing.objects.get(office=office)
    document = client.get(f"{API}/datatourisme/listings/{listing.pk}.jsonld").json()
    specs = document["offers"][0]["schema:priceSpecification"]
    assert {(spec["schema:validFrom"], spec["schema:validThrough"]) for spec in specs} == {
        ("2021-04-01T00:00:00", "2021-09-30T23:59:59"),
        ("2022-10-01T00:00:00", "2023-09-30T23:59:59"),
    }


def test_events_are_exported(client, office, staff_user):
    services.import_objects(office, part7(CONCERT), actor=staff_user)
    event = Event.objects.get(office=office)
    collection = client.get(f"{API}/datatourisme/events").json()
    (member,) = collection["hydra:member"]
    assert member["@id"].endswith(f"/agenda/{event.pk}/") or str(event.pk) in member["@id"]
    assert {"EntertainmentAndEvent", "Concert", "schema:Event"} <= set(member["@type"])
    assert member["takesPlaceAt"] == [
        {
            "@type": ["Period"],
            "startDate": "2023-06-17",
            "endDate": "2023-06-17",
            "startTime": "20:30:00",
            "endTime": "22:30:00",
        }
    ]
    graph = Graph()
    graph.parse(data=client.get(f"{API}/datatourisme/events/{event.pk}.jsonld").content, format="json-ld")
    assert CORE.EntertainmentAndEvent in set(graph.objects(None, rdflib.RDF.type))
    assert client.get(f"{API}/datatourisme/events/999999.jsonld").status_code == 404


def test_a_category_of_the_office_goes_out_as_its_mapped_class(client, office, staff_user):
    from ensemble.directory import services as directory_services

    cellars = directory_services.create_category(office, name="Caves et dégustations", actor=staff_user)
    services.set_class_mapping(office, datatourisme_class="WineCellar", category=cellars, actor=staff_user)
    services.import_objects(office, part7(CELLAR), actor=staff_user)
    listing = Listing.objects.get(office=office)
    assert listing.establishment.category == cellars
    document = client.get(f"{API}/datatourisme/listings/{listing.pk}.jsonld").json()
    assert "WineCellar" in document["@type"] and "TastingProvider" in document["@type"]


@pytest.mark.parametrize(
    ("category", "name", "expected"),
    [
        ("hebergement", "Hôtel de la Gare", "Hotel"),
        ("hebergement", "Gîte du Marais", "LodgingBusiness"),
        ("restauration", "Le Bistrot", "Restaurant"),
        ("bars", "Le Comptoir", "BarOrPub"),
        ("terroir", "La Ferme", "Store"),
        ("loisirs", "La Coupole", "TouristAttraction"),
    ],
)
def test_an_office_place_is_typed_by_its_category(client, office, staff_user, category, name, expected):
    listing = office_place(office, name, actor=staff_user, category=category)
    url = reverse("public:listing", kwargs={"office_slug": office.slug, "listing_id": listing.pk})
    page = client.get(url).content.decode()
    script = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(script)["@type"] == expected


def test_the_datatourisme_classes_of_an_office_lodging(client, office, staff_user):
    listing = office_place(office, "Gîte du Marais", actor=staff_user, category="hebergement")
    graph = Graph()
    graph.parse(data=client.get(f"{API}/datatourisme/listings/{listing.pk}.jsonld").content, format="json-ld")
    types = set(graph.objects(None, rdflib.RDF.type))
    assert CORE.Accommodation in types and SCHEMA.LodgingBusiness in types
    assert URIRef(str(SCHEMA) + "TouristAttraction") not in types
    assert Category.objects.filter(office=office, slug="hebergement").exists()


def test_an_export_imports_back_with_every_date(client, office, other_office, staff_user, other_staff_user):
    """An object with two dates to come is two agenda events; both go out (one object each,
    with its own @id) and come back in as two events with the same dates."""
    from .test_part7_datatourisme_import import JULY, JUNE, PAST, concert

    report = services.import_objects(office, [(CONCERT, concert(PAST, JUNE, JULY))], actor=staff_user)
    assert report.skipped == 0, report.skips
    events = list(Event.objects.filter(office=office).order_by("starts_at"))
    assert len(events) == 2
    collection = client.get(f"{API}/datatourisme/events").json()
    assert len(collection["hydra:member"]) == 2
    documents = []
    for event in events:
        response = client.get(f"{API}/datatourisme/events/{event.pk}.jsonld")
        assert response.status_code == 200
        documents.append((f"event-{event.pk}.jsonld", response.content))

    again = services.import_objects(other_office, documents, actor=other_staff_user)
    assert (again.created, again.skipped) == (2, 0), again.skips
    copies = list(Event.objects.filter(office=other_office).order_by("starts_at"))
    assert [event_state(copy) for copy in copies] == [event_state(event) for event in events]
    assert [(copy.starts_at, copy.ends_at, copy.all_day) for copy in copies] == [
        (event.starts_at, event.ends_at, event.all_day) for event in events
    ]
