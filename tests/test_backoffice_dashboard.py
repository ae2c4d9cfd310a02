"""The dashboard: counts per status, new requests, awaiting payment, memberships ending soon."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ensemble.billing import services as billing_services
from ensemble.memberships import services
from ensemble.memberships.models import Membership

from .conftest import EVIDENCE, make_application

SLUG = "saint-omer"
S = Membership.Status


def url(name: str, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": SLUG, **kwargs})


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def join(submit, name: str) -> Membership:
    slug = name.lower().replace(" ", "-")
    return submit(establishment_name=name, email=f"{slug}@example.org").membership


def activate(membership, staff_user) -> Membership:
    billing_services.accept_and_invoice(membership, actor=staff_user)
    billing_services.record_membership_payment(
        membership,
        actor=staff_user,
        method="cash",
        amount=membership.amount_due,
        received_on=timezone.localdate(),
    )
    membership.refresh_from_db()
    return membership


def test_dashboard(staff_client, submit, staff_user, other_season):
    new = join(submit, "Le Jardin des Marais")
    awaiting = services.accept_membership(join(submit, "La Table du Haut-Pont"), actor=staff_user)
    ending = activate(join(submit, "Camping de l'Aa"), staff_user)
    later = activate(join(submit, "Brasserie Saint-Bertin"), staff_user)
    today = timezone.localdate()
    Membership.objects.filter(pk=ending.pk).update(ends_on=today + datetime.timedelta(days=12))
    Membership.objects.filter(pk=later.pk).update(ends_on=today + datetime.timedelta(days=45))
    services.submit_join_request(  # another office's request never shows here
        other_season.office,
        make_application(other_season, establishment_name="Estaminet d'Aire", email="e@aire.example"),
        evidence=EVIDENCE,
    )

    response = staff_client.get(url("dashboard"))
    assert response.status_code == 200
    context = response.context
    counts = {status: count for status, _, count in context["status_cards"]}
    assert counts[S.REQUESTED] == 1
    assert counts[S.AWAITING_PAYMENT] == 1
    assert counts[S.ACTIVE] == 2
    assert [m.pk for m in context["requested"]] == [new.pk]
    assert [m.pk for m in context["awaiting"]] == [awaiting.pk]
    assert [m.pk for m in context["expiring"]] == [ending.pk]
    html = response.content.decode()
    assert "Estaminet" not in html
    assert url("membership", pk=new.pk) in html
    assert f"?status=requested&amp;season={new.season_id}" in html


def test_dashboard_lists_at_most_ten(staff_client, submit):
    for i in range(12):
        join(submit, f"Gite numero {i}")
    response = staff_client.get(url("dashboard"))
    assert len(response.context["requested"]) == 10
    assert response.context["requested_count"] == 12
    assert "Voir toutes les nouvelles demandes" in response.content.decode()


def test_dashboard_of_a_new_office(staff_client, office):
    response = staff_client.get(url("dashboard"))
    assert response.status_code == 200
    assert "Aucune saison n'est encore créée." in response.content.decode()


def test_back_office_in_english(staff_client, submit):
    membership = submit().membership
    response = staff_client.get(url("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Dashboard" in html and "New requests" in html and "Account security" in html
    response = staff_client.get(url("membership", pk=membership.pk), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert ">Approve the request</button>" in html
    assert ">Reason for refusal</label>" in html or ">Reason</label>" in html
    response = staff_client.post(
        url("membership_refuse", pk=membership.pk), {"refuse-reason": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "The reason is required." in response.content.decode()
