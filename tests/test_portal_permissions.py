"""Every espace pro URL, read from the URL configuration, refuses another partner's ids.

Partner A is logged in and requests each URL with partner B's ids (GET and POST): 404 every
time. An anonymous visitor gets a login redirect. Each id in a portal URL is named after its
object; a new name must be added to OWNERS below, or this test fails — so no URL escapes it.
"""

import datetime
import re

import pytest
from django.urls import URLPattern, URLResolver, resolve

from ensemble.billing.models import Invoice
from ensemble.campaigns import services as campaign_services
from ensemble.campaigns.models import CampaignTarget
from ensemble.campaigns.tokens import target_token
from ensemble.claims import services as claim_services
from ensemble.directory.models import OrganisationMember
from ensemble.events import services as event_services
from ensemble.listings import services as listing_services
from ensemble.memberships.models import TermsAcceptance
from ensemble.portal import urls as portal_urls

from .conftest import verified
from .images import jpeg_upload
from .test_quote_pages import make_quote

pytestmark = pytest.mark.django_db

PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def portal_routes(patterns=None, prefix=""):
    """(route, name) of every portal URL, includes followed."""
    for pattern in portal_urls.urlpatterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from portal_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


@pytest.fixture
def theirs(make_membership, office, season, staff_user):
    """Partner B's objects, one of each kind a portal URL can name."""
    membership = make_membership("active", email="louis@brasserie.example", establishment_name="La Brasserie")
    user = verified(membership.applicant)
    listing = listing_services.ensure_listing(membership.establishment)
    photo = listing_services.upload_photo(
        listing, image=jpeg_upload(), credit="L. B.", alt_texts={}, rights_declared=True, actor=user
    )
    claim = claim_services.request_claim(
        membership, kind="image_bank", actor=user, message="Photos du marais"
    )
    image = claim_services.add_media_image(
        office, image=jpeg_upload(), title="Le marais", credit="Office de tourisme", actor=staff_user
    )
    claim_services.answer_image_bank_request(claim, images=[image], actor=staff_user)
    campaign = campaign_services.create_campaign(
        office, title="Mise à jour 2023", deadline=datetime.date(2023, 2, 15), actor=staff_user
    )
    campaign_services.launch_campaign(campaign, actor=staff_user)
    event = event_services.submit_event(
        membership.organisation,
        actor=user,
        establishment=membership.establishment,
        title_fr="Soirée brassage",
        starts_at=datetime.datetime(2023, 1, 20, 19, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2023, 1, 20, 22, tzinfo=datetime.UTC),
    )
    event_services.approve_event(event, actor=staff_user)
    return {
        "organisation_id": membership.organisation_id,
        "membership_id": membership.pk,
        "member_id": OrganisationMember.objects.get(organisation=membership.organisation, user=user).pk,
        "acceptance_id": TermsAcceptance.objects.filter(membership=membership).first().pk,
        "invoice_id": Invoice.objects.filter(organisation=membership.organisation).first().pk,
        "quote_id": make_quote(membership.organisation, season, staff_user).pk,
        "listing_id": listing.pk,
        "photo_id": photo.pk,
        "claim_id": claim.pk,
        "image_id": image.pk,
        "event_id": event.pk,
        "token": target_token(CampaignTarget.objects.get(listing=listing)),
        # Not ids: valid values, so that only the listing's owner decides the answer.
        "year": 2023,
        "month": 1,
    }


def urls_with_ids(office, values: dict) -> list[str]:
    urls = []
    for route, name in portal_routes():
        names = [m["name"] for m in PARAM.finditer(route)]
        if not names:
            continue
        unknown = [n for n in names if n not in values]
        assert not unknown, f"portal URL {name!r} names {unknown}: add them to the permission walk"
        path = PARAM.sub(lambda m: str(values[m["name"]]), route)
        urls.append(f"/{office.slug}/espace-pro/{path}")
    return urls


def test_the_walk_covers_every_kind_of_portal_url(office, theirs):
    urls = urls_with_ids(office, theirs)
    assert len(urls) >= 25
    for fragment in ("fiches/", "photos/", "prestations/", "compte/", "equipe/", "factures/", "devis/"):
        assert any(fragment in url for url in urls), fragment


def methods(url: str) -> list[str]:
    """The methods the URL's view answers (a GET-only view's 405 to a POST says nothing)."""
    view = resolve(url).func.view_class
    return [method for method in ("get", "post") if hasattr(view, method)]


def test_partner_a_gets_404_on_every_url_with_partner_bs_ids(client, partner, office, theirs):
    client.force_login(partner.user)
    refused = {}
    for url in urls_with_ids(office, theirs):
        for method in methods(url):
            status = getattr(client, method)(url).status_code
            if status != 404:
                refused[f"{method.upper()} {url}"] = status
    assert refused == {}


def test_an_anonymous_visitor_is_sent_to_the_login(client, office, theirs):
    wrong = {}
    for url in urls_with_ids(office, theirs):
        for method in methods(url):
            response = getattr(client, method)(url)
            if response.status_code != 302 or "/comptes/login/" not in response["Location"]:
                wrong[f"{method.upper()} {url}"] = response.status_code
    assert wrong == {}


def test_partner_b_in_another_office_gets_404(client, other_office, theirs, make_membership):
    """B's own ids, under the other office's prefix: not found either."""
    from ensemble.accounts.models import User

    client.force_login(User.objects.get(email="louis@brasserie.example"))
    found = {}
    for url in urls_with_ids(other_office, theirs):
        status = client.get(url).status_code
        if status != 404:
            found[url] = status
    assert found == {}
