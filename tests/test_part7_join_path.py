"""Issue 12: the joining partner's path. A2: after choosing her password she lands in her office's
espace pro; A4: validating a request and recording its cheque in one action sends one coherent
e-mail about the membership."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from ensemble.accounts.services import activation_token
from ensemble.billing import services as billing_services
from ensemble.core.models import OutboundEmail
from ensemble.memberships import services
from ensemble.memberships.errors import MembershipError
from ensemble.memberships.models import Membership

from .conftest import BULLETIN_ON, PAID_ON
from .factories import StaffFactory, UserFactory
from .test_public_join import JOIN_URL, form_data

pytestmark = pytest.mark.django_db

S = Membership.Status
PASSWORD = {"password1": "Marais-audomarois-22", "password2": "Marais-audomarois-22"}
MEMBERSHIP_TEMPLATES = ("membership_accepted", "membership_active")


# --- A2: where the new password leads ----------------------------------------------------------


def test_after_choosing_her_password_the_partner_lands_in_her_espace_pro(
    client, season, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(JOIN_URL, form_data(client, season))
    link = re.search(r"https?://[^/\s]+(/\S+/comptes/activer/\S+/\S+/)", mail.outbox[0].body).group(1)
    assert link.startswith("/saint-omer/")  # the link names her office
    response = client.post(link, PASSWORD, follow=True)
    assert response.redirect_chain[0][0] == "/saint-omer/espace-pro/"
    html = response.content.decode()
    assert response.status_code == 200
    assert "La Table du Marais" in html  # her organisation, in the espace pro
    assert "Votre mot de passe est enregistré. Bienvenue !" in html


def test_an_older_link_without_office_leads_to_her_only_office(client, submit):
    user = submit().membership.applicant
    uid, token = activation_token(user)
    response = client.post(f"/comptes/activer/{uid}/{token}/", PASSWORD)
    assert response["Location"] == "/saint-omer/espace-pro/"


def test_a_staff_member_invited_lands_in_the_back_office(client, office):
    user = StaffFactory(office=office, user=UserFactory(email="nouvelle@saint-omer.example")).user
    user.set_unusable_password()
    user.save()
    uid, token = activation_token(user)
    response = client.post(f"/saint-omer/comptes/activer/{uid}/{token}/", PASSWORD)
    assert response["Location"] == "/saint-omer/gestion/"


def test_a_person_of_two_offices_with_an_older_link_gets_the_list(client, submit, other_office):
    user = submit().membership.applicant
    StaffFactory(office=other_office, user=user)
    uid, token = activation_token(user)
    response = client.post(f"/comptes/activer/{uid}/{token}/", PASSWORD)
    assert response["Location"] == "/"
    # the same person with a link of one office goes there
    user.refresh_from_db()
    user.set_unusable_password()
    user.save()
    uid, token = activation_token(user)
    response = client.post(f"/aire-sur-la-lys/comptes/activer/{uid}/{token}/", PASSWORD)
    assert response["Location"] == "/aire-sur-la-lys/gestion/"


# --- A4: one action, one e-mail -----------------------------------------------------------------


def membership_emails(membership) -> list[str]:
    return list(
        OutboundEmail.objects.filter(to=membership.applicant.email, template__in=MEMBERSHIP_TEMPLATES)
        .order_by("pk")  # in the order they were queued (PostgreSQL gives no order without one)
        .values_list("template", flat=True)
    )


def test_validating_with_the_cheque_sends_only_the_active_e_mail(submit, staff_user):
    membership = submit().membership
    cheque = {
        "amount": Decimal("90.00"),
        "cheque_number": "0012345",
        "bank": "CIC",
        "received_on": BULLETIN_ON,
    }
    membership, invoice = billing_services.accept_and_invoice(membership, actor=staff_user, cheque=cheque)
    assert membership.status == S.ACTIVE
    assert invoice.number and invoice.is_paid_at_issue
    assert membership_emails(membership) == ["membership_active"]
    email = OutboundEmail.objects.get(template="membership_active")
    assert "est active depuis le" in email.body_text
    assert "dès réception de votre règlement" not in email.body_text


def test_validating_without_payment_sends_only_the_accepted_e_mail(submit, staff_user):
    membership = submit().membership
    membership, _invoice = billing_services.accept_and_invoice(membership, actor=staff_user)
    assert membership.status == S.AWAITING_PAYMENT
    assert membership_emails(membership) == ["membership_accepted"]
    # the payment, later, is another action with its own e-mail
    billing_services.record_membership_payment(
        membership, actor=staff_user, method="transfer", amount=Decimal("90.00"), received_on=PAID_ON
    )
    assert membership_emails(membership) == ["membership_accepted", "membership_active"]


def test_accepting_a_request_already_paid_sends_one_e_mail(submit, staff_user):
    membership = submit().membership
    services.record_membership_paid(membership, paid_on=PAID_ON, actor=staff_user)
    services.accept_membership(membership, actor=staff_user)
    membership.refresh_from_db()
    assert membership.status == S.ACTIVE
    assert membership_emails(membership) == ["membership_active"]


def test_the_back_office_action_says_the_membership_is_active(client, staff_user, submit):
    membership = submit().membership
    client.force_login(staff_user)
    data = {"accept-cheque_amount": "90,00", "accept-cheque_number": "4455667", "accept-cheque_bank": "CIC"}
    response = client.post(f"/saint-omer/gestion/adhesions/{membership.pk}/valider/", data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert "La demande est validée, sa facture émise et réglée : l'adhésion est active." in messages
    assert membership_emails(membership) == ["membership_active"]


def test_a_refused_validation_sends_nothing_and_issues_nothing(submit, staff_user):
    membership = submit().membership
    services.refuse_membership(membership, actor=staff_user, reason="Hors territoire")
    before = OutboundEmail.objects.count()
    cheque = {"amount": Decimal("90.00"), "cheque_number": "1", "received_on": BULLETIN_ON}
    with pytest.raises(MembershipError, match="Action impossible"):
        billing_services.accept_and_invoice(membership, actor=staff_user, cheque=cheque)
    assert OutboundEmail.objects.count() == before
    assert not membership.invoices.exists()
