"""Search that forgives (issue 13, item 7): a typo finds the place by its name or town (pg_trgm on
PostgreSQL, difflib on SQLite), « Vouliez-vous dire » suggests the spelling, bad input is calm."""

import re
from html import unescape

import pytest
from django.conf import settings
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ensemble.listings import search
from ensemble.listings import services as listing_services
from ensemble.listings.models import Listing
from ensemble.publishing import selectors
from ensemble.publishing.selectors import DirectoryFilters

from .concurrency import require_postgresql

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_french():
    yield
    translation.activate(settings.LANGUAGE_CODE)


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
def places(active):
    active("Hôtel des Remparts", "h@r.example", city="Tilques")
    active("Cathédrale Notre-Dame", "c@n.example", city="Saint-Omer")
    active("Bistrot du Marais", "b@m.example", city="Clairmarais")
    active("Musée Sandelin", "m@s.example", city="Saint-Omer")


def unsearched(office):
    return selectors.directory(office, DirectoryFilters.from_query(QueryDict()))


def page_of(office, text, **kwargs):
    return selectors.search_page(unsearched(office), text, **kwargs)


def names_of(page) -> list[str]:
    return [listing.establishment.name for listing in page.items]


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("hotl", "Hôtel des Remparts"),
        ("HOTL", "Hôtel des Remparts"),
        ("cathedrale", "Cathédrale Notre-Dame"),
        ("bistro du marai", "Bistrot du Marais"),
        ("Sant-Omer", "Cathédrale Notre-Dame"),
    ],
)
def test_a_typo_finds_the_place_by_its_name_or_town(places, office, typed, first):
    assert names_of(page_of(office, typed))[0] == first


def test_a_misspelt_town_finds_the_places_of_that_town_only(places, office):
    page = page_of(office, "Sant-Omer")
    assert sorted(names_of(page)) == ["Cathédrale Notre-Dame", "Musée Sandelin"]
    assert page.near and page.next_offset is None and page.previous_offset is None


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [("hotl", "hotel"), ("Sant-Omer", "saint omer"), ("musee sandlin", "musee sandelin")],
)
def test_the_suggestion_is_spelt_as_the_place_and_finds_it_without_forgiving(
    places, office, typed, suggestion
):
    page = page_of(office, typed)
    assert page.suggestion == suggestion
    exact = page_of(office, suggestion)
    assert not exact.near and exact.suggestion == ""
    assert set(names_of(exact)) & set(names_of(page))


def test_an_exact_search_neither_forgives_nor_suggests(places, office):
    page = page_of(office, "remparts")
    assert names_of(page) == ["Hôtel des Remparts"] and not page.near and page.suggestion == ""


def test_nothing_close_gives_an_empty_page_without_suggestion(places, office):
    page = page_of(office, "xylophone")
    assert page.items == [] and not page.near and page.suggestion == ""


@pytest.mark.parametrize("typed", ["a", "h", "x" * 500, "?!…%_", "' OR 1=1 --", "«»", "   ", "hotl " * 100])
def test_bad_searches_give_a_page_not_an_error(places, office, typed):
    page = page_of(office, typed)
    assert isinstance(page.items, list)
    assert len(page.items) <= selectors.PAGE_SIZE


@pytest.mark.parametrize("typed", ["a", "??", "«»"])
def test_too_short_a_search_does_not_forgive(places, office, typed):
    assert search.near(unsearched(office), typed, limit=20) == []


def test_a_later_page_of_a_search_that_matched_nothing_is_empty(places, office):
    page = page_of(office, "hotl", offset=20)
    assert page.items == [] and not page.near


def test_the_title_follows_the_name_and_town(active, office, staff_user):
    listing = active("Gîte de l'Aa", "g@a.example", city="Tilques")
    assert listing.search_title == "gite de l'aa tilques"
    listing_services.edit_listing(listing, changes={"city": "Salperwick"}, actor=staff_user)
    listing.refresh_from_db()
    assert listing.search_title == "gite de l'aa salperwick"


def test_another_offices_places_are_not_found(places, office, other_office, make_membership):
    assert (
        selectors.search_page(
            selectors.directory(other_office, DirectoryFilters.from_query(QueryDict())), "hotl"
        ).items
        == []
    )


def test_a_typo_search_page_needs_a_bounded_number_of_queries(places, office, django_assert_max_num_queries):
    """Name matches' ids, the others' ids, the near ids and titles, the rows, their photos and
    amenities: six queries, the suggestion computed from the titles already read."""
    queryset = selectors.with_card_data(unsearched(office))
    with django_assert_max_num_queries(6):
        page = selectors.search_page(queryset, "hotl", size=2)
        for listing in page.items:
            list(listing.photos.all()), list(listing.amenities.all())
    assert page.suggestion == "hotel"


# ---- the directory page ----------------------------------------------------------------------


def directory(client, office, **params):
    return client.get(f"/{office.slug}/annuaire/", params)


def text(response) -> str:
    return unescape(response.content.decode())


def card_names(response) -> list[str]:
    results = text(response).split('id="results-title"', 1)[1]
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', results)


def test_the_directory_shows_what_looks_like_a_typo_and_suggests_its_spelling(client, office, places):
    response = directory(client, office, q="hotl")
    assert response.status_code == 200
    assert card_names(response)[0] == "Hôtel des Remparts"
    html = text(response)
    assert "Vouliez-vous dire :" in html
    assert f'<a href="/{office.slug}/annuaire/?q=hotel">hotel</a> ?' in html
    followed = directory(client, office, q="hotel")
    assert "Vouliez-vous dire" not in text(followed)
    assert card_names(followed) == ["Hôtel des Remparts"]


@pytest.mark.parametrize("typed", ["a", "x" * 500, "?!…%_", "zzzzqqq"])
def test_the_directory_answers_bad_searches_calmly(client, office, places, typed):
    response = directory(client, office, q=typed)
    assert response.status_code == 200
    assert "Vouliez-vous dire" not in text(response)


def test_the_directory_with_no_result_still_says_so(client, office, places):
    html = text(directory(client, office, q="zzzzqqq"))
    assert "Aucun résultat : essayez avec moins de filtres." in html


def test_a_typo_costs_the_directory_one_query_more_than_a_match(client, office, places):
    directory(client, office, q="remparts")  # warm the caches (towns, filters)
    with CaptureQueriesContext(connection) as found:
        directory(client, office, q="remparts")
    with CaptureQueriesContext(connection) as typo:
        directory(client, office, q="hotl")
    assert len(typo) <= len(found) + 1


# ---- PostgreSQL ----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_typo_search_reads_the_trigram_index(places):
    require_postgresql()  # a failure in CI, which runs these in its PostgreSQL step
    # The operator `near` writes (%>) is one the GIN trigram index answers (a table this small
    # is otherwise read whole, hence no sequential scan).
    queryset = Listing.objects.filter(search_title__trigram_word_similar="hotl").values_list("pk")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "listing_search_title_trgm" in plan


@pytest.mark.postgres
def test_the_trigram_extension_and_index_exist(db):
    require_postgresql()  # a failure in CI, which runs these in its PostgreSQL step
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'listing_search_title_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]
