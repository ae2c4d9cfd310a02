"""DATAtourisme: the export of a published listing (read back as JSON-LD with rdflib: classes
and fields of the ontology) and the import of the platform's objects (one JSON-LD file per
object) as places of the office: created, updated on re-import, unchanged, each skip with its
reason, one transaction per object, the management command and zip archives."""

import datetime
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from django.core.management import CommandError, call_command
from rdflib import Graph, Literal, Namespace, URIRef

from ensemble.datatourisme import export, services
from ensemble.datatourisme.importer import SkipObject, parse_object
from ensemble.datatourisme.models import ImportedOwner, ImportRun
from ensemble.datatourisme.vocabulary import CONTEXT
from ensemble.directory.models import Establishment, Organisation
from ensemble.listings import services as listing_services
from ensemble.listings.fields import ListingError
from ensemble.listings.models import Listing, ListingVersion
from ensemble.publishing import selectors as publishing
from ensemble.publishing.selectors import DirectoryFilters

from .images import jpeg_upload
from .test_api import API, office_place

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data" / "datatourisme"
FLUX = DATA / "flux"
CORE = Namespace("https://www.datatourisme.fr/ontology/core#")
SCHEMA = Namespace("http://schema.org/")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
DC = Namespace("http://purl.org/dc/elements/1.1/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
EBU = Namespace("http://www.ebu.ch/metadata/ontologies/ebucore/ebucore#")
HOTEL_ID = "https://data.datatourisme.fr/10/3f1c2a9e-7d4b-3c21-9a55-1b2c3d4e5f60"


def flux_files() -> list[tuple[str, bytes]]:
    return [(str(path.relative_to(FLUX)), path.read_bytes()) for path in sorted(FLUX.rglob("*.json"))]


def read(name: str) -> tuple[str, bytes]:
    return name, (FLUX / "objects" / name).read_bytes()


def graph_of(document: bytes) -> Graph:
    graph = Graph()
    graph.parse(data=document, format="json-ld")
    return graph


# ---- export -----------------------------------------------------------------------------------


@pytest.fixture
def hotel(office, staff_user):
    listing = office_place(
        office,
        "Hôtel du Vieux Quai",
        actor=staff_user,
        category="hebergement",
        short_description_fr="Hôtel de charme au bord de l'Aa.",
        short_description_en="Charming hotel by the Aa.",
        short_description_nl="Sfeervol hotel aan de Aa.",
        long_description_fr="Douze chambres dans une maison de batelier.",
        phone="03 21 98 76 54",
        email="accueil@vieux-quai.example",
        website="https://www.vieux-quai.example/",
        booking_url="https://www.vieux-quai.example/reserver",
        opening_periods=[
            {
                "starts_on": "2022-04-01",
                "ends_on": "2022-10-31",
                "opens_at": "07:00",
                "closes_at": "22:00",
                "closed_weekdays": [7],
            }
        ],
        prices=[
            {
                "label_fr": "Chambre double",
                "label_en": "Double room",
                "amount": "78",
                "amount_max": "115",
                "season_year": 2022,
            }
        ],
    )
    listing_services.upload_photo(
        listing,
        image=jpeg_upload(),
        credit="Camille Delannoy",
        alt_texts={"fr": "La façade"},
        rights_declared=True,
        actor=staff_user,
    )
    listing_services.approve_proposal(listing.proposals.get(status="pending"), actor=staff_user)
    return Listing.objects.get(pk=listing.pk)


def test_a_listing_read_back_as_datatourisme_json_ld(client, hotel):
    response = client.get(f"{API}/datatourisme/listings/{hotel.pk}.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    document = response.json()
    assert document["@context"] == CONTEXT
    graph = graph_of(response.content)
    node = URIRef(f"http://testserver/saint-omer/fiches/{hotel.pk}/")

    types = set(graph.objects(node, rdflib.RDF.type))
    assert {CORE.Accommodation, SCHEMA.LodgingBusiness, CORE.PlaceOfInterest, CORE.PointOfInterest} <= types
    assert Literal("Hôtel du Vieux Quai", lang="nl") in set(graph.objects(node, RDFS.label))
    description = graph.value(node, CORE.hasDescription)
    assert set(graph.objects(description, CORE.shortDescription)) == {
        Literal("Hôtel de charme au bord de l'Aa.", lang="fr"),
        Literal("Charming hotel by the Aa.", lang="en"),
        Literal("Sfeervol hotel aan de Aa.", lang="nl"),
    }
    assert graph.value(description, DC.description) == Literal(
        "Douze chambres dans une maison de batelier.", lang="fr"
    )

    place = graph.value(node, CORE.isLocatedAt)
    address = graph.value(place, SCHEMA.address)
    assert str(graph.value(address, SCHEMA.postalCode)) == "62500"
    assert str(graph.value(address, SCHEMA.streetAddress)) == "1 rue de l'Abbaye"
    assert str(graph.value(address, SCHEMA.addressLocality)) == "Saint-Omer"
    geo = graph.value(place, SCHEMA.geo)
    assert graph.value(geo, SCHEMA.latitude) == Literal("50.750000", datatype=rdflib.XSD.decimal)
    hours = graph.value(place, SCHEMA.openingHoursSpecification)
    assert graph.value(hours, SCHEMA.opens) == Literal("07:00:00", datatype=rdflib.XSD.time)
    assert SCHEMA.Sunday not in set(graph.objects(hours, SCHEMA.dayOfWeek))
    assert SCHEMA.Monday in set(graph.objects(hours, SCHEMA.dayOfWeek))

    contact = graph.value(node, CORE.hasContact)
    assert str(graph.value(contact, SCHEMA.telephone)) == "+33321987654"
    assert str(graph.value(contact, SCHEMA.email)) == "accueil@vieux-quai.example"
    assert graph.value(contact, FOAF.homepage) == URIRef("https://www.vieux-quai.example/")

    offer = graph.value(node, CORE.offers)
    price = graph.value(offer, SCHEMA.priceSpecification)
    assert graph.value(price, SCHEMA.minPrice) == Literal("78.00", datatype=rdflib.XSD.decimal)
    assert graph.value(price, SCHEMA.maxPrice) == Literal("115.00", datatype=rdflib.XSD.decimal)
    assert str(graph.value(price, SCHEMA.priceCurrency)) == "EUR"
    assert graph.value(price, CORE.additionalInformation, any=True) is not None

    assert graph.value(node, CORE.lastUpdate) == Literal(
        hotel.updated_at.date().isoformat(), datatype=rdflib.XSD.date
    )
    owner = graph.value(node, CORE.isOwnedBy)
    assert str(graph.value(owner, SCHEMA.legalName)) == "SPL Tourisme en Pays de Saint-Omer"
    representation = graph.value(node, CORE.hasMainRepresentation)
    resource = graph.value(representation, EBU.hasRelatedResource)
    assert str(graph.value(resource, EBU.locator)).startswith("http://testserver/media/listings/photos/")
    assert (
        str(graph.value(graph.value(representation, EBU.hasAnnotation), CORE.credits)) == "Camille Delannoy"
    )


def expand(name: str) -> URIRef:
    return URIRef(str(SCHEMA) + name[7:]) if name.startswith("schema:") else CORE[name]


@pytest.mark.parametrize(
    ("category", "is_office_place", "expected"),
    [
        ("restauration", False, {CORE.FoodEstablishment, CORE.Restaurant, SCHEMA.Restaurant}),
        ("bars", False, {CORE.BarOrPub, SCHEMA.BarOrPub, CORE.FoodEstablishment}),
        ("loisirs", False, {CORE.SportsAndLeisurePlace}),
        ("loisirs", True, {CORE.CulturalSite, SCHEMA.TouristAttraction}),
        ("terroir", False, {CORE.Store, SCHEMA.LocalBusiness}),
    ],
)
def test_classes_follow_the_category(client, office, staff_user, category, is_office_place, expected):
    listing = office_place(office, "Lieu", actor=staff_user, category=category)
    listing.is_office_place = is_office_place
    assert expected | {CORE.PlaceOfInterest, CORE.PointOfInterest} <= {
        expand(name) for name in export.classes(listing)
    }
    if is_office_place:  # and as read back from the published document
        graph = graph_of(client.get(f"{API}/datatourisme/listings/{listing.pk}.jsonld").content)
        assert expected <= set(graph.objects(None, rdflib.RDF.type))


def test_the_collection_pages_through_the_listings(client, office, staff_user):
    for n in range(5):
        office_place(office, f"Chapelle n° {n}", actor=staff_user)
    members, url, pages = [], f"{API}/datatourisme/listings?limit=2", 0
    while url:
        response = client.get(url)
        assert response["Content-Type"].startswith("application/ld+json")
        document = response.json()
        members += document["hydra:member"]
        graph_of(response.content)  # each page is valid JSON-LD
        url = document.get("hydra:view", {}).get("hydra:next", {}).get("@id")
        pages += 1
    assert pages == 3
    assert [m["rdfs:label"]["fr"][0] for m in members] == [f"Chapelle n° {n}" for n in range(5)]
    assert all("@context" not in member for member in members)


def test_export_404s(client, office, other_office, other_staff_user):
    elsewhere = office_place(other_office, "Collégiale", actor=other_staff_user)
    assert client.get(f"{API}/datatourisme/listings/{elsewhere.pk}.jsonld").status_code == 404
    assert client.get(f"{API}/datatourisme/listings/{elsewhere.pk}").status_code == 404
    assert client.get(f"{API}/datatourisme/listings?category=volcans").json() == {
        "detail": "Catégorie inconnue : « volcans »."
    }


# ---- import -----------------------------------------------------------------------------------


def test_the_flux_is_imported_as_office_places(office, staff_user):
    report = services.import_objects(office, flux_files(), actor=staff_user)
    assert (report.files, report.created, report.updated, report.unchanged, report.skipped) == (
        11,
        5,
        0,
        0,
        6,
    )
    listings = {
        listing.establishment.name: listing
        for listing in Listing.objects.filter(office=office).select_related(
            "establishment__category", "establishment__organisation"
        )
    }
    assert {name: listing.establishment.category.slug for name, listing in listings.items()} == {
        "Hôtel du Vieux Quai": "hebergement",
        "L'Estaminet du Marais": "restauration",
        "Le Bateau Ivre": "bars",
        "Musée de la Batellerie": "loisirs",
        "Ferme des Wateringues": "terroir",
    }
    assert all(listing.is_office_place and listing.source == "datatourisme" for listing in listings.values())
    hotel = listings["Hôtel du Vieux Quai"]
    assert hotel.external_id == HOTEL_ID
    assert (
        hotel.short_description_en
        == "Charming hotel on the banks of the Aa, a stone's throw from the cathedral."
    )
    assert hotel.long_description_nl.startswith("Twaalf kamers")
    establishment = hotel.establishment
    assert (establishment.address, establishment.postcode, establishment.city) == (
        "12 quai des Salines",
        "62500",
        "Saint-Omer",
    )
    assert (establishment.latitude, establishment.longitude) == (Decimal("50.752314"), Decimal("2.259102"))
    assert (establishment.phone, establishment.email, establishment.website) == (
        "+33321987654",
        "accueil@vieux-quai.example",
        "https://www.vieux-quai.example/",
    )
    assert list(hotel.prices.values_list("label_fr", "label_nl", "amount", "amount_max", "season_year")) == [
        ("Chambre double", "Tweepersoonskamer", Decimal("78.00"), Decimal("115.00"), 2022)
    ]
    # The owner (isOwnedBy) is one organisation for all its places; without one, the place's name.
    assert establishment.organisation.name == "Office de Tourisme des Marais Audomarois"
    assert listings["L'Estaminet du Marais"].establishment.organisation_id == establishment.organisation_id
    assert listings["Le Bateau Ivre"].establishment.organisation_id == establishment.organisation_id
    assert listings["Musée de la Batellerie"].establishment.organisation.name == "Musée de la Batellerie"
    assert ImportedOwner.objects.filter(office=office).count() == 3
    # Through the services: a version each, and the search fields kept (the directory finds them).
    assert ListingVersion.objects.filter(listing=hotel).exists()
    found = publishing.directory(office, DirectoryFilters(q="batelier"))
    assert [listing.pk for listing in found] == [hotel.pk]
    assert set(publishing.published_listings(office)) == set(listings.values())
    # Plain text only: tags of the source are dropped, the words kept.
    assert listings["Ferme des Wateringues"].short_description_fr.startswith(
        "Vente à la ferme : choux-fleurs,"
    )


def test_each_skip_has_its_reason_and_values_refused_are_reported(office, staff_user):
    report = services.import_objects(office, flux_files(), actor=staff_user)
    assert dict(report.skips) == {
        "index.json": "fichier ignoré : une liste (l'index d'une archive ?), pas un objet DATAtourisme",
        "objects/10-pas-du-json.json": "fichier illisible : pas du JSON",
        "objects/10-sans-identifiant.json": "champ obligatoire manquant : @id",
        "objects/10-sans-nom.json": "champ obligatoire manquant : rdfs:label",
        "objects/10-sans-adresse.json": "champ obligatoire manquant : isLocatedAt / schema:address",
        "objects/23-circuit-des-marais.json": (
            "aucune catégorie pour la classe : schema:TouristTrip, Tour, WalkingTour "
            "(table des classes DATAtourisme de l'office)"
        ),
    }
    assert sorted(report.warnings) == [
        ("objects/10-d4c3b2a1-le-bateau-ivre.json", "coordonnées ignorées : « 91.5 », « 2.25 »"),
        ("objects/3-c9e8d7f6-ferme-des-wateringues.json", "e-mail ignoré : « pas-une-adresse »"),
        ("objects/3-c9e8d7f6-ferme-des-wateringues.json", "site web ignoré : « javascript:alert(1) »"),
        ("objects/3-c9e8d7f6-ferme-des-wateringues.json", "téléphone ignoré : « 12 34 »"),
    ]
    run = report.run
    assert (run.files, run.created, run.skipped, run.started_by) == (11, 5, 6, staff_user)
    assert {
        "file": "objects/10-sans-nom.json",
        "reason": "champ obligatoire manquant : rdfs:label",
    } in run.skips
    farm = Establishment.objects.get(name="Ferme des Wateringues")
    assert (farm.phone, farm.email, farm.website) == ("", "", "")


def test_a_reimport_updates_never_duplicates(office, staff_user):
    services.import_objects(office, flux_files(), actor=staff_user)
    counts = (Listing.objects.count(), Establishment.objects.count(), Organisation.objects.count())
    versions = ListingVersion.objects.count()

    again = services.import_objects(office, flux_files(), actor=staff_user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert ListingVersion.objects.count() == versions  # nothing written for unchanged objects

    update = services.import_objects(
        office,
        [("hotel.json", (DATA / "update" / "10-3f1c2a9e-hotel-du-vieux-quai.json").read_bytes())],
        actor=staff_user,
    )
    assert (update.created, update.updated, update.unchanged) == (0, 1, 0)
    assert (Listing.objects.count(), Establishment.objects.count(), Organisation.objects.count()) == counts
    hotel = Listing.objects.get(external_id=HOTEL_ID)
    assert (
        hotel.short_description_fr == "Hôtel de charme rénové au bord de l'Aa, à deux pas de la cathédrale."
    )
    assert hotel.establishment.phone == "+33321987655"
    assert list(hotel.prices.values_list("amount", "season_year")) == [(Decimal("82.00"), 2023)]
    assert hotel.versions.first().origin == ListingVersion.Origin.STAFF


def test_staff_decisions_survive_a_reimport(office, staff_user):
    services.import_objects(office, [read("10-3f1c2a9e-hotel-du-vieux-quai.json")], actor=staff_user)
    hotel = Listing.objects.get(external_id=HOTEL_ID)
    listing_services.unpublish_listing(hotel, reason="Fermé définitivement.", actor=staff_user, notify=False)
    report = services.import_objects(office, [read("10-3f1c2a9e-hotel-du-vieux-quai.json")], actor=staff_user)
    assert report.unchanged == 1
    hotel.refresh_from_db()
    assert hotel.unpublished_at is not None


def test_one_bad_object_does_not_undo_the_others(office, staff_user, monkeypatch):
    edit = listing_services.edit_listing

    def refuse_the_museum(listing, *, changes, actor):
        if changes.get("name") == "Musée de la Batellerie":
            raise ListingError(
                "La description courte (français) dépasse 200 caractères (201) : raccourcissez-la."
            )
        return edit(listing, changes=changes, actor=actor)

    monkeypatch.setattr(listing_services, "edit_listing", refuse_the_museum)
    report = services.import_objects(office, flux_files(), actor=staff_user)
    assert report.created == 4
    assert (
        "objects/13-b0c4e2f7-musee-de-la-batellerie.json",
        "refusé : La description courte (français) dépasse 200 caractères (201) : raccourcissez-la.",
    ) in report.skips
    # Nothing of the museum was left behind: neither its establishment nor its owner.
    assert not Establishment.objects.filter(name="Musée de la Batellerie").exists()
    assert not Organisation.objects.filter(name="Musée de la Batellerie").exists()
    assert Listing.objects.count() == 4


def test_offices_are_kept_apart(office, other_office, staff_user, other_staff_user):
    services.import_objects(office, [read("10-3f1c2a9e-hotel-du-vieux-quai.json")], actor=staff_user)
    report = services.import_objects(
        other_office, [read("10-3f1c2a9e-hotel-du-vieux-quai.json")], actor=other_staff_user
    )
    assert report.created == 1  # the same @id is another listing in another office
    assert Listing.objects.filter(external_id=HOTEL_ID).count() == 2
    assert Organisation.objects.get(office=other_office).office_id == other_office.pk


def test_an_exported_listing_imports_back(client, office, other_office, hotel, other_staff_user):
    document = client.get(f"{API}/datatourisme/listings/{hotel.pk}.jsonld").content
    report = services.import_objects(other_office, [("export.jsonld", document)], actor=other_staff_user)
    assert report.created == 1, report.skips
    copy = Listing.objects.select_related("establishment__category").get(office=other_office)
    assert copy.establishment.name == "Hôtel du Vieux Quai"
    assert copy.establishment.category.slug == "hebergement"
    assert copy.short_description_nl == "Sfeervol hotel aan de Aa."
    assert copy.long_description_fr == "Douze chambres dans une maison de batelier."
    assert copy.booking_url == "https://www.vieux-quai.example/reserver"
    assert list(copy.prices.values_list("label_en", "amount", "amount_max")) == [
        ("Double room", Decimal("78.00"), Decimal("115.00"))
    ]
    assert copy.establishment.organisation.name == "SPL Tourisme en Pays de Saint-Omer"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (42, "fichier ignoré : pas un objet DATAtourisme"),
        ({"@context": CONTEXT}, "fichier ignoré : contexte JSON-LD seul, sans objet"),
        ({"@id": 12}, "champ obligatoire manquant : @id"),
        ({"@id": "x" * 301}, "identifiant trop long : @id dépasse 300 caractères"),
        ({"@id": "urn:a", "rdfs:label": {"fr": [""]}}, "champ obligatoire manquant : rdfs:label"),
        ({"@id": "urn:a", "rdfs:label": "Nom", "@type": {"x": 1}}, "classe inconnue : aucune classe (@type)"),
        (
            {"@id": "urn:a", "rdfs:label": "Nom", "@type": "Accommodation", "isLocatedAt": "ici"},
            "champ obligatoire manquant : isLocatedAt / schema:address",
        ),
        (
            {
                "@id": "urn:a",
                "rdfs:label": "Nom",
                "@type": ["Accommodation"],
                "isLocatedAt": {"schema:address": {"schema:streetAddress": "1 rue"}},
            },
            "champ obligatoire manquant : schema:postalCode, schema:addressLocality (commune)",
        ),
        (
            {
                "@id": "urn:a",
                "rdfs:label": "Nom",
                "@type": ["Accommodation"],
                "isLocatedAt": {
                    "schema:address": {
                        "schema:streetAddress": "1 rue",
                        "schema:postalCode": "6250062500x",
                        "schema:addressLocality": "Arques",
                    }
                },
            },
            "code postal invalide : « 6250062500x »",
        ),
    ],
)
def test_odd_objects_are_skipped_with_a_reason(data, reason):
    with pytest.raises(SkipObject) as info:
        parse_object(data)
    assert info.value.reason == reason


def test_loose_values_are_read(office, staff_user):
    loose = {
        "@id": "https://www.datatourisme.fr/ontology/core#example",
        "@type": ["https://www.datatourisme.fr/ontology/core#CulturalSite", "http://schema.org/Museum"],
        "rdfs:label": {"@value": "Maison du Patrimoine", "@language": "fr"},
        "isLocatedAt": [
            {
                "schema:address": [
                    {
                        "schema:streetAddress": {"@value": "3 rue Carnot"},
                        "schema:postalCode": 62500,
                        "hasAddressCity": {"rdfs:label": {"fr": "Saint-Omer"}},
                    }
                ]
            }
        ],
        "offers": [
            {
                "schema:priceSpecification": [
                    {"schema:price": "4,50", "schema:priceCurrency": "EUR"},
                    {"schema:minPrice": "10", "schema:priceCurrency": "USD"},
                    {"schema:minPrice": "abc"},
                ]
            }
        ],
        "hasContact": {"schema:telephone": "03 21 00 00 00"},
    }
    place = parse_object(loose)
    assert (place.name, place.category, place.address, place.postcode, place.city) == (
        "Maison du Patrimoine",
        "loisirs",
        "3 rue Carnot",
        "62500",
        "Saint-Omer",
    )
    assert [(p["label_fr"], p["amount"], p["season_year"]) for p in place.prices] == [("Tarif", "4.50", 2022)]
    assert place.phone == "+33321000000"
    report = services.import_objects(office, [("loose.json", json.dumps(loose).encode())], actor=staff_user)
    assert report.created == 1, report.skips


# ---- where the files come from ----------------------------------------------------------------


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_archive_is_read_file_by_file(office, staff_user):
    archive = zip_of(
        {name: content for name, content in flux_files()} | {"__MACOSX/._x.json": b"junk", "objects/": b""}
    )
    report = services.import_objects(
        office, services.files_from_zip(archive, max_files=100, max_total=10**8), actor=staff_user
    )
    assert (report.files, report.created, report.skipped) == (11, 5, 6)


def test_bad_or_oversized_archives_are_refused_before_anything_is_read(office):
    with pytest.raises(services.DatatourismeError, match="pas une archive zip lisible"):
        services.files_from_zip(b"PK\x03\x04 truncated", max_files=10, max_total=10**6)
    with pytest.raises(services.DatatourismeError, match="L'archive contient 3 fichiers : 2 au plus"):
        services.files_from_zip(zip_of({f"{n}.json": b"{}" for n in range(3)}), max_files=2, max_total=10**6)
    bomb = zip_of({"bombe.json": b"0" * 2_000_000})
    with pytest.raises(services.DatatourismeError, match="dépasse 1 Mo"):
        services.files_from_zip(bomb, max_files=10, max_total=1024 * 1024)
    assert not Listing.objects.exists()


def test_the_command_imports_a_directory(office, staff_user, capsys):
    call_command("import_datatourisme", "saint-omer", str(FLUX), "--as", staff_user.email)
    out = capsys.readouterr().out
    assert "11 fichier(s) : 5 créée(s), 0 mise(s) à jour, 0 inchangée(s), 6 ignoré(s), 2 incomplet(s)" in out
    assert "ignoré  objects/10-pas-du-json.json : fichier illisible : pas du JSON" in out
    run = ImportRun.objects.get()
    assert (run.source, run.started_by, run.created) == ("command", staff_user, 5)
    call_command("import_datatourisme", "saint-omer", str(FLUX))
    assert "0 créée(s), 0 mise(s) à jour, 5 inchangée(s)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Office inconnu : nulle-part"):
        call_command("import_datatourisme", "nulle-part", str(FLUX))
    with pytest.raises(CommandError, match="Dossier introuvable"):
        call_command("import_datatourisme", "saint-omer", str(FLUX / "absent"))


def test_imported_places_show_in_the_api(client, office, staff_user):
    services.import_objects(office, flux_files(), actor=staff_user)
    page = client.get(f"{API}/listings?category=hebergement").json()
    assert [item["name"] for item in page["items"]] == ["Hôtel du Vieux Quai"]
    assert page["items"][0]["is_office_place"] is True
    assert datetime.date.fromisoformat(page["items"][0]["updated_at"][:10]) == datetime.date(2022, 12, 28)


def test_a_long_report_is_cut_but_counts_stay_exact(office, staff_user, monkeypatch):
    monkeypatch.setattr(services.runs, "MAX_REPORTED", 2)
    report = services.import_objects(
        office, [(f"{n}.json", b"pas du json") for n in range(5)], actor=staff_user
    )
    assert report.skipped == 5 and report.run.skipped == 5
    assert [row["file"] for row in report.run.skips] == ["0.json", "1.json", "…"]
    assert report.run.skips[-1]["reason"] == "et 3 autre(s) fichier(s) ignoré(s)"
