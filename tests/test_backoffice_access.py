"""Who may enter the back office: staff of the office only; everyone else gets a login page or a 404,
and another office's records answer 404 to every URL, GET and POST alike."""

import pytest
from django.urls import reverse

from ensemble.backoffice.actions import ACTIONS
from ensemble.billing.payments import Payment
from ensemble.core.models import AuditEntry
from ensemble.directory.models import Category
from ensemble.memberships import services
from ensemble.memberships.models import Membership, MembershipTransition, Season

from .conftest import EVIDENCE, make_application
from .factories import StaffFactory, UserFactory

SLUG = "saint-omer"


def url(name: str, office_slug: str = SLUG, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": office_slug, **kwargs})


def page_urls(membership, season) -> list[str]:
    """Every GET page of the back office, for `membership` and `season` of Saint-Omer."""
    return [
        url("dashboard"),
        url("memberships"),
        url("membership_export"),
        url("membership", pk=membership.pk),
        url("organisations"),
        url("organisation_export"),
        url("organisation", pk=membership.organisation_id),
        url("catalogue") + f"?season={season.pk}",
        url("categories"),
    ]


def object_urls(membership, season) -> list[str]:
    """Every URL that names a record: pages and actions."""
    return [
        url("membership", pk=membership.pk),
        *(url(action.url_name(), pk=membership.pk) for action in ACTIONS),
        url("organisation", pk=membership.organisation_id),
        url("organisation_note", pk=membership.organisation_id),
        url("season_prepare", season_pk=season.pk),
        url("season_open", season_pk=season.pk),
    ]


def post_urls(membership, season) -> list[str]:
    """The POST-only URLs (actions)."""
    pages = {url("membership", pk=membership.pk), url("organisation", pk=membership.organisation_id)}
    return [u for u in object_urls(membership, season) if u not in pages]


@pytest.fixture
def other_membership(other_season):
    """A join request to the other office (Aire-sur-la-Lys)."""
    application = make_application(other_season, email="gite@aire.example")
    return services.submit_join_request(other_season.office, application, evidence=EVIDENCE).membership


@pytest.fixture
def membership(submit):
    return submit().membership


def test_staff_reach_every_page(client, staff_user, membership, season):
    client.force_login(staff_user)
    for page in page_urls(membership, season):
        assert client.get(page).status_code == 200, page


def test_anonymous_is_sent_to_login(client, membership, season):
    login = reverse("account_login")
    for page in page_urls(membership, season) + post_urls(membership, season):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(f"{login}?next=")
    for action in post_urls(membership, season):
        response = client.post(action, {"refuse-reason": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith(login)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REQUESTED


def test_partner_who_is_not_staff_gets_404(client, membership, season):
    partner = membership.applicant  # the person who filled the join form
    assert partner.organisations.exists()
    client.force_login(partner)
    for page in page_urls(membership, season):
        assert client.get(page).status_code == 404, page
    for action in post_urls(membership, season):
        assert client.post(action, {"refuse-reason": "Non."}).status_code == 404, action
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REQUESTED


def test_other_office_staff_get_404_here(client, other_staff_user, membership, season):
    client.force_login(other_staff_user)
    for page in page_urls(membership, season):
        assert client.get(page).status_code == 404, page
    for action in post_urls(membership, season):
        assert client.post(action).status_code == 404, action
    assert client.post(url("categories"), {"name": "Musées"}).status_code == 404
    assert not Category.objects.filter(name="Musées").exists()


def test_staff_cannot_open_another_office_back_office(client, staff_user, other_office):
    client.force_login(staff_user)
    assert client.get(url("dashboard", office_slug=other_office.slug)).status_code == 404
    assert client.get(url("memberships", office_slug=other_office.slug)).status_code == 404


def test_unknown_office_is_404(client, staff_user):
    client.force_login(staff_user)
    assert client.get(url("dashboard", office_slug="nulle-part")).status_code == 404


def test_another_office_record_is_404_for_every_url(
    client, staff_user, membership, season, other_membership, other_season
):
    """Saint-Omer's staff use Saint-Omer's URLs with the pks of Aire-sur-la-Lys' records."""
    Season.objects.filter(pk=other_season.pk).update(is_open_for_joining=False)
    client.force_login(staff_user)
    foreign = object_urls(other_membership, other_season)
    for target in foreign:
        assert client.get(target).status_code == 404, target
    data = {
        "refuse-reason": "Non.",
        "suspend-reason": "Non.",
        "terminate-reason": "Non.",
        "payment-amount": "90,00",
        "payment-received_on": "2022-03-01",
        "payment-method": "transfer",
        "bulletin-received_on": "2022-03-01",
        "notice-received_on": "2022-03-01",
        "note-kind": "call",
        "note-summary": "Appel",
    }
    for target in foreign:
        assert client.post(target, data).status_code == 404, target
    other_membership.refresh_from_db()
    assert other_membership.status == Membership.Status.REQUESTED
    assert not Payment.objects.exists()
    assert not MembershipTransition.objects.exclude(action="submit").exists()
    assert not AuditEntry.objects.filter(action="organisation.note_added").exists()
    assert not Season.objects.filter(year=2023).exists()
    other_season.refresh_from_db()
    assert not other_season.is_open_for_joining


def test_foreign_catalogue_season_is_404(client, staff_user, season, other_season):
    client.force_login(staff_user)
    assert client.get(url("catalogue") + f"?season={other_season.pk}").status_code == 404
    assert client.get(url("catalogue") + "?season=abc").status_code == 404


def test_actions_change_nothing_on_get(client, staff_user, membership, season):
    """A GET of an action URL (after logging in, say) goes back to the page it belongs to."""
    client.force_login(staff_user)
    pages = {
        url(action.url_name(), pk=membership.pk): url("membership", pk=membership.pk) for action in ACTIONS
    }
    pages[url("organisation_note", pk=membership.organisation_id)] = url(
        "organisation", pk=membership.organisation_id
    )
    catalogue = url("catalogue") + f"?season={season.pk}"
    pages[url("season_prepare", season_pk=season.pk)] = catalogue
    pages[url("season_open", season_pk=season.pk)] = catalogue
    assert set(pages) == set(post_urls(membership, season))
    for target, page in pages.items():
        response = client.get(target)
        assert response.status_code == 302, target
        assert response["Location"] == page
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REQUESTED
    assert MembershipTransition.objects.filter(membership=membership).count() == 1
    assert not AuditEntry.objects.filter(action="organisation.note_added").exists()
    assert not Season.objects.filter(year=2023).exists()


def test_actions_need_the_csrf_token(staff_user, membership):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = client.post(url("membership_accept", pk=membership.pk))
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REQUESTED


def test_inactive_staff_account_gets_404(client, office, membership):
    user = UserFactory(email="former@saint-omer.example", is_active=True)
    StaffFactory(office=office, user=user)
    client.force_login(user)
    assert client.get(url("dashboard")).status_code == 200
    user.is_active = False
    user.save()
    client.force_login(user)
    assert client.get(url("dashboard")).status_code == 302


def test_staff_nav_links_to_mfa(client, staff_user, office):
    client.force_login(staff_user)
    response = client.get(url("dashboard"))
    assert reverse("mfa_index").encode() in response.content
    assert "Sécurité du compte" in response.content.decode()
