"""The espace pro's home and the back-office dashboard's espace pro queues."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ensemble.campaigns import services as campaign_services
from ensemble.directory.models import Establishment
from ensemble.listings import services as listing_services

pytestmark = pytest.mark.django_db


def home(client, office):
    return client.get(f"/{office.slug}/espace-pro/")


def add_establishments(partner, count):
    organisation = partner.listing.establishment.organisation
    for n in range(count):
        establishment = Establishment.objects.create(
            office=organisation.office,
            organisation=organisation,
            name=f"Annexe {n}",
            category=partner.listing.establishment.category,
            address="1 rue du Marais",
            postcode="62500",
            city="Saint-Omer",
        )
        listing = listing_services.ensure_listing(establishment)
        listing_services.propose_changes(listing, changes={"covers": n + 1}, actor=partner.user)


def test_home_shows_listings_their_state_and_the_campaign_to_answer(client, partner, office, staff_user):
    listing_services.propose_changes(partner.listing, changes={"rooms": 4}, actor=partner.user)
    campaign = campaign_services.create_campaign(
        office, title="Mise à jour 2023", deadline=datetime.date(2023, 2, 15), actor=staff_user
    )
    campaign_services.launch_campaign(campaign, actor=staff_user)
    client.force_login(partner.user)
    html = home(client, office).content.decode()
    assert "Modifications en attente de validation" in html
    assert "à confirmer avant le 15/02/2023" in html


def test_home_query_count_does_not_grow_with_listings(client, partner, office):
    client.force_login(partner.user)
    add_establishments(partner, 1)
    with CaptureQueriesContext(connection) as few:
        assert home(client, office).status_code == 200
    add_establishments(partner, 6)
    with CaptureQueriesContext(connection) as many:
        assert home(client, office).status_code == 200
    assert len(many) == len(few)


def test_dashboard_counts_the_espace_pro_queues(client, partner, office, staff_user, other_partner):
    listing_services.propose_changes(partner.listing, changes={"rooms": 4}, actor=partner.user)
    listing_services.propose_changes(other_partner.listing, changes={"rooms": 9}, actor=other_partner.user)
    client.force_login(staff_user)
    html = client.get(f"/{office.slug}/gestion/").content.decode()
    assert '<span class="figure">2</span> modifications de fiches à modérer' in html
