"""Issue 12, A10 follow-up: a membership « counted in the next season » is active from December
with its entitlements, and its partner is published from that day too — in the query-time rule
(published_listings, the live partners, the highlighted ones, the listing page's events) and in
the publication snapshots' live span alike — not only from 1 January. A membership of next season
taken without that rule still starts, and is published, on 1 January."""

import datetime

import pytest
import time_machine

from ensemble.billing import services as billing_services
from ensemble.events.models import Event
from ensemble.listings import services as listing_services
from ensemble.memberships import services
from ensemble.memberships.models import Membership, Offer, Season
from ensemble.publishing import selectors
from ensemble.publishing.models import PublicationSnapshot
from ensemble.publishing.visibility import listing_visibility

from .conftest import EVIDENCE, make_application

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=1))
SITE = "/saint-omer"
S = Membership.Status
DEC_7, DEC_9, DEC_10 = datetime.date(2026, 12, 7), datetime.date(2026, 12, 9), datetime.date(2026, 12, 10)


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=PARIS), tick=False)


@pytest.fixture
def season_2026(office):
    return services.install_seed_catalogue(office, year=2026)


@pytest.fixture
def season_2027(office, season_2026):
    season = services.install_seed_catalogue(office, year=2027)
    Season.objects.filter(pk=season.pk).update(sales_from=datetime.date(2026, 11, 1))
    Offer.objects.filter(season=season, code="pack-partenaire").update(highlighted=True)
    season.refresh_from_db()
    return season


def active_member_of_2027(season, staff_user, *, email: str, name: str):
    """Requested on 7 December 2026, accepted, paid on 9 December: active; its listing."""
    with on(DEC_7):
        application = make_application(season, email=email, establishment_name=name)
        membership = services.submit_join_request(season.office, application, evidence=EVIDENCE).membership
        membership, _invoice = billing_services.accept_and_invoice(membership, actor=staff_user)
    with on(DEC_9):
        billing_services.record_membership_payment(
            membership, actor=staff_user, method="transfer", amount=membership.amount_due, received_on=DEC_9
        )
        listing = listing_services.ensure_listing(membership.establishment)
    membership.refresh_from_db()
    assert membership.status == S.ACTIVE
    return membership, listing


def fr_snapshot(listing) -> PublicationSnapshot:
    return PublicationSnapshot.objects.get(listing=listing, language="fr")


def partner_event(office, membership) -> Event:
    start = datetime.datetime(2026, 12, 20, 18, tzinfo=PARIS)
    return Event.objects.create(
        office=office,
        title_fr="Marché de Noël du Moulin",
        organisation=membership.organisation,
        establishment=membership.establishment,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        status=Event.Status.PUBLISHED,
        city="Saint-Omer",
    )


def live_partners(office):
    return selectors.live_partner_organisations(office)


def published(office, listing, client) -> dict[str, bool]:
    """Every reader of the rule, on the day frozen by the caller."""
    organisation = listing.organisation_id
    return {
        "published_listings": selectors.published_listings(office).filter(pk=listing.pk).exists(),
        "live partners": organisation in {row["organisation_id"] for row in live_partners(office)},
        "highlighted": organisation in {row["membership__organisation_id"] for row in
                                        selectors.highlighted_organisations(office)},
        "events": selectors.published_events(office).filter(organisation_id=organisation).exists(),
        "listing page events": bool(
            selectors.upcoming_events_near(
                office, establishment_id=listing.establishment_id, organisation_id=organisation
            )
        ),
        "snapshot": selectors.visible_snapshots(office).filter(listing=listing).exists(),
        "page": client.get(f"{SITE}/fiches/{listing.pk}/").status_code == 200,
        "espace pro badge": listing_visibility(office, listing).online,
    }  # fmt: skip


def test_counted_in_next_season_is_published_from_its_start_in_december(
    client, office, season_2026, season_2027, staff_user
):
    services.set_season_sales(season_2026, sales_from=None, late_start_rule="next_season", actor=staff_user)
    membership, listing = active_member_of_2027(
        season_2027, staff_user, email="camille@moulin.example", name="Le Moulin des Marais"
    )
    assert (membership.season.year, membership.starts_on) == (2027, DEC_7)
    partner_event(office, membership)
    with on(DEC_10):
        # Its entitlements are already valid (memberships), and so is its publication, everywhere.
        assert membership.entitlements.get(kind="training").valid_from == DEC_9
        readers = published(office, listing, client)
        assert readers == dict.fromkeys(readers, True)
    snapshot = fr_snapshot(listing)
    assert (snapshot.is_published, snapshot.live_from, snapshot.live_until) == (
        True,
        DEC_7,
        datetime.date(2027, 12, 31),
    )


def test_a_next_season_membership_without_the_rule_is_published_on_1_january(
    client, office, season_2026, season_2027, staff_user
):
    membership, listing = active_member_of_2027(
        season_2027, staff_user, email="louis@ecluse.example", name="Gîte de l'Écluse"
    )
    assert membership.service_start == datetime.date(2027, 1, 1)
    partner_event(office, membership)
    assert fr_snapshot(listing).live_from == datetime.date(2027, 1, 1)
    with on(DEC_10):
        readers = published(office, listing, client)
        assert readers == dict.fromkeys(readers, False)
        assert "01/01/2027" in listing_visibility(office, listing).reason
    with on(datetime.date(2026, 12, 31)):
        assert not selectors.published_listings(office).filter(pk=listing.pk).exists()
    with on(datetime.date(2027, 1, 1)):
        readers = published(office, listing, client)
        # The event of 20 December is over by then: nothing left for the listing page to show.
        assert readers == {**dict.fromkeys(readers, True), "listing page events": False}


def test_the_daily_job_touches_a_membership_on_its_own_first_day(
    office, season_2026, season_2027, staff_user
):
    from ensemble.publishing import services as publishing_services

    services.set_season_sales(season_2026, sales_from=None, late_start_rule="next_season", actor=staff_user)
    membership, listing = active_member_of_2027(
        season_2027, staff_user, email="camille@moulin.example", name="Le Moulin des Marais"
    )
    before = fr_snapshot(listing).revision
    assert publishing_services.refresh_starting_seasons(today=datetime.date(2027, 1, 1)) == 0
    assert publishing_services.refresh_starting_seasons(today=membership.starts_on) == 1
    assert fr_snapshot(listing).revision == before + 1
