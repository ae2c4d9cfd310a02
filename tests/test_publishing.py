"""Who is published, and the directory's filters, search and pagination."""

import datetime

import pytest
from django.db.models import F
from django.http import QueryDict

from ensemble.listings import services as listing_services
from ensemble.listings.models import Amenity, Listing
from ensemble.memberships.models import Offer
from ensemble.publishing import selectors
from ensemble.publishing.selectors import BadFilter, DirectoryFilters

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(make_membership, staff_user):
    """An active partner's listing (the bulletin signed and paid in March 2022)."""

    def _make(name: str, email: str, **changes) -> Listing:
        membership = make_membership("active", email=email, establishment_name=name)
        listing = listing_services.ensure_listing(membership.establishment)
        if changes:
            listing_services.edit_listing(listing, changes=changes, actor=staff_user)
        return Listing.objects.get(pk=listing.pk)

    return _make


def names(queryset) -> list[str]:
    return [listing.establishment.name for listing in queryset.select_related("establishment")]


def filters(**params) -> DirectoryFilters:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return DirectoryFilters.from_query(query)


def test_only_live_partners_and_office_places_are_published(active, partner, office, staff_user):
    live = active("Hôtel des Remparts", "sophie@remparts.example")
    # `partner` only asked to join: not published. A withdrawn listing neither.
    withdrawn = active("Le Vieux Moulin", "luc@moulin.example")
    listing_services.unpublish_listing(withdrawn, reason="Données anciennes.", actor=staff_user)
    museum = partner.listing
    Listing.objects.filter(pk=museum.pk).update(is_office_place=True)
    assert set(selectors.published_listings(office)) == {live, museum}


def test_the_directory_is_in_name_order_without_accents(active, office):
    for name, email in (("Éclat de Saveurs", "a@e.example"), ("Auberge du Lac", "b@e.example"),
                        ("Estaminet", "c@e.example")):  # fmt: skip
        active(name, email)
    assert names(selectors.directory(office, filters())) == [
        "Auberge du Lac",
        "Éclat de Saveurs",
        "Estaminet",
    ]


def test_search_is_accent_and_case_insensitive_in_every_language(active, office):
    active("Gîte du Watergang", "g@w.example", short_description_nl="Rustig vakantiehuis bij het moeras.")
    active("Brasserie Artésienne", "b@a.example")
    assert names(selectors.directory(office, filters(q="gite"))) == ["Gîte du Watergang"]
    assert names(selectors.directory(office, filters(q="moeras"))) == ["Gîte du Watergang"]
    assert names(selectors.directory(office, filters(q="ARTESIENNE"))) == ["Brasserie Artésienne"]
    assert names(selectors.directory(office, filters(q="gite brasserie"))) == []


def search_names(office, text: str, *, size: int = 20) -> list[str]:
    """Every search result, page after page of `size`."""
    queryset, seen, offset = selectors.directory(office, filters()), [], 0
    while offset is not None:
        page = selectors.search_page(queryset, text, offset=offset, size=size)
        seen += [listing.establishment.name for listing in page.items]
        offset = page.next_offset
    return seen


@pytest.fixture
def marsh(active):
    """Two listings named after the marsh, three that only mention it, one that does not."""
    active("Zéphyr du Marais", "z@m.example")
    active("Auberge de l'Aa", "a@m.example", short_description_fr="Au bord du marais audomarois.")
    active("Gîte du Marais", "g@m.example")
    active("Brasserie Artésienne", "b@m.example", short_description_fr="Bière du marais.")
    active("Cabane", "c@m.example", short_description_en="A hut in the marsh, near the marais.")
    active("Beffroi", "f@m.example", short_description_fr="Un carillon.")


def test_search_lists_name_matches_first_then_the_others_in_name_order(marsh, office):
    expected = ["Gîte du Marais", "Zéphyr du Marais", "Auberge de l'Aa", "Brasserie Artésienne", "Cabane"]
    assert search_names(office, "marais") == expected
    assert search_names(office, "MARAIS") == expected


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_search_pages_follow_each_other_across_name_and_other_matches(marsh, office, size):
    assert search_names(office, "marais", size=size) == search_names(office, "marais")


def test_a_search_page_past_the_name_matches_starts_at_the_right_other_match(marsh, office):
    queryset = selectors.directory(office, filters())
    page = selectors.search_page(queryset, "marais", offset=3, size=1)  # 2 name matches skipped
    assert [listing.establishment.name for listing in page.items] == ["Brasserie Artésienne"]
    assert (page.previous_offset, page.next_offset) == (2, 4)
    last = selectors.search_page(queryset, "marais", offset=4, size=1)
    assert [listing.establishment.name for listing in last.items] == ["Cabane"]
    assert last.next_offset is None


def test_filters_category_town_amenity_accessible(active, office, staff_user):
    bike = Amenity.objects.create(office=office, group="label", slug="accueil-velo", name_fr="Accueil Vélo")
    ramp = Amenity.objects.create(office=office, group="accessibility", slug="rampe", name_fr="Rampe d'accès")
    active("Camping des Étangs", "c@c.example", amenities=[bike.pk], city="Clairmarais")
    active("Musée de la Bière", "m@m.example", amenities=[ramp.pk])
    assert names(selectors.directory(office, filters(equipement="accueil-velo"))) == ["Camping des Étangs"]
    assert names(selectors.directory(office, filters(ville="clairmarais"))) == ["Camping des Étangs"]
    assert names(selectors.directory(office, filters(accessible="1"))) == ["Musée de la Bière"]
    assert names(selectors.directory(office, filters(categorie="hebergement"))) == [
        "Camping des Étangs",
        "Musée de la Bière",
    ]


def test_open_on_a_date_respects_periods_and_closing_days(active, office):
    period = {"starts_on": "2022-12-01", "ends_on": "2023-01-31", "closed_weekdays": [1]}  # closed Mondays
    active("Salon de Thé", "t@t.example", opening_periods=[period])
    monday, tuesday, february = (
        datetime.date(2023, 1, 2),
        datetime.date(2023, 1, 3),
        datetime.date(2023, 2, 7),
    )
    assert names(selectors.directory(office, filters(ouvert_le=tuesday.isoformat()))) == ["Salon de Thé"]
    assert names(selectors.directory(office, filters(ouvert_le=monday.isoformat()))) == []
    assert names(selectors.directory(office, filters(ouvert_le=february.isoformat()))) == []


def test_available_on_a_date(active, office, staff_user):
    listing = active("Chambres de l'Enclos", "e@e.example")
    active("Hôtel Complet", "h@h.example")
    day = datetime.date(2023, 1, 14)
    listing_services.set_availability(listing, days={day: "few_left"}, actor=staff_user)
    assert names(selectors.directory(office, filters(disponible_le=day.isoformat()))) == [
        "Chambres de l'Enclos"
    ]


def test_keyset_pages_follow_each_other_without_gaps(active, office):
    for n in range(7):
        active(f"Gîte n° {n}", f"g{n}@g.example")
    seen, cursor = [], ""
    while True:
        page = selectors.keyset_page(selectors.directory(office, filters()), after=cursor, size=3)
        seen += [listing.pk for listing in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == list(selectors.directory(office, filters()).values_list("pk", flat=True))
    assert len(seen) == 7


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"ouvert_le": "2023-13-45"}, "Date invalide : « 2023-13-45 » (format attendu : AAAA-MM-JJ)."),
        ({"disponible_le": "1850-01-01"}, "Date hors limites : 1850-01-01."),
        ({"since": "hier"}, "Date invalide pour since : « hier » (ISO 8601 attendu)."),
    ],
)
def test_malformed_filters_are_refused_with_a_message(params, message):
    with pytest.raises(BadFilter) as info:
        filters(**params)
    assert str(info.value) == message


def test_unknown_category_or_amenity_and_bad_cursor(office):
    with pytest.raises(BadFilter, match="Catégorie inconnue"):
        selectors.check_filters(office, filters(categorie="volcans"))
    with pytest.raises(BadFilter, match="Équipement ou label inconnu"):
        selectors.check_filters(office, filters(equipement="piscine-a-vagues"))
    with pytest.raises(BadFilter, match="Curseur de pagination invalide"):
        selectors.keyset_page(Listing.objects.all(), after="%%%garbage")


def test_highlight_comes_from_the_catalogue(active, office, season):
    listing = active("Hôtel des Remparts", "s@r.example")
    assert not selectors.highlighted_organisations(office).exists()
    Offer.objects.filter(season=season, code="pack-partenaire").update(highlighted=True)
    assert list(
        selectors.highlighted_organisations(office).values_list("membership__organisation_id", flat=True)
    ) == [listing.establishment.organisation_id]


def test_a_partners_events_are_public_only_while_its_membership_is_live(
    partner, make_membership, office, staff_user
):
    from ensemble.events import services as event_services

    from .test_events import fields

    live = make_membership("active", email="ines@estaminet.example", establishment_name="L'Estaminet")
    shown = event_services.submit_event(live.organisation, actor=live.applicant, **fields(title_fr="Concert"))
    hidden = event_services.submit_event(
        partner.membership.organisation, actor=partner.user, **fields(title_fr="Brocante")
    )
    for event in (shown, hidden):
        event_services.approve_event(event, actor=staff_user)
    office_event = event_services.create_office_event(office, actor=staff_user, **fields(title_fr="Visite"))
    assert set(selectors.published_events(office)) == {shown, office_event}
    assert set(selectors.announced_events(office)) == {shown, office_event}


def test_nul_characters_in_filters_are_dropped_not_sent_to_the_database(active, office):
    active("Gîte du Watergang", "g@w.example")
    found = selectors.directory(office, filters(q="gi\x00te", ville="\x00", equipement=["\x00"]))
    assert names(found) == ["Gîte du Watergang"]


@pytest.mark.parametrize(
    "path",
    [
        "annuaire/?q=%00",
        "annuaire/?ville=%00&equipement=%00",
        "agenda/?ville=%00",
        "agenda.ics?categorie=%00",
    ],
)
def test_pages_answer_nul_characters_without_a_server_error(client, office, path):
    assert client.get(f"/{office.slug}/{path}").status_code < 500


def test_a_listing_carries_its_establishments_organisation(active, office):
    listing = active("Hôtel des Remparts", "sophie@remparts.example")
    assert listing.organisation_id == listing.establishment.organisation_id
    assert not Listing.objects.exclude(organisation_id=F("establishment__organisation_id")).exists()


@pytest.mark.parametrize("offset", [0, 3, 4])
def test_a_search_page_needs_a_bounded_number_of_queries(
    marsh, office, offset, django_assert_max_num_queries
):
    """Name matches' ids, the others' ids (and their number when the page starts past them),
    the rows, their photos and amenities: at most six queries whatever the results."""
    queryset = selectors.with_card_data(selectors.directory(office, filters()))
    with django_assert_max_num_queries(6):
        page = selectors.search_page(queryset, "marais", offset=offset, size=2)
        for listing in page.items:
            list(listing.photos.all()), list(listing.amenities.all())
