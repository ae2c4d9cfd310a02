"""The open-data API (/<office>/api/v1/): listings and events as JSON, filtered like the public
pages, paginated by cursor, `since=` with the ids of what is no longer published, 404 for
anything not published in this office, and a number of queries independent of the rows."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ensemble.directory import services as directory_services
from ensemble.directory.models import Category
from ensemble.events.models import Event
from ensemble.listings import services as listing_services
from ensemble.listings.models import Amenity, Listing
from ensemble.memberships import services as membership_services
from ensemble.memberships.models import Membership, Offer

from .images import jpeg_upload

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
API = "/saint-omer/api/v1"


def office_place(
    office, name: str, *, actor, category: str = "loisirs", city: str = "Saint-Omer", **changes
) -> Listing:
    """A place the office publishes itself (a museum, a church), made through the services."""
    organisation = directory_services.create_organisation(
        office, actor=actor, name=f"Régie {name}", address="Place Foch", postcode="62500", city="Saint-Omer"
    )
    establishment = directory_services.save_establishment(
        organisation,
        actor=actor,
        name=name,
        category=Category.objects.get(office=office, slug=category),
        address="1 rue de l'Abbaye",
        postcode="62500",
        city=city,
        latitude=Decimal("50.750000"),
        longitude=Decimal("2.250000"),
    )
    listing = listing_services.ensure_listing(establishment)
    listing_services.mark_office_place(listing, is_office_place=True, actor=actor)
    if changes:
        listing_services.edit_listing(listing, changes=changes, actor=actor)
    return Listing.objects.get(pk=listing.pk)


def event(office, title: str, *, starts: datetime.datetime, status=Event.Status.PUBLISHED, **fields) -> Event:
    fields.setdefault("city", "Saint-Omer")
    return Event.objects.create(
        office=office,
        title_fr=title,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        status=status,
        **fields,
    )


@pytest.fixture
def place(office, staff_user):
    def _make(name: str, **kwargs) -> Listing:
        return office_place(office, name, actor=staff_user, **kwargs)

    return _make


@pytest.fixture
def active(make_membership, staff_user):
    """An active partner's listing."""

    def _make(name: str, email: str, **changes) -> Listing:
        membership = make_membership("active", email=email, establishment_name=name)
        listing = listing_services.ensure_listing(membership.establishment)
        if changes:
            listing_services.edit_listing(listing, changes=changes, actor=staff_user)
        return Listing.objects.get(pk=listing.pk)

    return _make


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# ---- listings ---------------------------------------------------------------------------------


def test_only_published_listings_are_listed(client, place, active, make_membership, staff_user):
    museum = place("Musée de l'Hôtel Sandelin", short_description_fr="Beaux-arts et arts décoratifs.")
    hotel = active("Hôtel des Remparts", "sophie@remparts.example", short_description_en="By the ramparts.")
    make_membership("requested", email="attente@marais.example", establishment_name="Gîte en attente")
    withdrawn = active("Le Vieux Moulin", "luc@moulin.example")
    listing_services.unpublish_listing(withdrawn, reason="Données anciennes.", actor=staff_user)

    response = client.get(f"{API}/listings")
    assert ids(response) == [hotel.pk, museum.pk]  # name order, accents ignored
    first, second = response.json()["items"]
    assert first["name"] == "Hôtel des Remparts"
    assert first["is_office_place"] is False and second["is_office_place"] is True
    assert first["short_description"] == {"fr": "", "en": "By the ramparts.", "nl": ""}
    assert second["url"] == f"http://testserver/saint-omer/fiches/{museum.pk}/"
    assert second["geo"] == {"latitude": 50.75, "longitude": 2.25}
    assert second["category"] == "loisirs"
    assert response.json()["next"] is None and response.json()["removed"] is None


def test_a_listing_in_full(client, office, place, staff_user):
    step_free = Amenity.objects.create(
        office=office,
        group="accessibility",
        slug="plain-pied",
        name_fr="De plain-pied",
        name_nl="Gelijkvloers",
    )
    listing = place(
        "Gîte de la Cathédrale",
        category="hebergement",
        short_description_fr="Au pied de la cathédrale.",
        short_description_en="At the foot of the cathedral.",
        short_description_nl="Aan de voet van de kathedraal.",
        long_description_fr="Trois chambres.",
        phone="03 21 98 76 54",
        email="gite@cathedrale.example",
        website="https://gite-cathedrale.example",
        booking_url="https://gite-cathedrale.example/reserver",
        rooms=3,
        amenities=[step_free.pk],
        opening_periods=[
            {
                "starts_on": "2022-12-01",
                "ends_on": "2023-03-31",
                "opens_at": "08:00",
                "closes_at": "20:00",
                "closed_weekdays": [1],
            }
        ],
        prices=[
            {
                "label_fr": "Nuitée",
                "label_en": "Night",
                "amount": "85",
                "amount_max": "110",
                "season_year": 2022,
            },
            {"label_fr": "Nuitée", "amount": "80", "season_year": 2021},
        ],
    )
    photo = listing_services.upload_photo(
        listing,
        image=jpeg_upload(),
        credit="Camille Delannoy",
        alt_texts={"fr": "La façade"},
        rights_declared=True,
        actor=staff_user,
    )
    listing_services.approve_proposal(listing.proposals.get(status="pending"), actor=staff_user)
    listing_services.set_availability(
        listing,
        days={
            datetime.date(2022, 12, 30): "full",
            datetime.date(2023, 1, 2): "available",
            datetime.date(2023, 3, 1): "available",
        },
        actor=staff_user,
    )

    response = client.get(f"{API}/listings/{listing.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "Gîte de la Cathédrale"
    assert data["short_description"]["nl"] == "Aan de voet van de kathedraal."
    assert data["long_description"] == {"fr": "Trois chambres.", "en": "", "nl": ""}
    assert data["contact"] == {
        "phone": "+33321987654",
        "email": "gite@cathedrale.example",
        "website": "https://gite-cathedrale.example",
        "booking_url": "https://gite-cathedrale.example/reserver",
        "extra_phones": [],
        "extra_emails": [],
        "extra_websites": [],
    }
    assert data["capacity"]["rooms"] == 3
    assert data["category"]["slug"] == "hebergement" and data["category"]["name"]["en"] == "Accommodation"
    assert [(a["slug"], a["group"], a["name"]["nl"]) for a in data["amenities"]] == [
        ("plain-pied", "accessibility", "Gelijkvloers")
    ]
    assert data["opening_periods"] == [
        {
            "starts_on": "2022-12-01",
            "ends_on": "2023-03-31",
            "opens_at": "08:00",
            "closes_at": "20:00",
            "closed_weekdays": [1],
            "note": {"fr": "", "en": "", "nl": ""},
        }
    ]
    assert [
        (p["amount"], p["amount_max"], p["season"], p["outdated"], p["currency"]) for p in data["prices"]
    ] == [
        ("85.00", "110.00", 2022, False, "EUR"),
        ("80.00", None, 2021, True, "EUR"),
    ]
    assert data["prices"][0]["label"] == {"fr": "Nuitée", "en": "Night", "nl": ""}
    [shown] = data["photos"]
    photo.refresh_from_db()
    assert shown["credit"] == "Camille Delannoy" and shown["alt"]["fr"] == "La façade"
    assert shown["url"] == f"http://testserver{photo.image.url}" and shown["width"] == photo.width
    # The next 30 nights only (28 December → 26 January).
    assert data["availability"] == [
        {"date": "2022-12-30", "status": "full"},
        {"date": "2023-01-02", "status": "available"},
    ]
    assert (
        data["datatourisme"]
        == f"http://testserver/saint-omer/api/v1/datatourisme/listings/{listing.pk}.jsonld"
    )
    assert data["highlighted"] is False


def test_highlight_comes_from_the_partners_offer(client, active, season):
    listing = active("Hôtel des Remparts", "sophie@remparts.example")
    assert client.get(f"{API}/listings/{listing.pk}").json()["highlighted"] is False
    Offer.objects.filter(season=season, code="pack-partenaire").update(highlighted=True)
    assert client.get(f"{API}/listings/{listing.pk}").json()["highlighted"] is True
    assert client.get(f"{API}/listings").json()["items"][0]["highlighted"] is True


def test_filters_are_the_directorys(client, office, place, staff_user):
    bike = Amenity.objects.create(office=office, group="label", slug="accueil-velo", name_fr="Accueil Vélo")
    ramp = Amenity.objects.create(office=office, group="accessibility", slug="rampe", name_fr="Rampe")
    pets = Amenity.objects.create(office=office, group="pets", slug="animaux", name_fr="Animaux admis")
    camping = place(
        "Camping des Étangs", category="hebergement", city="Clairmarais", amenities=[bike.pk, pets.pk]
    )
    museum = place(
        "Musée de la Bière", amenities=[ramp.pk, bike.pk], short_description_fr="Brasserie artésienne."
    )
    tea = place(
        "Salon de Thé",
        category="restauration",
        opening_periods=[{"starts_on": "2022-12-01", "ends_on": "2023-01-31", "closed_weekdays": [1]}],
    )
    listing_services.set_availability(
        camping, days={datetime.date(2023, 1, 14): "few_left"}, actor=staff_user
    )

    assert ids(client.get(f"{API}/listings?category=hebergement")) == [camping.pk]
    assert ids(client.get(f"{API}/listings?town=CLAIRMARAIS")) == [camping.pk]
    assert ids(client.get(f"{API}/listings?amenity=accueil-velo")) == [camping.pk, museum.pk]
    assert ids(client.get(f"{API}/listings?amenity=accueil-velo&amenity=animaux")) == [camping.pk]
    assert ids(client.get(f"{API}/listings?accessible=true")) == [museum.pk]
    assert ids(client.get(f"{API}/listings?open_on=2023-01-03")) == [tea.pk]
    assert ids(client.get(f"{API}/listings?open_on=2023-01-02")) == []  # closed on Mondays
    assert ids(client.get(f"{API}/listings?available_on=2023-01-14")) == [camping.pk]
    assert ids(client.get(f"{API}/listings?q=artesienne")) == [museum.pk]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("category=volcans", "Catégorie inconnue : « volcans »."),
        ("amenity=piscine-a-vagues", "Équipement ou label inconnu : « piscine-a-vagues »."),
        ("open_on=2023-13-45", "Date invalide : « 2023-13-45 » (format attendu : AAAA-MM-JJ)."),
        ("available_on=1850-01-01", "Date hors limites : 1850-01-01."),
        ("since=hier", "Date invalide pour since : « hier » (ISO 8601 attendu)."),
        ("cursor=%25%25garbage", "Curseur de pagination invalide."),
        (
            "cursor=WyJrIiwiYSIsOTk5OTk5OTk5OTk5OV0",
            "Curseur de pagination invalide.",
        ),  # ["k","a",9999999999999]
        ("limit=0", "Paramètre « limit » invalide : au moins 1."),
        ("limit=101", "Paramètre « limit » invalide : au plus 100."),
        ("limit=beaucoup", "Paramètre « limit » invalide : nombre entier attendu."),
        ("accessible=peut-etre", "Paramètre « accessible » invalide : true ou false attendu."),
    ],
)
def test_bad_parameters_answer_400_in_french(client, office, query, message):
    response = client.get(f"{API}/listings?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": message}


def test_cursor_pages_follow_each_other(client, place):
    made = [place(f"Chapelle n° {n}").pk for n in range(7)]
    seen, url = [], f"{API}/listings?limit=3&category=loisirs"
    while url:
        page = client.get(url).json()
        assert len(page["items"]) <= 3
        seen += [item["id"] for item in page["items"]]
        url = page["next"]
        if url:
            assert (
                url.startswith("http://testserver/saint-omer/api/v1/listings?") and "category=loisirs" in url
            )
    assert seen == made


def test_since_returns_the_changes_and_the_removed(client, place, active, staff_user):
    with time_machine.travel(datetime.datetime(2022, 12, 1, 9, tzinfo=PARIS), tick=False):
        kept = place("Beffroi")
        edited = place("Cathédrale Notre-Dame")
        withdrawn = place("Chapelle des Jésuites")
        partner = active("Hôtel des Remparts", "sophie@remparts.example")
    since = "2022-12-10T00:00:00+01:00"
    with time_machine.travel(datetime.datetime(2022, 12, 15, 9, tzinfo=PARIS), tick=False):
        listing_services.edit_listing(edited, changes={"short_description_fr": "Gothique."}, actor=staff_user)
        listing_services.unpublish_listing(
            withdrawn, reason="Fermée pour travaux.", actor=staff_user, notify=False
        )
        membership = Membership.objects.get(organisation_id=partner.establishment.organisation_id)
        membership_services.suspend_membership(membership, actor=staff_user, reason="Impayé")

    page = client.get(f"{API}/listings", {"since": since}).json()
    assert [item["id"] for item in page["items"]] == [edited.pk]
    assert page["removed"] == sorted([withdrawn.pk, partner.pk])
    assert kept.pk not in page["removed"]
    everything = client.get(f"{API}/listings").json()
    assert {item["id"] for item in everything["items"]} == {kept.pk, edited.pk}
    # Later pages of a since= sync do not repeat the removed ids.
    second = client.get(f"{API}/listings", {"since": since, "limit": 1, "cursor": "WyJrIiwiIiwxXQ"}).json()
    assert second["removed"] is None


def test_since_sees_a_partner_who_became_published(client, make_membership, staff_user, submit):
    with time_machine.travel(datetime.datetime(2022, 3, 1, 9, tzinfo=PARIS), tick=False):
        membership = make_membership(
            "awaiting_payment", email="nouveau@marais.example", establishment_name="La Maison du Marais"
        )
        listing = listing_services.ensure_listing(membership.establishment)
    assert client.get(f"{API}/listings").json()["items"] == []
    with time_machine.travel(datetime.datetime(2022, 12, 20, 9, tzinfo=PARIS), tick=False):
        from ensemble.billing import services as billing_services

        membership.refresh_from_db()
        billing_services.record_membership_payment(
            membership,
            actor=staff_user,
            method="transfer",
            amount=membership.amount_due,
            received_on=datetime.date(2022, 12, 20),
        )
    page = client.get(f"{API}/listings", {"since": "2022-12-10T00:00:00+01:00"}).json()
    assert [item["id"] for item in page["items"]] == [listing.pk]


def test_not_published_or_another_offices_listing_is_404(
    client, place, other_office, other_staff_user, make_membership
):
    elsewhere = office_place(other_office, "Collégiale d'Aire", actor=other_staff_user)
    pending = make_membership(
        "requested", email="attente@marais.example", establishment_name="Gîte en attente"
    )
    pending_listing = listing_services.ensure_listing(pending.establishment)
    for listing_id in (elsewhere.pk, pending_listing.pk, 987654, 2**40):
        response = client.get(f"{API}/listings/{listing_id}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Introuvable : rien de publié à cette adresse."}
    assert client.get(f"/aire-sur-la-lys/api/v1/listings/{elsewhere.pk}").status_code == 200
    assert client.get(f"{API}/listings/abc").json() == {
        "detail": "Introuvable : cette adresse n'existe pas dans l'API."
    }


# ---- events -----------------------------------------------------------------------------------


def test_events_by_date_category_and_town(client, office, place):
    venue = place("Salle Vauban")
    day = datetime.datetime(2023, 1, 14, 20, tzinfo=PARIS)
    concert = event(
        office,
        "Concert du Nouvel An",
        starts=day,
        category="concert",
        establishment=venue.establishment,
        title_en="New Year concert",
    )
    market = event(
        office,
        "Marché aux légumes",
        starts=day - datetime.timedelta(days=10),
        category="market",
        city="Clairmarais",
    )
    event(office, "Fête passée", starts=datetime.datetime(2022, 11, 1, 10, tzinfo=PARIS))
    event(office, "Proposé, pas encore modéré", starts=day, status=Event.Status.PROPOSED)

    assert ids(client.get(f"{API}/events")) == [market.pk, concert.pk]
    assert ids(client.get(f"{API}/events?category=concert")) == [concert.pk]
    assert ids(client.get(f"{API}/events?town=clairmarais")) == [market.pk]
    assert ids(client.get(f"{API}/events?start=2023-01-10&end=2023-01-31")) == [concert.pk]
    data = client.get(f"{API}/events/{concert.pk}").json()
    assert data["title"] == {"fr": "Concert du Nouvel An", "en": "New Year concert", "nl": ""}
    assert data["listing_id"] == venue.pk
    assert data["uid"] == str(concert.uid) and data["sequence"] == 0
    assert data["url"] == f"http://testserver/saint-omer/agenda/{concert.pk}/"
    assert data["starts_at"] == "2023-01-14T19:00:00Z"
    assert client.get(f"{API}/events?category=rave").json() == {
        "detail": "Catégorie d'événement inconnue : « rave »."
    }
    assert client.get(f"{API}/events?start=2023-02-01&end=2023-01-01").json() == {
        "detail": "La date de fin précède la date de début."
    }


def test_event_pages_and_since(client, office):
    start = datetime.datetime(2023, 2, 1, 10, tzinfo=PARIS)
    with time_machine.travel(datetime.datetime(2022, 12, 1, 9, tzinfo=PARIS), tick=False):
        made = [
            event(office, f"Visite n° {n}", starts=start + datetime.timedelta(days=n % 3)) for n in range(6)
        ]
    seen, url = [], f"{API}/events?limit=4"
    while url:
        page = client.get(url).json()
        seen += [item["id"] for item in page["items"]]
        url = page["next"]
    assert seen == [e.pk for e in sorted(made, key=lambda e: (e.starts_at, e.pk))]
    with time_machine.travel(datetime.datetime(2022, 12, 20, 9, tzinfo=PARIS), tick=False):
        made[0].title_fr = "Visite renommée"
        made[0].revised_at = datetime.datetime(2022, 12, 20, 9, tzinfo=PARIS)
        made[0].save()
        made[2].pending_changes = {"title_fr": "Une modification qui attend la modération"}
        made[2].save()  # not a public change: not in the sync
        Event.objects.filter(pk=made[1].pk).update(
            status=Event.Status.CANCELLED, updated_at=datetime.datetime(2022, 12, 20, 9, tzinfo=PARIS)
        )
    page = client.get(f"{API}/events", {"since": "2022-12-10T00:00:00+01:00"}).json()
    assert [item["id"] for item in page["items"]] == [made[0].pk]
    assert page["removed"] == [made[1].pk]


def test_unpublished_or_another_offices_event_is_404(client, office, other_office):
    day = datetime.datetime(2023, 1, 14, 20, tzinfo=PARIS)
    for hidden in (
        event(office, "Refusé", starts=day, status=Event.Status.REJECTED),
        event(other_office, "Ailleurs", starts=day),
    ):
        assert client.get(f"{API}/events/{hidden.pk}").status_code == 404


# ---- lists ------------------------------------------------------------------------------------


def test_categories_and_amenities(client, office, other_office):
    Amenity.objects.create(
        office=office, group="label", slug="accueil-velo", name_fr="Accueil Vélo", name_en="Bike friendly"
    )
    Amenity.objects.create(office=other_office, group="label", slug="ailleurs", name_fr="Ailleurs")
    categories = client.get(f"{API}/categories").json()
    assert [c["slug"] for c in categories] == ["hebergement", "restauration", "bars", "loisirs", "terroir"]
    assert categories[0]["name"] == {"fr": "Hébergement", "en": "Accommodation", "nl": "Accommodatie"}
    assert categories[0]["has_availability"] is True
    amenities = client.get(f"{API}/amenities").json()
    assert [(a["slug"], a["name"]["en"], a["is_active"]) for a in amenities] == [
        ("accueil-velo", "Bike friendly", True)
    ]


def test_unknown_office_and_unknown_path(client, office):
    assert client.get("/nulle-part/api/v1/listings").status_code == 404
    response = client.get(f"{API}/fiches")
    assert response.status_code == 404 and response.json()["detail"].startswith("Introuvable")
    index = client.get("/saint-omer/api/").json()
    assert index["versions"]["v1"]["openapi"] == "http://testserver/saint-omer/api/v1/openapi.json"


def test_writes_are_not_allowed(client, office):
    response = client.post(f"{API}/listings", {"name": "Intrus"})
    assert response.status_code == 405
    assert Listing.objects.count() == 0


# ---- query budgets ----------------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def test_list_queries_do_not_grow_with_the_rows(client, office, place, staff_user):
    ramp = Amenity.objects.create(office=office, group="accessibility", slug="rampe", name_fr="Rampe")
    day = datetime.datetime(2023, 1, 14, 20, tzinfo=PARIS)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            listing = place(
                f"Lieu n° {n:03d}",
                amenities=[ramp.pk],
                prices=[{"label_fr": "Entrée", "amount": "5", "season_year": 2022}],
            )
            event(office, f"Visite n° {n}", starts=day, establishment=listing.establishment)

    urls = [
        f"{API}/listings?limit=100",
        f"{API}/events?limit=100",
        f"{API}/datatourisme/listings?limit=100",
        f"{API}/listings?limit=100&since=2022-01-01T00:00:00Z",
    ]
    add(10, 0)
    few = [count_queries(client, url) for url in urls]
    add(40, 10)
    assert len(client.get(f"{API}/listings?limit=100").json()["items"]) == 50
    many = [count_queries(client, url) for url in urls]
    assert many == few
    assert max(many) <= 12


def test_detail_queries_are_bounded(client, office, place, django_assert_max_num_queries):
    ramp = Amenity.objects.create(office=office, group="accessibility", slug="rampe", name_fr="Rampe")
    listing = place(
        "Musée",
        amenities=[ramp.pk],
        prices=[{"label_fr": f"Tarif {n}", "amount": "5", "season_year": 2022} for n in range(8)],
    )
    with django_assert_max_num_queries(14):
        assert client.get(f"{API}/listings/{listing.pk}").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"{API}/datatourisme/listings/{listing.pk}.jsonld").status_code == 200


def test_search_results_page_too(client, place):
    made = {
        place(name, short_description_fr="Une abbaye cistercienne.").pk
        for name in ("Abbaye de Clairmarais", "Ruines de Saint-Bertin", "Abbaye de Wisques")
    }
    place("Beffroi", short_description_fr="Un carillon.")
    seen, url = [], f"{API}/listings?q=abbaye&limit=2"
    while url:
        page = client.get(url).json()
        seen += [item["id"] for item in page["items"]]
        url = page["next"]
    assert sorted(seen) == sorted(made)


@pytest.mark.parametrize(
    "since, status",
    [
        ("0066-02-09T21:34:59-20:46", 200),  # an offset PostgreSQL refuses: a 500 before (fuzzing)
        ("2022-12-01T10:00:00+23:59", 200),
        ("0001-01-01T00:00:00+05:00", 400),  # before year 1 in UTC: refused with its reason
        ("pas une date", 400),
    ],
)
def test_since_with_odd_offsets_is_answered_not_a_server_error(client, office, since, status):
    for path in ("/listings", "/datatourisme/listings"):
        response = client.get(f"{API}{path}", {"since": since})
        assert response.status_code == status, (path, response.content[:300])
        assert client.get(f"{API}{path}").status_code == 200  # the next request is unharmed
