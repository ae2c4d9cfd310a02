"""Visibility counts: the counters (one statement, race-proof, nothing personal), click
tracking through /go/, the partner's « Ma visibilité » and the back office's pages and export."""

import datetime
import threading

import pytest
import time_machine
from django.db import DatabaseError, connection
from django.db.models import F, Sum
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from ensemble.directory.models import Establishment
from ensemble.listings import services as listing_services
from ensemble.listings.models import Listing
from ensemble.stats import buffering, services
from ensemble.stats.errors import StatsError
from ensemble.stats.models import VisibilityCount

from .concurrency import require_postgresql, run_in_threads

pytestmark = pytest.mark.django_db

K = VisibilityCount.Kind
TODAY = datetime.date(2022, 12, 28)
BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"}


@pytest.fixture
def active(make_membership, staff_user):
    """An active partner's published listing (bulletin signed and paid in March 2022)."""

    def _make(name: str, email: str) -> Listing:
        membership = make_membership("active", email=email, establishment_name=name)
        listing = listing_services.ensure_listing(membership.establishment)
        return Listing.objects.select_related("establishment__organisation").get(pk=listing.pk)

    return _make


@pytest.fixture
def hotel(active):
    return active("Hôtel des Remparts", "sophie@remparts.example")


@pytest.fixture
def brewery(active):
    return active("La Brasserie du Haut-Pont", "louis@brasserie.example")


def counts(listing=None) -> dict[tuple, int]:
    rows = VisibilityCount.objects.all()
    if listing is not None:
        rows = rows.filter(listing=listing)
    return {(row.listing_id, row.day, row.kind): row.count for row in rows}


def add_listing(listing: Listing, name: str) -> Listing:
    """Another establishment (and listing) of the same organisation."""
    source = listing.establishment
    establishment = Establishment.objects.create(
        office=source.office,
        organisation=source.organisation,
        name=name,
        category=source.category,
        address="1 place Victor Hugo",
        postcode="62500",
        city="Saint-Omer",
    )
    return listing_services.ensure_listing(establishment)


# --- The counters --------------------------------------------------------------------------------


def test_record_adds_one_per_id_on_the_day_and_keeps_kinds_apart(hotel, brewery):
    assert services.record(hotel.pk, K.PAGE_VIEW) == 1
    services.record([hotel.pk, brewery.pk, hotel.pk], K.PAGE_VIEW)
    services.record([brewery.pk], K.CLICK_PHONE)
    services.record([hotel.pk], K.PAGE_VIEW, day=datetime.date(2022, 12, 1))
    assert counts() == {
        (hotel.pk, TODAY, K.PAGE_VIEW): 3,
        (brewery.pk, TODAY, K.PAGE_VIEW): 1,
        (brewery.pk, TODAY, K.CLICK_PHONE): 1,
        (hotel.pk, datetime.date(2022, 12, 1), K.PAGE_VIEW): 1,
    }
    assert set(VisibilityCount.objects.values_list("office_id", flat=True)) == {hotel.office_id}


def test_record_ignores_ids_of_no_listing_and_empty_lists(hotel):
    services.record([hotel.pk, 987654], K.WIDGET_IMPRESSION)
    services.record([], K.WIDGET_IMPRESSION)
    assert counts() == {(hotel.pk, TODAY, K.WIDGET_IMPRESSION): 1}


def test_record_is_one_statement_whatever_the_number_of_listings(hotel, brewery, django_assert_num_queries):
    with django_assert_num_queries(1):
        services.record([hotel.pk, brewery.pk, hotel.pk], K.API_IMPRESSION)
    with django_assert_num_queries(1):
        services.record([hotel.pk, brewery.pk], K.API_IMPRESSION)
    assert counts()[(hotel.pk, TODAY, K.API_IMPRESSION)] == 3


def test_an_unknown_kind_is_refused_and_nothing_is_written(hotel):
    with pytest.raises(StatsError) as info:
        services.record(hotel.pk, "visitor_ip")
    assert info.value.message == "Mesure de visibilité inconnue : « visitor_ip »."
    with pytest.raises(StatsError) as info:
        services.record_click(hotel, K.PAGE_VIEW)
    assert info.value.message == "Ce n'est pas un clic : « page_view »."
    assert counts() == {}


def test_a_count_holds_no_personal_data():
    """Only the listing, the day, the kind and a number: no IP, user agent, user or cookie."""
    assert {f.name for f in VisibilityCount._meta.get_fields()} == {
        "id",
        "office",
        "listing",
        "day",
        "kind",
        "count",
    }


def test_page_views_leave_robots_and_prefetches_out(hotel):
    factory = RequestFactory()
    services.record_page_view(hotel, request=factory.get("/", **BROWSER))
    services.record_page_view(hotel, request=factory.get("/", HTTP_USER_AGENT="Googlebot/2.1"))
    services.record_page_view(hotel, request=factory.get("/", HTTP_SEC_PURPOSE="prefetch", **BROWSER))
    services.record_page_view(hotel, request=factory.head("/", **BROWSER))
    services.record_page_view(hotel)  # no request: counted
    assert counts() == {(hotel.pk, TODAY, K.PAGE_VIEW): 2}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_are_never_lost(hotel, brewery):
    """8 threads × 50 calls, each adding one to two listings: every increment is in the rows."""
    require_postgresql()
    threads, calls = 8, 50
    ids = [hotel.pk, brewery.pk]
    connection.close()

    def work():
        for _ in range(calls):
            services.record(ids, K.PAGE_VIEW)
        return calls

    run_in_threads(threads, work, timeout=120)

    totals = dict(
        VisibilityCount.objects.filter(kind=K.PAGE_VIEW)
        .values_list("listing_id")
        .annotate(total=Sum("count"))
        .values_list("listing_id", "total")
    )
    assert totals == {hotel.pk: threads * calls, brewery.pk: threads * calls}
    assert VisibilityCount.objects.count() == 2  # one row per (listing, day, kind)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_read_then_write_loses_increments(hotel):
    """The control: reading the count and writing it back plus one, as an ORM save would, loses
    the increments of threads that read the same value (they all wait after reading)."""
    require_postgresql()
    services.record(hotel.pk, K.PAGE_VIEW)
    threads = 6
    read_together = threading.Barrier(threads)
    connection.close()

    def read_then_write():
        row = VisibilityCount.objects.get(listing_id=hotel.pk, kind=K.PAGE_VIEW)
        read_together.wait(timeout=30)
        VisibilityCount.objects.filter(pk=row.pk).update(count=row.count + 1)
        return 1

    run_in_threads(threads, read_then_write)
    assert VisibilityCount.objects.get(listing_id=hotel.pk).count == 2  # not 1 + 6

    def atomic_add():  # the same threads with the database doing the addition
        read_together.wait(timeout=30)
        VisibilityCount.objects.filter(listing_id=hotel.pk).update(count=F("count") + 1)
        return 1

    read_together.reset()
    run_in_threads(threads, atomic_add)
    assert VisibilityCount.objects.get(listing_id=hotel.pk).count == 2 + threads


# --- Click tracking: /<office>/go/<listing_id>/<kind>/ -------------------------------------------


def go(office, listing_id, kind) -> str:
    return f"/{office.slug}/go/{listing_id}/{kind}/"


@pytest.fixture
def reachable(hotel):
    Establishment.objects.filter(pk=hotel.establishment_id).update(
        phone="+33321123456", email="accueil@remparts.example", website="https://remparts.example/"
    )
    Listing.objects.filter(pk=hotel.pk).update(booking_url="https://reservation.example/remparts?lang=fr")
    return hotel


@pytest.mark.parametrize(
    ("kind", "location", "counted"),
    [
        ("phone", "tel:+33321123456", K.CLICK_PHONE),
        ("email", "mailto:accueil@remparts.example", K.CLICK_EMAIL),
        ("website", "https://remparts.example/", K.CLICK_WEBSITE),
        ("booking", "https://reservation.example/remparts?lang=fr", K.CLICK_BOOKING),
    ],
)
def test_go_counts_the_click_and_redirects_to_the_listings_own_link(
    client, office, reachable, kind, location, counted
):
    response = client.get(go(office, reachable.pk, kind), **BROWSER)
    assert response.status_code == 302
    assert response["Location"] == location
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies  # no cookie needed, none set
    assert counts() == {(reachable.pk, TODAY, counted): 1}


def test_go_ignores_any_target_in_the_query_string(client, office, reachable):
    response = client.get(
        go(office, reachable.pk, "website") + "?next=https://evil.example/&url=//evil.example"
    )
    assert response["Location"] == "https://remparts.example/"


def test_go_head_requests_and_robots_are_not_counted(client, office, reachable):
    assert client.head(go(office, reachable.pk, "website"), **BROWSER).status_code == 302
    client.get(go(office, reachable.pk, "website"), HTTP_USER_AGENT="bingbot/2.0")
    assert counts() == {}


def test_go_unknown_kind_or_missing_link_is_404(client, office, hotel):
    Establishment.objects.filter(pk=hotel.establishment_id).update(website="", email="")
    for kind in ("fax", "website", "email", "booking", "page_view"):
        assert client.get(go(office, hotel.pk, kind)).status_code == 404, kind
    assert counts() == {}


def test_go_never_redirects_to_a_scheme_other_than_the_web(client, office, reachable):
    """A value that slipped past the form (written directly) is not followed."""
    Establishment.objects.filter(pk=reachable.establishment_id).update(
        website="javascript:alert(1)", phone="+33 3<script>", email="a@b.example\r\nBcc: x@y.example"
    )
    for kind in ("website", "phone", "email"):
        assert client.get(go(office, reachable.pk, kind)).status_code == 404, kind
    assert counts() == {}


def test_go_unpublished_other_office_or_unknown_listing_is_404(
    client, office, other_office, reachable, brewery, staff_user
):
    listing_services.unpublish_listing(
        reachable, reason="Fermé pour travaux.", actor=staff_user, notify=False
    )
    assert client.get(go(office, reachable.pk, "website")).status_code == 404
    Establishment.objects.filter(pk=brewery.establishment_id).update(website="https://brasserie.example/")
    assert client.get(go(office, brewery.pk, "website")).status_code == 302
    assert client.get(go(other_office, brewery.pk, "website")).status_code == 404
    assert client.get(go(office, 987654, "website")).status_code == 404
    assert counts() == {(brewery.pk, TODAY, K.CLICK_WEBSITE): 1}


def test_go_for_a_partner_who_only_asked_to_join_is_404(client, office, partner):
    Establishment.objects.filter(pk=partner.listing.establishment_id).update(
        website="https://moulin.example/"
    )
    assert client.get(go(office, partner.listing.pk, "website")).status_code == 404


# --- « Ma visibilité » in the espace pro ---------------------------------------------------------


def fill_year(listing, year=2022):
    """A count on the 3rd of every month for every kind: the month m, kind i gets m * 10 + i."""
    rows = [
        VisibilityCount(
            office_id=listing.office_id,
            listing=listing,
            day=datetime.date(year, month, 3),
            kind=kind,
            count=month * 10 + i,
        )
        for month in range(1, 13)
        for i, kind in enumerate(K.values)
    ]
    VisibilityCount.objects.bulk_create(rows)


def portal(office, path=""):
    return f"/{office.slug}/espace-pro/visibilite/{path}"


def test_the_partner_sees_its_listings_year(client, office, hotel, brewery):
    fill_year(hotel)
    fill_year(brewery)
    services.record(hotel.pk, K.PAGE_VIEW, day=datetime.date(2021, 6, 1))  # another year
    client.force_login(hotel.establishment.organisation.organisationmember_set.get().user)
    response = client.get(portal(office))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [listing for listing, _, _ in rows] == [hotel]  # not the brewery
    page_views = sum(month * 10 for month in range(1, 13))
    assert rows[0][1][0] == page_views
    assert rows[0][2] == sum(sum(month * 10 + i for month in range(1, 13)) for i in range(7))
    assert response.context["years"] == [2022, 2021]
    assert "La Brasserie" not in response.content.decode()

    last_year = client.get(portal(office), {"annee": 2021})
    assert last_year.context["rows"][0][1] == [1, 0, 0, 0, 0, 0, 0]


def test_the_listing_report_is_month_by_month(client, office, hotel):
    fill_year(hotel)
    services.record([hotel.pk, hotel.pk], K.CLICK_BOOKING, day=datetime.date(2022, 3, 31))
    client.force_login(hotel.establishment.organisation.organisationmember_set.get().user)
    response = client.get(portal(office, f"{hotel.pk}/2022/"))
    assert response.status_code == 200
    report = response.context["report"]
    march = report.months[2]
    assert march.month == datetime.date(2022, 3, 1)
    assert march.counts == [30, 31, 32, 33, 34 + 2, 35, 36]
    assert report.totals[0] == sum(month * 10 for month in range(1, 13))
    html = response.content.decode()
    assert "mars" in html and "Clics vers la réservation" in html

    csv = client.get(portal(office, f"{hotel.pk}/2022/export.csv"))
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Mois;Pages vues;")
    assert lines[3] == "2022-03;30;31;32;33;36;35;36;233"
    assert len(lines) == 13


def test_another_partners_listing_or_a_bad_year_is_404(client, office, hotel, brewery):
    client.force_login(hotel.establishment.organisation.organisationmember_set.get().user)
    assert client.get(portal(office, f"{brewery.pk}/2022/")).status_code == 404
    assert client.get(portal(office, f"{brewery.pk}/2022/export.csv")).status_code == 404
    assert client.get(portal(office, f"{hotel.pk}/1999/")).status_code == 404
    assert client.get(portal(office, f"{hotel.pk}/2023/")).status_code == 404  # not over yet: not begun
    assert client.get(portal(office), {"annee": "deux-mille"}).status_code == 404
    assert client.get(portal(office), {"annee": "3000"}).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login(client, office, hotel):
    for path in ("", f"{hotel.pk}/2022/", f"{hotel.pk}/2022/export.csv"):
        response = client.get(portal(office, path))
        assert response.status_code == 302 and "/comptes/login/" in response["Location"]


def test_the_portal_pages_need_the_same_queries_for_one_listing_or_many(client, office, hotel):
    user = hotel.establishment.organisation.organisationmember_set.get().user
    client.force_login(user)
    fill_year(hotel)
    client.get(portal(office))  # warm the session

    def queries(path):
        with CaptureQueriesContext(connection) as context:
            assert client.get(portal(office, path)).status_code == 200
        return len(context)

    few = queries(""), queries(f"{hotel.pk}/2022/")
    for n in range(4):
        fill_year(add_listing(hotel, f"Annexe {n}"))
    services.record(hotel.pk, K.PAGE_VIEW, day=datetime.date(2021, 1, 1))
    many = queries(""), queries(f"{hotel.pk}/2022/")
    assert many == few
    assert few[0] <= 10


# --- The back office -----------------------------------------------------------------------------


def bo(office, path=""):
    return f"/{office.slug}/gestion/visibilite/{path}"


def test_staff_see_the_offices_year_per_listing(client, office, staff_user, hotel, brewery):
    fill_year(hotel)
    services.record(brewery.pk, K.WIDGET_IMPRESSION)
    client.force_login(staff_user)
    assert client.get(bo(office))["Location"] == bo(office, "2022/")
    response = client.get(bo(office, "2022/"))
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.context["rows"]}
    assert rows["La Brasserie du Haut-Pont"]["counts"] == [0, 0, 0, 0, 0, 0, 1]
    assert rows["Hôtel des Remparts"]["counts"][0] == sum(month * 10 for month in range(1, 13))
    assert list(rows) == ["Hôtel des Remparts", "La Brasserie du Haut-Pont"]


def test_staff_see_a_listing_and_an_organisation_month_by_month(client, office, staff_user, hotel):
    annex = add_listing(hotel, "Annexe des Remparts")
    fill_year(hotel)
    services.record(annex.pk, K.PAGE_VIEW, day=datetime.date(2022, 7, 14))
    client.force_login(staff_user)
    listing_page = client.get(bo(office, f"2022/fiches/{hotel.pk}/"))
    assert listing_page.status_code == 200
    assert listing_page.context["reports"][0].months[0].counts[0] == 10
    organisation = client.get(bo(office, f"2022/organisations/{hotel.establishment.organisation_id}/"))
    reports = {r.listing.establishment.name: r for r in organisation.context["reports"]}
    assert set(reports) == {"Hôtel des Remparts", "Annexe des Remparts"}
    assert reports["Annexe des Remparts"].months[6].counts[0] == 1
    assert reports["Annexe des Remparts"].total == 1


def test_the_export_has_one_line_per_listing_kind_and_month(client, office, staff_user, hotel):
    Establishment.objects.filter(pk=hotel.establishment_id).update(name="=HYPERLINK(1)")
    services.record([hotel.pk, hotel.pk], K.CLICK_EMAIL, day=datetime.date(2022, 5, 2))
    services.record(hotel.pk, K.CLICK_EMAIL, day=datetime.date(2022, 5, 30))
    services.record(hotel.pk, K.PAGE_VIEW, day=datetime.date(2022, 11, 1))
    services.record(hotel.pk, K.PAGE_VIEW, day=datetime.date(2021, 11, 1))  # not this year
    client.force_login(staff_user)
    response = client.get(bo(office, "2022/export.csv"))
    assert response["Content-Disposition"] == 'attachment; filename="visibilite-saint-omer-2022.csv"'
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    organisation = hotel.establishment.organisation.name
    assert lines == [
        "N° de fiche;Fiche;Organisation;Mesure;Mois;Nombre",
        f"{hotel.pk};'=HYPERLINK(1);{organisation};Clics sur l'e-mail;2022-05;3",
        f"{hotel.pk};'=HYPERLINK(1);{organisation};Pages vues;2022-11;1",
    ]


def test_back_office_pages_are_staff_only_and_office_scoped(
    client, office, other_office, staff_user, other_staff_user, hotel
):
    client.force_login(other_staff_user)
    for path in ("2022/", "2022/export.csv", f"2022/fiches/{hotel.pk}/"):
        assert client.get(bo(office, path)).status_code == 404, path
    # In their own office, Saint-Omer's ids are not found either.
    assert client.get(bo(other_office, f"2022/fiches/{hotel.pk}/")).status_code == 404
    organisation = hotel.establishment.organisation_id
    assert client.get(bo(other_office, f"2022/organisations/{organisation}/")).status_code == 404
    client.force_login(staff_user)
    assert client.get(bo(office, "1999/")).status_code == 404
    assert client.get(bo(office, "2030/export.csv")).status_code == 404
    client.force_login(hotel.establishment.organisation.organisationmember_set.get().user)
    assert client.get(bo(office, "2022/")).status_code == 404


def test_the_back_office_year_needs_the_same_queries_for_few_or_many_listings(
    client, office, staff_user, hotel
):
    client.force_login(staff_user)
    fill_year(hotel)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(bo(office, "2022/")).status_code == 200
        return len(context)

    few = queries()
    for n in range(6):
        fill_year(add_listing(hotel, f"Gîte n° {n}"))
    assert queries() == few


def test_counting_follows_the_local_day(hotel):
    """Just after midnight in Paris (still the day before in UTC), the count is today's."""
    with time_machine.travel(datetime.datetime(2022, 12, 28, 23, 30, tzinfo=datetime.UTC), tick=False):
        services.record(hotel.pk, K.PAGE_VIEW)
    assert counts() == {(hotel.pk, datetime.date(2022, 12, 29), K.PAGE_VIEW): 1}


def test_visitors_counts_are_buffered_and_written_together(hotel, brewery, settings):
    settings.VISIBILITY_FLUSH_SECONDS = 5
    buffering.flush()
    services.record_page_view(hotel)
    services.record_api_impressions([hotel.pk, brewery.pk, hotel.pk])
    assert not VisibilityCount.objects.exists()  # not yet due
    assert buffering.BUFFER.pending() == 4
    with time_machine.travel(datetime.timedelta(seconds=6)):
        services.record_page_view(brewery)  # due: everything is written, in one upsert per kind
    counts = {(c.listing_id, c.kind): c.count for c in VisibilityCount.objects.all()}
    assert counts == {
        (hotel.pk, K.PAGE_VIEW): 1,
        (brewery.pk, K.PAGE_VIEW): 1,
        (hotel.pk, K.API_IMPRESSION): 2,
        (brewery.pk, K.API_IMPRESSION): 1,
    }
    assert buffering.BUFFER.pending() == 0


def test_a_failed_write_keeps_the_counts_for_the_next(hotel, settings, monkeypatch):
    settings.VISIBILITY_FLUSH_SECONDS = 5
    buffering.flush()
    services.record_page_view(hotel)

    def broken(*args, **kwargs):
        raise DatabaseError("database unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(services, "add_increments", broken)
        assert buffering.flush() == 0
    assert buffering.BUFFER.pending() == 1
    assert buffering.flush() == 1
    assert VisibilityCount.objects.get(listing=hotel, kind=K.PAGE_VIEW).count == 1
