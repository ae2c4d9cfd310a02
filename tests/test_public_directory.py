"""The public directory (filters, pages, map, « À la une »), the listing page, the accessibility
statement and the legal notices; Dutch on public pages."""

import datetime
import json
import re
from html import unescape

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from ensemble.directory.models import Category
from ensemble.events.models import Event
from ensemble.listings import services as listing_services
from ensemble.listings.models import Amenity, Listing, Photo
from ensemble.memberships.models import Offer
from ensemble.public import directory_views
from ensemble.publishing.services import refresh_listing_snapshot

from .factories import EstablishmentFactory, OrganisationFactory
from .images import jpeg_upload

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2022, 12, 28)


@pytest.fixture(autouse=True)
def _no_cached_towns():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _back_to_french():
    """LocaleMiddleware leaves the last request's language active in the thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def place(office, staff_user):
    """A place the office publishes itself (no membership needed), with approved content."""

    def _make(name: str, *, category: str = "hebergement", city: str = "Saint-Omer", lat=None, lng=None,
              target_office=None, **changes) -> Listing:  # fmt: skip
        where = target_office or office
        establishment = EstablishmentFactory(
            organisation=OrganisationFactory(office=where),
            name=name,
            category=Category.objects.get(office=where, slug=category),
            city=city,
            latitude=lat,
            longitude=lng,
        )
        listing = listing_services.ensure_listing(establishment)
        listing_services.mark_office_place(listing, is_office_place=True, actor=staff_user)
        if changes:
            listing_services.edit_listing(listing, changes=changes, actor=staff_user)
        return Listing.objects.get(pk=listing.pk)

    return _make


@pytest.fixture
def active(make_membership, staff_user):
    """An active partner's listing (live membership: published by the partner rule)."""

    def _make(name: str, login: str, **changes) -> Listing:
        membership = make_membership("active", email=login, establishment_name=name)
        listing = listing_services.ensure_listing(membership.establishment)
        if changes:
            listing_services.edit_listing(listing, changes=changes, actor=staff_user)
        return Listing.objects.get(pk=listing.pk)

    return _make


def text(response) -> str:
    return unescape(response.content.decode())


def directory(client, office, path="", **params):
    return client.get(f"/{office.slug}/annuaire/{path}", params)


def names(response) -> list[str]:
    """The names of the result cards, in order (the « À la une » block left out)."""
    html = text(response)
    results = html.split('id="results-title"', 1)[1]
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', results)


def add_photo(
    listing: Listing, *, credit: str, alt_fr: str = "", alt_nl: str = "", position: int = 0
) -> Photo:
    photo = Photo.objects.create(
        listing=listing,
        image=jpeg_upload(1200, 800),
        credit=credit,
        alt_text_fr=alt_fr,
        alt_text_nl=alt_nl,
        position=position,
        status=Photo.Status.PUBLISHED,
        rights_declared_at=timezone.now(),
    )
    with transaction.atomic():  # written without the services: the snapshot is refreshed by hand
        refresh_listing_snapshot(listing.pk)
    return photo


# ---- the directory -------------------------------------------------------------------------


def test_the_directory_shows_published_places_as_cards(client, office, place, active, partner):
    museum = place(
        "Musée Sandelin", category="loisirs", short_description_fr="Beaux-arts et arts décoratifs."
    )
    add_photo(museum, credit="Jeanne Morel", alt_fr="La façade du musée")
    active("Hôtel des Remparts", "sophie@remparts.example")
    response = directory(client, office)
    assert response.status_code == 200
    # `partner` only asked to join: not published.
    assert names(response) == ["Hôtel des Remparts", "Musée Sandelin"]
    html = text(response)
    assert "Beaux-arts et arts décoratifs." in html
    assert 'alt="La façade du musée"' in html
    assert html.count("Lieu géré par l'office") == 1
    assert "Activités de loisirs — Saint-Omer" in html
    assert "2 résultats" in html


def test_each_filter_narrows_the_list(client, office, place, staff_user):
    bike = Amenity.objects.create(office=office, group="label", slug="accueil-velo", name_fr="Accueil Vélo")
    ramp = Amenity.objects.create(office=office, group="accessibility", slug="rampe", name_fr="Rampe d'accès")
    period = {"starts_on": "2022-12-01", "ends_on": "2023-01-31", "closed_weekdays": [1]}  # closed Mondays
    camping = place("Camping des Étangs", city="Clairmarais", amenities=[bike.pk])
    place("Musée de la Bière", category="loisirs", amenities=[ramp.pk], opening_periods=[period])
    place("Brasserie Artésienne", category="restauration", short_description_fr="Bières du Pays d'Audomarois")
    listing_services.set_availability(
        camping, days={datetime.date(2023, 1, 14): "available"}, actor=staff_user
    )

    assert names(directory(client, office, categorie="loisirs")) == ["Musée de la Bière"]
    assert names(directory(client, office, "restauration/")) == ["Brasserie Artésienne"]
    assert names(directory(client, office, ville="Clairmarais")) == ["Camping des Étangs"]
    assert names(directory(client, office, equipement="accueil-velo")) == ["Camping des Étangs"]
    assert names(directory(client, office, accessible="on")) == ["Musée de la Bière"]
    assert names(directory(client, office, ouvert_le="2023-01-03")) == ["Musée de la Bière"]
    assert names(directory(client, office, ouvert_le="2023-01-02")) == []  # a Monday
    assert names(directory(client, office, disponible_le="2023-01-14")) == ["Camping des Étangs"]
    assert names(directory(client, office, q="audomarois")) == ["Brasserie Artésienne"]
    assert sorted(names(directory(client, office, q="biere"))) == [
        "Brasserie Artésienne",
        "Musée de la Bière",
    ]


def test_the_form_offers_towns_with_published_places_and_amenities_by_list(client, office, place, partner):
    Amenity.objects.create(office=office, group="pets", slug="chiens", name_fr="Chiens acceptés")
    place("Camping des Étangs", city="Clairmarais")
    html = text(directory(client, office))
    towns = re.search(r'<select name="ville"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert '<option value="Clairmarais">Clairmarais</option>' in towns
    assert "Saint-Omer" not in towns  # `partner` (Saint-Omer) is not published
    assert "<legend>Animaux</legend>" in html and 'value="chiens"' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"ouvert_le": "2023-13-45"}, "Date invalide : « 2023-13-45 » (format attendu : AAAA-MM-JJ)."),
        ({"disponible_le": "1850-01-01"}, "Date hors limites : 1850-01-01."),
        ({"categorie": "volcans"}, "Catégorie inconnue : « volcans »."),
        ({"equipement": "piscine-a-vagues"}, "Équipement ou label inconnu : « piscine-a-vagues »."),
        ({"apres": "%%%garbage"}, "Curseur de pagination invalide."),
        ({"q": "gite", "page": "deux"}, "Numéro de page invalide : « deux »."),
        ({"q": "gite", "page": "0"}, "Numéro de page invalide : « 0 »."),
        ({"q": "gite", "page": "51"}, "Page hors limites : les résultats s'arrêtent à 1000."),
    ],
)
def test_malformed_filters_answer_400_with_the_message_on_the_form(client, office, place, params, message):
    place("Gîte du Watergang")
    response = directory(client, office, **params)
    assert response.status_code == 400
    html = text(response)
    assert message in html
    assert 'class="error-summary" role="alert"' in html
    assert "Gîte du Watergang" not in html  # no results under a refused filter


def test_a_date_error_is_tied_to_its_field(client, office):
    html = text(directory(client, office, ouvert_le="demain"))
    field = re.search(r'<input type="date" name="ouvert_le"[^>]*>', html).group(0)
    assert 'aria-describedby="id_ouvert_le_error"' in field
    assert '<ul class="errorlist" id="id_ouvert_le_error"><li>Date invalide : « demain »' in html


def test_an_unknown_category_in_the_url_is_not_found_in_french(client, office, other_office):
    Category.objects.create(office=other_office, slug="volcans", name="Volcans")
    response = directory(client, office, "volcans/")
    assert response.status_code == 404
    assert "Cette catégorie n'existe pas dans l'annuaire : « volcans »." in text(response)


def test_another_offices_places_are_not_listed(client, office, other_office, place):
    place("Musée Sandelin")
    place("Moulin de la Lys", target_office=other_office)
    assert names(directory(client, office)) == ["Musée Sandelin"]
    assert names(directory(client, other_office)) == ["Moulin de la Lys"]


def test_keyset_pages_follow_each_other_deep_down(client, office, place):
    for n in range(45):
        place(f"Gîte n° {n:02d}")
    seen, response, pages = [], directory(client, office), 0
    while True:
        pages += 1
        assert response.status_code == 200
        seen += names(response)
        found = re.search(r'<a href="([^"]+)" rel="next">Suivant »</a>', text(response))
        if not found:
            break
        response = client.get(found.group(1))
    assert pages == 3
    assert seen == [f"Gîte n° {n:02d}" for n in range(45)]
    assert "45 résultats" in text(response)
    assert "« Début de la liste" in text(response)


def test_a_cursor_past_the_end_is_out_of_range(client, office, place):
    place("Gîte du Watergang")
    from ensemble.publishing.selectors import encode_cursor

    beyond = encode_cursor(Listing(sort_name="zzzz", pk=10**9))
    response = directory(client, office, apres=beyond)
    assert response.status_code == 400
    assert "Page hors limites : il n'y a pas de résultats au-delà." in text(response)


def test_search_results_are_paged_by_number(client, office, place):
    for n in range(23):
        place(f"Gîte n° {n:02d}")
    first = directory(client, office, q="gite")
    assert len(names(first)) == 20
    assert f'href="/{office.slug}/annuaire/?q=gite&page=2" rel="next"' in text(first)
    second = directory(client, office, q="gite", page="2")
    assert second.status_code == 200
    assert len(names(second)) == 3
    assert 'rel="prev"' in text(second)
    assert directory(client, office, q="gite", page="3").status_code == 400


def test_the_count_is_capped(client, office, place, monkeypatch):
    monkeypatch.setattr(directory_views, "COUNT_CAP", 3)
    for n in range(5):
        place(f"Gîte n° {n}")
    assert "Plus de 3 résultats" in text(directory(client, office))


def test_featured_partners_come_from_the_catalogue(client, office, season, active, place):
    active("Hôtel des Remparts", "s@r.example")
    place("Musée Sandelin")
    assert "À la une" not in text(directory(client, office))
    Offer.objects.filter(season=season, code="pack-partenaire").update(highlighted=True)
    html = text(directory(client, office))
    featured = html.split('id="featured-title"', 1)[1].split('id="results-title"', 1)[0]
    assert "Hôtel des Remparts" in featured and "Musée Sandelin" not in featured
    # Only on the first page, and not when searching.
    assert "À la une" not in text(directory(client, office, q="remparts"))


def test_the_map_gets_the_pages_places_and_its_tiles_are_allowed(client, office, place, settings):
    settings.MAP_TILE_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_ATTRIBUTION = "© Cartographes"
    museum = place("Musée Sandelin", lat="50.749900", lng="2.252300")
    place("Gîte sans coordonnées")
    response = directory(client, office)
    html = text(response)
    data = json.loads(
        re.search(r'<script id="directory-map-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data == [
        {
            "name": "Musée Sandelin",
            "category": "Hébergement",
            "lat": 50.7499,
            "lng": 2.2523,
            "url": f"/{office.slug}/fiches/{museum.pk}/",
        }
    ]
    assert 'data-tile-url="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in html
    assert "vendor/leaflet/leaflet.js" in html and "js/map.js" in html
    assert "<script>" not in html  # no inline script: only files and the JSON data block
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' https://*.tiles.example.org data:" in policy
    assert "script-src 'self';" in policy


def test_no_map_without_coordinates(client, office, place):
    place("Gîte sans coordonnées")
    html = text(directory(client, office))
    assert "directory-map" not in html and "leaflet.js" not in html


def test_the_directory_costs_the_same_queries_for_21_or_40_places(
    client, office, place, django_assert_max_num_queries
):
    """Cold (nothing kept in the cache) and warm, a full page of results costs the same queries
    however many places the office publishes; warm, the page reads the office, its highlighted
    offers, the page's rows and their snapshots, and three cache entries (filters, « À la une »,
    count: queries of the cache's table unless REDIS_URL is set, so not counted here)."""
    amenity = Amenity.objects.create(
        office=office, group="label", slug="accueil-velo", name_fr="Accueil Vélo"
    )

    def make(count: int, start: int) -> None:
        for n in range(start, start + count):
            listing = place(f"Gîte n° {n:02d}", lat="50.75", lng="2.25", amenities=[amenity.pk])
            add_photo(listing, credit="Studio Lys", alt_fr="Vue")

    def queries(*, cold: bool) -> int:
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert directory(client, office).status_code == 200
        return len([q for q in captured.captured_queries if "ensemble_cache" not in q["sql"]])

    make(21, 0)  # more than a page: the count is a query of its own
    few = queries(cold=True)
    make(19, 21)
    many = queries(cold=True)
    assert few == many
    warm = queries(cold=False)
    assert warm == 4
    assert warm < many
    with django_assert_max_num_queries(12):
        directory(client, office, q="gite", equipement="accueil-velo", ouvert_le="2023-01-03")


def test_a_list_that_fits_one_page_is_counted_from_its_rows(client, office, place):
    for n in range(3):
        place(f"Gîte n° {n}")
    with CaptureQueriesContext(connection) as captured:
        html = text(directory(client, office))
    assert "3 résultats" in html
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if "listing" in sql]
    assert "1 résultat" in text(directory(client, office, ville="Saint-Omer", q="n° 1"))


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=g%C3%AEte&categorie=hebergement&ville=Arques&ouvert_le=2023-01-03&disponible_le=2023-01-04&accessible=on",
        "categorie=&ville=&accessible=",
        "accessible=0",
        "accessible=FALSE",
        "accessible=1&accessible=false",
        "ville=Nulle-part&categorie=inconnue",
        "q=%3Cb%3E%22x%22%26",
        "ouvert_le=demain",
    ],
)
@pytest.mark.parametrize(
    "errors",
    [{}, {"ouvert_le": "Date invalide : « demain »."}, {"categorie": "Catégorie <inconnue>"}, {None: "Page"}],
)
def test_the_filters_written_out_are_the_django_forms_html(office, place, rf, query, errors):
    """directory_filters.html gives the HTML that public/_field.html renders from DirectoryForm
    (labels, ids, values, selected and checked states, help text, errors and aria)."""
    from django.http import QueryDict
    from django.template.loader import render_to_string

    place("Gîte d'Arques", city="Arques")
    choices = directory_views._filter_choices(office, "fr")
    data = QueryDict(query, mutable=True)
    categories = Category.objects.filter(office=office)
    form = directory_views.DirectoryForm(data, categories=categories, towns=choices["towns"], lang="fr")
    if errors:
        form.show_errors(errors)
    expected = "".join(render_to_string("public/_field.html", {"field": field}) for field in form)
    written = render_to_string(
        "public/directory_filters.html", {"fields": directory_views.filter_fields(data, choices, errors)}
    )
    assert squeeze(written) == squeeze(expected)
    assert ('aria-invalid="true"' in written) == any(name in form.fields for name in errors)


def test_the_cards_and_amenities_written_out_are_escaped(client, office, place):
    """Cards, options and amenity boxes are written by directory_views, not by templates: what
    they show is escaped there."""
    bike = Amenity.objects.create(office=office, group="label", slug="velo", name_fr="<i>Vélo</i> & co")
    place(
        '<b>Gîte "Les Tours"</b>',
        city="<Arques>",
        amenities=[bike.pk],
        short_description_fr="<script>x</script>",
    )
    html = directory(client, office, equipement="velo").content.decode()
    assert "<b>" not in html and "<script>x" not in html and "<i>" not in html and "<Arques>" not in html
    assert "&lt;b&gt;Gîte &quot;Les Tours&quot;&lt;/b&gt;</a></h3>" in html
    assert '<option value="&lt;Arques&gt;">&lt;Arques&gt;</option>' in html
    assert 'value="velo" id="equipement-velo" checked> <label for="equipement-velo">&lt;i&gt;Vélo' in html


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


# ---- the listing page ----------------------------------------------------------------------


def full_content(**extra) -> dict:
    return {
        "short_description_fr": "Hôtel de charme au pied des remparts.",
        "short_description_nl": "Charmant hotel aan de voet van de vestingmuren.",
        "booking_url": "https://reservation.example/remparts",
        "phone": "03 21 98 76 54",
        "email": "accueil@remparts.example",
        "website": "https://remparts.example",
        "rooms": 12,
        "beds": 24,
        "opening_periods": [
            {
                "starts_on": "2022-12-01",
                "ends_on": "2023-03-31",
                "opens_at": "08:00",
                "closes_at": "22:00",
                "closed_weekdays": [1, 2],
                "note": "",
            },  # fmt: skip
            {"starts_on": "2022-01-01", "ends_on": "2022-06-30", "closed_weekdays": []},  # over: hidden
        ],
        "prices": [
            {
                "label_fr": "Chambre double",
                "label_nl": "Tweepersoonskamer",
                "amount": "95",
                "amount_max": "130",
                "season_year": 2022,
            },  # fmt: skip
            {"label_fr": "Petit-déjeuner", "amount": "12", "season_year": 2021},
        ],
        **extra,
    }


def listing_page(client, listing, **params):
    return client.get(f"/{listing.office.slug}/fiches/{listing.pk}/", params)


def test_the_listing_page_shows_everything_published(client, office, active, staff_user):
    wifi = Amenity.objects.create(office=office, group="equipment", slug="wifi", name_fr="Wi-Fi gratuit")
    listing = active("Hôtel des Remparts", "s@r.example", **full_content(amenities=[wifi.pk]))
    add_photo(listing, credit="Jeanne Morel", alt_fr="La cour intérieure")
    listing_services.set_availability(
        listing,
        days={TODAY: "few_left", TODAY + datetime.timedelta(days=1): "full"},
        actor=staff_user,
    )
    event = Event.objects.create(
        office=office,
        organisation=listing.establishment.organisation,
        title_fr="Soirée jazz",
        category=Event.Category.values[0],
        starts_at=timezone.now() + datetime.timedelta(days=10),
        ends_at=timezone.now() + datetime.timedelta(days=10, hours=3),
        city="Saint-Omer",
        status=Event.Status.PUBLISHED,
    )
    response = listing_page(client, listing)
    assert response.status_code == 200
    html = text(response)
    assert "<h1>Hôtel des Remparts</h1>" in html
    assert 'alt="La cour intérieure"' in html and "© Jeanne Morel" in html
    assert "Du 1 décembre 2022 au 31 mars 2023, de 08:00 à 22:00 — fermé : lundi, mardi" in html
    assert "30 juin 2022" not in html  # a period that is over
    assert "<span>Chambre double</span> : de 95,00\u00a0€ à 130,00\u00a0€ (2022)" in html
    assert html.count("tarif d'une saison passée") == 1
    assert html.count('<th scope="row">') == 14
    assert '<td class="status-few_left">Dernières places</td>' in html
    assert '<td class="status-unknown">Non renseigné</td>' in html
    assert "<dt>Chambres</dt><dd>12</dd>" in html
    assert "Wi-Fi gratuit" in html
    # Contact and booking links go through the counting redirect (issue 5, item 8).
    go = f"/{office.slug}/go/{listing.pk}/"
    assert f'href="{go}phone/"' in html and "03 21 98 76 54" in html
    assert f'href="{go}email/"' in html and "accueil@remparts.example" in html
    assert f'href="{go}booking/"' in html
    assert f'<a href="/{office.slug}/agenda/{event.pk}/"><strong>Soirée jazz</strong></a>' in html
    assert "Lieu géré par l'office" not in html


def test_the_listing_page_of_an_office_place_is_marked(client, place):
    museum = place("Musée Sandelin", category="loisirs")
    html = text(listing_page(client, museum))
    assert "Lieu géré par l'office" in html
    assert "Disponibilités" not in html  # no availability outside accommodation


def test_a_listing_that_is_not_published_is_not_found_in_french(client, partner, other_office, place):
    # `partner` only asked to join: its listing is not published yet.
    response = listing_page(client, partner.listing)
    assert response.status_code == 404
    assert "Cette fiche n'existe pas ou n'est plus publiée." in text(response)
    museum = place("Musée Sandelin")
    assert client.get(f"/{other_office.slug}/fiches/{museum.pk}/").status_code == 404


def test_the_listing_page_costs_the_same_queries_for_1_or_8_items(client, office, place, staff_user):
    def grow(listing: Listing, count: int) -> None:
        periods = [
            {"starts_on": f"2023-{month:02d}-01", "ends_on": f"2023-{month:02d}-28", "closed_weekdays": [1]}
            for month in range(1, count + 1)
        ]
        prices = [{"label_fr": f"Tarif {n}", "amount": "10", "season_year": 2022} for n in range(count)]
        listing_services.edit_listing(
            listing, changes={"opening_periods": periods, "prices": prices}, actor=staff_user
        )
        for n in range(count):
            add_photo(listing, credit=f"Auteur {n}", alt_fr=f"Photo {n}", position=n)

    def queries(listing) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert listing_page(client, listing).status_code == 200
        return len(captured)

    small, large = place("Gîte un"), place("Gîte huit")
    grow(small, 1)
    grow(large, 8)
    assert queries(small) == queries(large)


# ---- languages -----------------------------------------------------------------------------


def test_dutch_pages_show_dutch_text_and_ui(client, office, place):
    place(
        "Gîte du Watergang",
        short_description_fr="Gîte calme près du marais.",
        short_description_nl="Rustig vakantiehuis bij het moeras.",
    )
    client.cookies["django_language"] = "nl"
    html = text(directory(client, office))
    assert '<html lang="nl">' in html
    assert "Rustig vakantiehuis bij het moeras." in html
    assert "Gîte calme" not in html
    assert ">Filteren</button>" in html
    assert "Accommodatie — Saint-Omer" in html  # the category's Dutch name
    assert 'lang="nl" hreflang="nl" aria-current="true">NL' in html  # the header's language menu
    # A filter error, in Dutch.
    bad = text(directory(client, office, ouvert_le="morgen"))
    assert "Ongeldige datum: “morgen” (verwacht formaat: JJJJ-MM-DD)." in bad


def test_nl_is_offered_on_public_pages_only(client, office):
    public = text(directory(client, office))
    assert 'lang="nl" hreflang="nl">NL' in public
    login = text(client.get("/comptes/login/"))
    assert 'hreflang="nl"' not in login


def test_a_dutch_listing_page_falls_back_to_french_content(client, place):
    period = {"starts_on": "2022-12-01", "ends_on": "2023-01-31", "closed_weekdays": [1]}
    museum = place("Musée Sandelin", short_description_fr="Beaux-arts.", opening_periods=[period])
    client.cookies["django_language"] = "nl"
    html = text(listing_page(client, museum))
    assert "Beaux-arts." in html  # no Dutch text: the French one
    assert "Plaats beheerd door het toeristenbureau" in html
    assert "Van 1 december 2022 tot 31 januari 2023 — gesloten: maandag" in html
    # `?langue=` still picks the content language alone.
    assert 'lang="fr"' in text(listing_page(client, museum, langue="fr"))


# ---- statement and notices -----------------------------------------------------------------


def test_the_accessibility_statement(client, office):
    response = client.get(f"/{office.slug}/accessibilite/")
    html = text(response)
    assert response.status_code == 200
    assert "<h1>Déclaration d'accessibilité</h1>" in html
    assert "déclaré <strong>non conforme</strong>" in html
    assert "RGAA), version 4.1" in html
    assert "axe-core" in html and "WCAG 2.1" in html
    assert "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07" in html
    assert f'href="mailto:{office.email}"' in html


def test_the_legal_notices_show_the_offices_identity(client, office, settings):
    settings.HOSTING_PROVIDER = "Hébergeur Exemple SAS, 1 rue du Serveur, 59000 Lille"
    settings.MAP_TILE_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    office.legal_form, office.share_capital, office.siret = "SPL", "100 000 €", "73282932000074"
    office.rcs, office.vat_number = "RCS Saint-Omer 732 829 320", "FR44732829320"
    office.save()
    html = text(client.get(f"/{office.slug}/mentions-legales/"))
    expected = [
        "SPL Tourisme en Pays de Saint-Omer",
        "<dd>SPL</dd>",
        "100 000 €",
        "73282932000074",
        "RCS Saint-Omer 732 829 320",
        "FR44732829320",
        "7, Place Victor Hugo, 62500 Saint-Omer",
        "Hébergeur Exemple SAS, 1 rue du Serveur, 59000 Lille",
        "Aucun outil de mesure d'audience",
        "les fonds de la carte de l'annuaire viennent de tiles.example.org",
    ]
    assert [text for text in expected if text not in html] == []


def test_the_footer_links_the_statement_and_the_notices(client, office):
    html = text(client.get(f"/{office.slug}/"))
    statement = "Accessibilité : non conforme (pas encore d'audit)"
    assert f'href="/{office.slug}/accessibilite/">{statement}</a>' in html
    assert f'href="/{office.slug}/mentions-legales/">Mentions légales</a>' in html
