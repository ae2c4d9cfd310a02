"""The espace pro's publication badge says what visitors see (issue 12, item A3).

It used to say « Publiée » for any listing not withdrawn, even when the membership was only
requested and the public page answered 404. Now it is the public site's own answer (the
listing's visible publication snapshot) and, when visitors see nothing, why.
"""

import datetime
import html
import re

import pytest
from django.urls import reverse

from ensemble.listings import services as listing_services
from ensemble.memberships.models import Membership
from ensemble.publishing.visibility import listing_visibility

from .conftest import verified

pytestmark = pytest.mark.django_db
S = Membership.Status


@pytest.fixture
def partner_in(make_membership, client):
    """A partner whose membership is in `status`, logged in, and their listing."""

    def _make(status):
        membership = make_membership(status)
        listing = listing_services.ensure_listing(membership.establishment)
        client.force_login(verified(membership.applicant))
        return listing

    return _make


def words(response) -> str:
    """The page's text, tags removed, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def my_listings(client, *, raw: bool = False) -> str:
    response = client.get(reverse("portal:listings", kwargs={"office_slug": "saint-omer"}))
    return response.content.decode() if raw else words(response)


def home(client) -> str:
    return words(client.get(reverse("portal:home", kwargs={"office_slug": "saint-omer"})))


def public_status(client, listing) -> int:
    path = reverse("public:listing", kwargs={"office_slug": "saint-omer", "listing_id": listing.pk})
    return client.get(path).status_code


@pytest.mark.parametrize(
    ("status", "expected", "online"),
    [
        (S.REQUESTED, "Pas en ligne : adhésion en attente de validation par l'office", False),
        (S.AWAITING_PAYMENT, "Pas en ligne : adhésion en attente de règlement", False),
        (S.SUSPENDED, "Pas en ligne : adhésion suspendue", False),
        (S.REFUSED, "Pas en ligne : aucune adhésion en cours", False),
        (S.ACTIVE, "En ligne", True),
        (S.NOTICE_GIVEN, "En ligne", True),
    ],
)
def test_the_badge_says_what_the_public_page_answers(client, partner_in, office, status, expected, online):
    listing = partner_in(status)
    page = my_listings(client)
    assert expected in page
    assert "Publiée" not in page
    assert (public_status(client, listing) == 200) is online
    assert listing_visibility(office, listing).online is online
    # The link to the public page is offered only when there is one to see.
    public_link = reverse("public:listing", kwargs={"office_slug": "saint-omer", "listing_id": listing.pk})
    assert (public_link in my_listings(client, raw=True)) is online
    # The espace pro's home says the same.
    assert expected in home(client)


def test_a_listing_withdrawn_by_the_office(client, partner_in, staff_user):
    listing = partner_in(S.ACTIVE)
    listing_services.unpublish_listing(listing, reason="Horaires de 2019.", actor=staff_user)
    page = my_listings(client)
    assert "Pas en ligne : dépubliée par l'office" in page and "Horaires de 2019." in page
    assert public_status(client, listing) == 404
    listing_services.republish_listing(listing, actor=staff_user)
    assert "En ligne" in my_listings(client) and public_status(client, listing) == 200


def test_an_office_place_is_online_whatever_the_membership(client, partner_in, office, staff_user):
    listing = partner_in(S.REQUESTED)
    listing_services.mark_office_place(listing, is_office_place=True, actor=staff_user)
    assert public_status(client, listing) == 200
    assert "En ligne : lieu publié par l'office" in my_listings(client)
    assert listing_visibility(office, listing).online


def test_a_membership_accepted_then_paid_puts_the_listing_online(client, partner_in, staff_user):
    """The badge follows the membership's moves (the same rule as the public page)."""
    from ensemble.billing import services as billing_services

    listing = partner_in(S.AWAITING_PAYMENT)
    assert "Pas en ligne : adhésion en attente de règlement" in my_listings(client)
    membership = Membership.objects.get(organisation_id=listing.organisation_id)
    billing_services.record_membership_payment(
        membership,
        actor=staff_user,
        method="transfer",
        amount=membership.amount_due,
        received_on=datetime.date(2022, 3, 2),
    )
    page = my_listings(client)
    assert "En ligne" in page and "Pas en ligne" not in page
    assert public_status(client, listing) == 200
