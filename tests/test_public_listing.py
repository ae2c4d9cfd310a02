"""The public page of a listing shows the last approved content, in FR, EN or NL."""

from types import SimpleNamespace

import pytest

from ensemble.listings import services as listing_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(make_membership):
    """A partner whose membership is live, so that its listing is published (issue 5)."""
    membership = make_membership(
        "active", email="camille@moulin.example", establishment_name="Le Moulin des Marais"
    )
    listing = listing_services.ensure_listing(membership.establishment)
    return SimpleNamespace(user=membership.applicant, listing=listing, membership=membership)


def page(client, partner, **params):
    return client.get(f"/{partner.listing.office.slug}/fiches/{partner.listing.pk}/", params)


def test_the_public_sees_the_approved_text_not_the_proposal(client, partner, staff_user):
    listing_services.edit_listing(
        partner.listing,
        changes={"short_description_fr": "Moulin à eau.", "short_description_nl": "Watermolen."},
        actor=staff_user,
    )
    listing_services.propose_changes(
        partner.listing, changes={"short_description_fr": "Texte en attente."}, actor=partner.user
    )
    html = page(client, partner).content.decode()
    assert "Moulin à eau." in html and "Texte en attente." not in html
    assert "Watermolen." in page(client, partner, langue="nl").content.decode()
    # No English text: the French one is shown.
    assert "Moulin à eau." in page(client, partner, langue="en").content.decode()


def test_a_past_season_price_is_marked_outdated(client, partner, staff_user):
    prices = [
        {"label_fr": "Nuitée 2021", "amount": "60", "season_year": 2021},
        {"label_fr": "Nuitée 2022", "amount": "65", "season_year": 2022},
    ]
    listing_services.edit_listing(partner.listing, changes={"prices": prices}, actor=staff_user)
    html = page(client, partner).content.decode()
    assert html.count("tarif d'une saison passée") == 1


def test_an_unpublished_listing_or_another_office_is_not_found(client, partner, other_office, staff_user):
    assert client.get(f"/{other_office.slug}/fiches/{partner.listing.pk}/").status_code == 404
    listing_services.unpublish_listing(partner.listing, reason="Données anciennes.", actor=staff_user)
    assert page(client, partner).status_code == 404


def test_views_and_contact_clicks_are_counted_without_personal_data(client, partner, staff_user):
    from ensemble.stats.models import VisibilityCount

    listing_services.edit_listing(
        partner.listing,
        changes={"website": "https://moulin.example", "phone": "03 21 12 34 56"},
        actor=staff_user,
    )
    html = page(client, partner).content.decode()
    page(client, partner)
    go = f"/{partner.listing.office.slug}/go/{partner.listing.pk}/"
    assert f'href="{go}website/"' in html and f'href="{go}phone/"' in html
    assert client.get(f"{go}website/")["Location"] == "https://moulin.example"
    counts = dict(VisibilityCount.objects.filter(listing=partner.listing).values_list("kind", "count"))
    assert counts == {"page_view": 2, "click_website": 1}
    assert [
        f.name for f in VisibilityCount._meta.fields if f.name in ("ip", "user", "session", "user_agent")
    ] == []


def test_the_api_counts_impressions(client, partner):
    from ensemble.stats.models import VisibilityCount

    office = partner.listing.office.slug
    client.get(f"/{office}/api/v1/listings")
    client.get(f"/{office}/api/v1/listings/{partner.listing.pk}")
    assert VisibilityCount.objects.get(listing=partner.listing, kind="api_impression").count == 2
