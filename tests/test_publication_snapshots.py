"""Publication snapshots: every path that changes published content rewrites them in its own
transaction, what is not published leaves every channel, and the pages read them."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from ensemble.directory import services as directory_services
from ensemble.listings import selectors as listing_selectors
from ensemble.listings import services as listing_services
from ensemble.listings.models import Amenity, Listing, Photo
from ensemble.memberships import services as membership_services
from ensemble.memberships.models import Membership
from ensemble.publishing import services
from ensemble.publishing.models import PublicationSnapshot

from .images import jpeg_upload

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SITE = "/saint-omer"
API = f"{SITE}/api/v1"


class Boom(Exception):
    pass


@pytest.fixture
def live(make_membership, staff_user):
    """An active partner's hotel, with French and English texts (no Dutch)."""
    membership = make_membership(
        "active", email="sophie@remparts.example", establishment_name="Hôtel des Remparts"
    )
    listing = listing_services.ensure_listing(membership.establishment)
    listing_services.edit_listing(
        listing,
        changes={"short_description_fr": "Au pied des remparts.", "short_description_en": "By the walls."},
        actor=staff_user,
    )
    return Listing.objects.get(pk=listing.pk), membership


def snapshots(listing) -> dict[str, PublicationSnapshot]:
    return {row.language: row for row in PublicationSnapshot.objects.filter(listing=listing)}


def page(client, listing, **params):
    return client.get(f"{SITE}/fiches/{listing.pk}/", params)


# ---- what a snapshot holds ----------------------------------------------------------------------


def test_a_published_listing_has_one_snapshot_per_language_with_the_offices_fallback(live):
    listing, _membership = live
    rows = snapshots(listing)
    assert set(rows) == {"fr", "en", "nl"}
    assert rows["fr"].document["short_description"] == "Au pied des remparts."
    assert rows["en"].document["short_description"] == "By the walls."
    assert rows["nl"].document["short_description"] == "By the walls."  # no Dutch: English (nl → en → fr)
    # Every language's own text (empty when missing), for the API and DATAtourisme.
    assert rows["nl"].document["i18n"]["short_description"] == {
        "fr": "Au pied des remparts.",
        "en": "By the walls.",
        "nl": "",
    }
    assert rows["fr"].document["category"]["slug"] == "hebergement"
    assert {row.is_published for row in rows.values()} == {True}


def test_the_listing_page_shows_the_language_asked(client, live):
    listing, _membership = live
    assert "By the walls." in page(client, listing, langue="en").content.decode()
    assert 'lang="en">By the walls.' in page(client, listing, langue="nl").content.decode()
    assert "Au pied des remparts." in page(client, listing).content.decode()


def test_a_listing_not_yet_published_has_no_snapshot(partner):
    # `partner` only asked to join.
    assert not PublicationSnapshot.objects.filter(listing=partner.listing).exists()


# ---- each change path, in its transaction -------------------------------------------------------


def test_a_staff_edit_rewrites_the_snapshot_and_a_rolled_back_one_leaves_it(live, staff_user):
    listing, _membership = live
    before = snapshots(listing)["fr"]
    with pytest.raises(Boom), transaction.atomic():
        listing_services.edit_listing(listing, changes={"short_description_fr": "Annulé."}, actor=staff_user)
        assert snapshots(listing)["fr"].document["short_description"] == "Annulé."  # same transaction
        raise Boom
    after = snapshots(listing)["fr"]
    assert (after.revision, after.document) == (before.revision, before.document)
    listing_services.edit_listing(listing, changes={"short_description_fr": "Rénové."}, actor=staff_user)
    after = snapshots(listing)["fr"]
    assert after.document["short_description"] == "Rénové."
    assert after.revision == before.revision + 1 and after.updated_at > before.updated_at


def test_an_approved_proposal_and_its_photo_reach_the_snapshot_then_the_photo_removed(
    live, staff_user, partner
):
    listing, membership = live
    owner = membership.applicant
    listing_services.upload_photo(
        listing,
        image=jpeg_upload(1600, 1200),
        credit="Jeanne Morel",
        alt_texts={"fr": "La cour", "en": "The courtyard"},
        rights_declared=True,
        actor=owner,
    )
    assert snapshots(listing)["fr"].document["photos"] == []  # proposed, not published
    listing_services.approve_proposal(listing_selectors.pending_proposal(listing), actor=staff_user)
    rows = snapshots(listing)
    (photo,) = rows["en"].document["photos"]
    stored = Photo.objects.get(listing=listing)
    assert (photo["id"], photo["credit"], photo["alt"]) == (stored.pk, "Jeanne Morel", "The courtyard")
    assert (photo["width"], photo["height"]) == (stored.width, stored.height)
    assert photo["url"].startswith("/media/listings/photos/")
    listing_services.edit_listing(listing, changes={"photos": []}, actor=staff_user)
    assert snapshots(listing)["en"].document["photos"] == []
    assert not Photo.objects.filter(listing=listing, status=Photo.Status.PUBLISHED).exists()


def test_an_establishment_edit_reaches_the_snapshot(live, staff_user):
    listing, membership = live
    directory_services.save_establishment(
        membership.organisation, actor=staff_user, establishment=listing.establishment, city="Clairmarais"
    )
    assert snapshots(listing)["fr"].document["address"]["city"] == "Clairmarais"


def test_an_amenity_renamed_or_withdrawn_reaches_the_listings_that_have_it(live, office, staff_user):
    listing, _membership = live
    wifi = Amenity.objects.create(office=office, group="equipment", slug="wifi-test", name_fr="Wi-Fi")
    listing_services.edit_listing(listing, changes={"amenities": [wifi.pk]}, actor=staff_user)
    listing_services.update_amenity(
        wifi,
        group="equipment",
        names={"fr": "Wi-Fi gratuit", "en": "Free Wi-Fi"},
        position=0,
        actor=staff_user,
    )
    rows = snapshots(listing)
    assert [a["name"] for a in rows["en"].document["amenities"]] == ["Free Wi-Fi"]
    listing_services.deactivate_amenity(wifi, actor=staff_user)
    assert snapshots(listing)["fr"].document["amenities"][0]["is_active"] is False


def test_an_unchanged_refresh_keeps_the_revision(live):
    listing, _membership = live
    before = snapshots(listing)["fr"]
    with transaction.atomic():
        services.refresh_listing_snapshot(listing.pk)
        services.refresh_organisation_snapshots(listing.organisation_id)
    assert snapshots(listing)["fr"].revision == before.revision


# ---- leaving every channel ----------------------------------------------------------------------


def channels(client, listing) -> dict[str, bool]:
    """Whether each channel shows the listing."""
    listed = [item["id"] for item in client.get(f"{API}/listings").json()["items"]]
    widget = client.get(
        f"{SITE}/widget/", {"type": "listings"}, HTTP_USER_AGENT="Mozilla/5.0"
    ).content.decode()
    directory = client.get(f"{SITE}/annuaire/").content.decode()
    return {
        "page": page(client, listing).status_code == 200,
        "api_item": client.get(f"{API}/listings/{listing.pk}").status_code == 200,
        "api_list": listing.pk in listed,
        "datatourisme": client.get(f"{API}/datatourisme/listings/{listing.pk}.jsonld").status_code == 200,
        "widget": "Hôtel des Remparts" in widget,
        "directory": "Hôtel des Remparts" in directory,
    }


def test_a_withdrawn_listing_leaves_every_channel_and_since_reports_it(client, live, staff_user):
    listing, _membership = live
    assert set(channels(client, listing).values()) == {True}
    moment = datetime.datetime(2022, 12, 28, 9, tzinfo=PARIS)
    listing_services.unpublish_listing(listing, reason="Fermé pour travaux.", actor=staff_user)
    assert set(channels(client, listing).values()) == {False}
    rows = snapshots(listing)
    assert {(row.is_published, bool(row.document)) for row in rows.values()} == {(False, False)}  # tombstone
    answer = client.get(f"{API}/listings", {"since": moment.isoformat()}).json()
    assert answer["removed"] == [listing.pk] and answer["items"] == []
    listing_services.republish_listing(listing, actor=staff_user)
    assert set(channels(client, listing).values()) == {True}
    answer = client.get(f"{API}/listings", {"since": moment.isoformat()}).json()
    assert answer["removed"] == [] and [item["id"] for item in answer["items"]] == [listing.pk]


def test_a_suspended_membership_withdraws_and_a_reinstated_one_republishes(client, live, staff_user):
    listing, membership = live
    membership_services.suspend_membership(membership, actor=staff_user, reason="Fiche non à jour")
    assert page(client, listing).status_code == 404
    assert not snapshots(listing)["fr"].is_published
    membership_services.reinstate_membership(membership, actor=staff_user)
    assert page(client, listing).status_code == 200


def test_a_rolled_back_termination_leaves_the_listing_published(client, live, staff_user):
    listing, membership = live
    with pytest.raises(Boom), transaction.atomic():
        membership_services.terminate_membership(membership, actor=staff_user, reason="Manquement")
        assert not snapshots(listing)["fr"].is_published
        raise Boom
    assert snapshots(listing)["fr"].is_published
    assert page(client, listing).status_code == 200


def test_the_end_of_the_season_hides_the_listing_before_the_daily_close_job(client, live):
    listing, _membership = live
    assert snapshots(listing)["fr"].live_until == datetime.date(2022, 12, 31)
    with time_machine.travel(datetime.datetime(2023, 1, 1, 0, 5, tzinfo=PARIS), tick=False):
        assert page(client, listing).status_code == 404  # the span, compared with today
        membership_services.close_due_memberships()
        assert not snapshots(listing)["fr"].is_published  # and now a tombstone for since=


def test_the_daily_job_touches_the_partners_whose_season_starts(live):
    listing, membership = live
    before = snapshots(listing)["fr"].revision
    assert services.refresh_starting_seasons(today=datetime.date(2022, 6, 1)) == 0
    # The membership's own first day (requested on 28 December: a late start), not its season's.
    assert membership.starts_on == datetime.date(2022, 12, 28)
    assert services.refresh_starting_seasons(today=datetime.date(2022, 1, 1)) == 0
    assert services.refresh_starting_seasons(today=membership.starts_on) == 1
    assert snapshots(listing)["fr"].revision == before + 1
    Membership.objects.filter(pk=membership.pk).update(starts_on=None)  # none: the season's
    assert services.refresh_starting_seasons(today=datetime.date(2022, 1, 1)) == 1


def test_an_office_place_is_always_live(place_of_office):
    rows = snapshots(place_of_office)
    assert {(row.live_from, row.live_until, row.is_published) for row in rows.values()} == {
        (None, None, True)
    }


@pytest.fixture
def place_of_office(make_partner, staff_user):
    partner = make_partner("regie@musee.example", name="Musée Sandelin")  # not a live partner
    assert not PublicationSnapshot.objects.filter(listing=partner.listing).exists()
    listing_services.mark_office_place(partner.listing, is_office_place=True, actor=staff_user)
    return partner.listing


# ---- rebuilding ---------------------------------------------------------------------------------


def test_the_command_rebuilds_missing_snapshots_and_leaves_current_ones(live, capsys):
    listing, _membership = live
    PublicationSnapshot.objects.filter(listing=listing, language="nl").delete()
    revision = snapshots(listing)["fr"].revision
    call_command("refresh_snapshots", office="saint-omer")
    rows = snapshots(listing)
    assert set(rows) == {"fr", "en", "nl"} and rows["fr"].revision == revision
    assert "saint-omer: 1 fiches" in capsys.readouterr().out


# ---- query budgets ------------------------------------------------------------------------------


def test_the_listing_page_reads_the_snapshot_then_the_days_parts(client, live, django_assert_num_queries):
    listing, _membership = live
    page(client, listing)  # warm-up: the session and the caches of the first request
    # The office (middleware, once); the snapshot; upcoming events; availability (a hotel); the
    # page-view counter (written at once in tests, buffered in production: stats.buffering).
    with django_assert_num_queries(5):
        assert page(client, listing).status_code == 200


def test_the_api_item_reads_the_snapshot_then_the_days_parts(client, live, django_assert_num_queries):
    listing, _membership = live
    client.get(f"{API}/listings/{listing.pk}")
    # The office; the snapshot; the impression counter (as above); availability; highlighted packs.
    with django_assert_num_queries(5):
        assert client.get(f"{API}/listings/{listing.pk}").status_code == 200


def test_the_listing_page_s_events_follow_the_published_events_rule(live, office, make_membership):
    """upcoming_events_near is a statement written out: it must give what the ORM rule gives."""
    from django.db.models import Q

    from ensemble.events.models import Event
    from ensemble.publishing import selectors

    listing, membership = live
    stranger = make_membership("requested", email="x@ailleurs.example").organisation  # not live
    other = make_membership("active", email="y@ailleurs.example").organisation  # live
    start = datetime.datetime(2022, 12, 28, 20, tzinfo=PARIS)

    def event(title, hours, **fields):
        return Event.objects.create(
            office=office,
            title_fr=title,
            starts_at=start + datetime.timedelta(hours=hours),
            ends_at=start + datetime.timedelta(hours=hours + 2),
            status=fields.pop("status", Event.Status.PUBLISHED),
            city="Saint-Omer",
            **fields,
        )

    here, mine = listing.establishment, membership.organisation
    event("De l'office, ici", 1, establishment=here)
    event("Du partenaire", 2, organisation=mine)
    event("D'un autre partenaire, ici", 3, organisation=other, establishment=here)
    event("D'un non-adhérent, ici", 4, organisation=stranger, establishment=here)
    event("Annulé", 5, organisation=mine, status=Event.Status.CANCELLED)
    event("Passé", -72, organisation=mine)
    event("Ailleurs", 6)
    for hours in range(7, 12):
        event(f"Plus tard {hours}", hours, organisation=mine)
    expected = (
        selectors.published_events(office)
        .filter(Q(establishment_id=here.pk) | Q(organisation_id=mine.pk))
        .filter(ends_at__date__gte=datetime.date(2022, 12, 28))
        .order_by("starts_at", "pk")[:5]
    )
    found = selectors.upcoming_events_near(office, establishment_id=here.pk, organisation_id=mine.pk)
    assert (
        [e.title_fr for e in found]
        == [e.title_fr for e in expected]
        == [
            "De l'office, ici",
            "Du partenaire",
            "D'un autre partenaire, ici",
            "Plus tard 7",
            "Plus tard 8",
        ]
    )
