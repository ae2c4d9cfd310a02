"""The membership page and its actions: each one's happy path, its refusals, and that a refused
action changes nothing."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ensemble.backoffice.forms import MoneyField
from ensemble.billing import services as billing_services
from ensemble.billing.payments import Payment
from ensemble.memberships import services
from ensemble.memberships.models import Membership, MembershipTransition, Season

SLUG = "saint-omer"
S = Membership.Status


def url(name: str, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": SLUG, **kwargs})


def act(client, membership, action: str, data=None, **kwargs):
    """POST an action of the membership page, with the form's prefix on every field."""
    fields = {f"{action}-{key}": value for key, value in (data or {}).items()}
    return client.post(url(f"membership_{action}", pk=membership.pk), fields, **kwargs)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def requested(submit):
    return submit().membership


@pytest.fixture
def awaiting(requested, staff_user):
    return billing_services.accept_and_invoice(requested, actor=staff_user)[0]


@pytest.fixture
def active(awaiting, staff_user):
    billing_services.record_membership_payment(
        awaiting,
        actor=staff_user,
        method="transfer",
        amount=Decimal("90.00"),
        received_on=timezone.localdate(),
        transfer_reference="VIR ADH 2022",
    )
    awaiting.refresh_from_db()
    assert awaiting.status == S.ACTIVE
    return awaiting


def assert_unchanged(membership, status):
    before = MembershipTransition.objects.filter(membership=membership).count()
    membership.refresh_from_db()
    assert membership.status == status
    return before


# --- The page ----------------------------------------------------------------------------------


def test_page_shows_lines_history_and_the_allowed_actions(staff_client, requested):
    response = staff_client.get(url("membership", pk=requested.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pack partenaire" in html
    assert "Demande d&#x27;adhésion" in html  # the history's first entry
    assert "Charte du « Club Partenaire », version 1" in html
    buttons = {action.slug for action, _ in response.context["actions"]}
    assert buttons == {"accept", "bulletin", "refuse"}  # payments wait for the invoice
    assert ">Valider la demande</button>" in html
    assert 'data-confirm="Refuser cette demande' in html  # destructive actions ask first


def test_page_of_an_active_membership(staff_client, active):
    response = staff_client.get(url("membership", pk=active.pk))
    html = response.content.decode()
    buttons = {action.slug for action, _ in response.context["actions"]}
    assert buttons == {"payment", "notice", "renew", "suspend", "terminate"}
    assert '<span class="badge active" id="membership-status">Active</span>' in html
    assert "Bandeau" in html or "bandeau" in html  # the entitlements the pack opened
    assert "VIR ADH 2022" in html


def test_page_query_count_does_not_grow_with_payments(
    staff_client, awaiting, staff_user, django_assert_max_num_queries
):
    for _ in range(6):
        billing_services.record_membership_payment(
            awaiting,
            actor=staff_user,
            method="cash",
            amount=Decimal("10.00"),
            received_on=timezone.localdate(),
        )
    with django_assert_max_num_queries(16):
        response = staff_client.get(url("membership", pk=awaiting.pk))
    assert len(response.context["payments"]) == 6
    assert response.context["paid"] == Decimal("60.00")
    assert response.context["remaining"] == Decimal("30.00")


def test_payment_form_is_prefilled_with_what_remains(staff_client, awaiting):
    response = staff_client.get(url("membership", pk=awaiting.pk))
    payment_form = next(f for a, f in response.context["actions"] if a.slug == "payment")
    assert payment_form["amount"].value() == "90,00"
    assert payment_form["method"].value() == "cheque"
    assert payment_form["received_on"].value() == timezone.localdate()


def test_user_text_is_escaped(staff_client, submit, staff_user):
    membership = submit(establishment_name="<script>alert(1)</script> Gîte").membership
    services.refuse_membership(membership, actor=staff_user, reason="<b>non</b>")
    html = staff_client.get(url("membership", pk=membership.pk)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Gîte" in html
    assert "&lt;b&gt;non&lt;/b&gt;" in html


# --- Accept ------------------------------------------------------------------------------------


def test_accept(staff_client, requested, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = act(staff_client, requested, "accept")
    assert response.status_code == 302
    assert response["Location"] == url("membership", pk=requested.pk)
    requested.refresh_from_db()
    assert requested.status == S.AWAITING_PAYMENT
    assert requested.accepted_on == timezone.localdate()
    # The acceptance, then the invoice with its PDF (issue 12, A5).
    assert [m.to for m in mail.outbox] == [["camille@moulin.example"], ["camille@moulin.example"]]
    assert mail.outbox[1].attachments[0][0] == "FA-2022-00001.pdf"
    page = staff_client.get(response["Location"])
    assert "La demande est validée et sa facture émise." in messages_of(page)
    invoice = requested.invoices.get()  # the partner guide's step 5: the invoice follows
    assert (invoice.number, invoice.total_ttc) == ("FA-2022-00001", requested.amount_due)


def test_accept_twice_is_refused_with_a_message(staff_client, awaiting):
    before = assert_unchanged(awaiting, S.AWAITING_PAYMENT)
    response = act(staff_client, awaiting, "accept", follow=True)
    assert response.status_code == 200
    assert messages_of(response) == ["Action impossible : l'adhésion est « En attente de règlement »."]
    assert MembershipTransition.objects.filter(membership=awaiting).count() == before


# --- Refuse ------------------------------------------------------------------------------------


def test_refuse_needs_a_reason(staff_client, requested):
    response = act(staff_client, requested, "refuse", {"reason": "   "})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le motif est obligatoire." in html
    assert 'aria-describedby="id_refuse-reason_error"' in html
    assert 'aria-invalid="true"' in html
    assert_unchanged(requested, S.REQUESTED)
    assert not MembershipTransition.objects.filter(action="refuse").exists()


def test_refuse(staff_client, requested, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = act(staff_client, requested, "refuse", {"reason": "Activité hors territoire."})
    assert response.status_code == 302
    requested.refresh_from_db()
    assert requested.status == S.REFUSED
    assert requested.history.last().reason == "Activité hors territoire."
    assert len(mail.outbox) == 1
    assert "Activité hors territoire." in mail.outbox[0].body


def test_refuse_an_active_membership_is_refused(staff_client, active):
    response = act(staff_client, active, "refuse", {"reason": "Erreur"}, follow=True)
    assert messages_of(response) == ["Action impossible : l'adhésion est « Active »."]
    assert_unchanged(active, S.ACTIVE)


# --- Bulletin -------------------------------------------------------------------------------------


def test_record_signed_bulletin(staff_client, awaiting):
    Membership.objects.filter(pk=awaiting.pk).update(bulletin_signed_on=None)
    day = timezone.localdate() - datetime.timedelta(days=2)
    response = act(staff_client, awaiting, "bulletin", {"received_on": day.isoformat()}, follow=True)
    assert messages_of(response) == ["Le bulletin signé est enregistré."]
    awaiting.refresh_from_db()
    assert awaiting.bulletin_signed_on == day
    assert awaiting.status == S.AWAITING_PAYMENT  # not paid yet


def test_paper_bulletin_after_the_payment_activates(staff_client, awaiting, staff_user):
    """A request made on paper: paid first, then the signed bulletin arrives."""
    Membership.objects.filter(pk=awaiting.pk).update(bulletin_signed_on=None)
    awaiting.refresh_from_db()
    assert act(staff_client, awaiting, "payment", payment()).status_code == 302
    assert_unchanged(awaiting, S.AWAITING_PAYMENT)
    today = timezone.localdate().isoformat()
    assert act(staff_client, awaiting, "bulletin", {"received_on": today}).status_code == 302
    assert_unchanged(awaiting, S.ACTIVE)


def test_bulletin_in_the_future_is_refused_on_the_field(staff_client, awaiting):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    signed_on = awaiting.bulletin_signed_on
    response = act(staff_client, awaiting, "bulletin", {"received_on": tomorrow.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "La date de réception ne peut pas être dans le futur." in html
    assert 'id="id_bulletin-received_on_error"' in html
    awaiting.refresh_from_db()
    assert awaiting.bulletin_signed_on == signed_on


def test_bulletin_bad_date(staff_client, awaiting):
    response = act(staff_client, awaiting, "bulletin", {"received_on": "31/02/2022"})
    assert response.status_code == 200
    assert "Saisissez une date valide." in response.content.decode()


# --- Payment ---------------------------------------------------------------------------------------


def payment(**overrides) -> dict:
    data = {
        "amount": "90,00",
        "received_on": timezone.localdate().isoformat(),
        "method": "cheque",
        "cheque_number": "0012345",
        "bank": "Crédit Agricole",
        "transfer_reference": "",
    }
    data.update(overrides)
    return data


def test_payment_with_french_decimal_comma_activates(
    staff_client, awaiting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = act(staff_client, awaiting, "payment", payment())
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.status == S.ACTIVE
    recorded = Payment.objects.get(invoice__membership=awaiting)
    assert recorded.amount == Decimal("90.00")
    assert recorded.cheque_number == "0012345"
    assert recorded.recorded_by.email == "staff@saint-omer.example"
    assert [m.to for m in mail.outbox] == [["camille@moulin.example"]]  # "membership active"
    assert "Le règlement est enregistré." in messages_of(staff_client.get(response["Location"]))


def test_partial_transfer_with_a_dot(staff_client, awaiting):
    data = payment(amount="40.50", method="transfer", cheque_number="", transfer_reference="VIR 42")
    assert act(staff_client, awaiting, "payment", data).status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.status == S.AWAITING_PAYMENT
    assert Payment.objects.get(invoice__membership=awaiting).transfer_reference == "VIR 42"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("", "Ce champ est obligatoire."),
        ("quatre-vingt-dix", "Saisissez un nombre."),
        ("0", "Assurez-vous que cette valeur est supérieure ou égale à 0,01."),
        ("-90,00", "Assurez-vous que cette valeur est supérieure ou égale à 0,01."),
        ("90,001", "Assurez-vous qu’il n’y a pas plus de 2 chiffres après la virgule."),
        ("1.234,50", "Saisissez un nombre."),
        ("99999999999", "Assurez-vous qu’il n’y a pas plus de 10 chiffres au total."),
    ],
)
def test_payment_with_a_bad_amount(staff_client, awaiting, amount, message):
    response = act(staff_client, awaiting, "payment", payment(amount=amount))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'id="id_payment-amount_error"' in html
    assert not Payment.objects.exists()
    assert_unchanged(awaiting, S.AWAITING_PAYMENT)


def test_payment_by_cheque_needs_its_number(staff_client, awaiting):
    response = act(staff_client, awaiting, "payment", payment(cheque_number=" "))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Indiquez le numéro du chèque." in html
    assert 'id="id_payment-cheque_number_error"' in html
    assert 'aria-describedby="id_payment-cheque_number_error id_payment-cheque_number_helptext"' in html
    assert not Payment.objects.exists()


def test_payment_in_the_future_is_refused(staff_client, awaiting):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = act(staff_client, awaiting, "payment", payment(received_on=tomorrow))
    assert "La date de réception ne peut pas être dans le futur." in response.content.decode()
    assert not Payment.objects.exists()


def test_payment_with_an_unknown_method(staff_client, awaiting):
    response = act(staff_client, awaiting, "payment", payment(method="bitcoin"))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide." in response.content.decode()
    assert not Payment.objects.exists()


def test_payment_on_a_refused_membership_is_refused(staff_client, requested, staff_user):
    services.refuse_membership(requested, actor=staff_user, reason="Doublon")
    response = act(staff_client, requested, "payment", payment(), follow=True)
    assert messages_of(response) == [
        "Validez d'abord la demande : sa facture est émise à la validation et le règlement "
        "s'enregistre sur elle."
    ]
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("typed", "value"),
    [("90,00", "90.00"), ("90.5", "90.50"), ("1 234,50", "1234.50"), ("90 €", "90.00")],
)
def test_money_field_reads_french_amounts(typed, value):
    assert MoneyField().clean(typed) == Decimal(value)


# --- Suspend, reinstate, terminate -----------------------------------------------------------------


def test_suspend_needs_a_reason_then_suspends(staff_client, active):
    response = act(staff_client, active, "suspend", {"reason": ""})
    assert "Le motif est obligatoire." in response.content.decode()
    assert_unchanged(active, S.ACTIVE)
    response = act(staff_client, active, "suspend", {"reason": "Fiche non mise à jour."})
    assert response.status_code == 302
    assert_unchanged(active, S.SUSPENDED)


def test_suspend_a_request_is_refused(staff_client, requested):
    response = act(staff_client, requested, "suspend", {"reason": "Retard"}, follow=True)
    assert messages_of(response) == ["Action impossible : l'adhésion est « Demande reçue »."]
    assert_unchanged(requested, S.REQUESTED)


def test_reinstate(staff_client, active, staff_user):
    services.suspend_membership(active, actor=staff_user, reason="Fiche non mise à jour.")
    response = act(staff_client, active, "reinstate", {"reason": ""}, follow=True)
    assert messages_of(response) == ["L'adhésion est rétablie."]
    assert_unchanged(active, S.ACTIVE)
    response = act(staff_client, active, "reinstate", {"reason": ""}, follow=True)
    assert messages_of(response) == ["Action impossible : l'adhésion est « Active »."]


def test_terminate_needs_a_reason(staff_client, active):
    response = act(staff_client, active, "terminate", {"reason": ""})
    assert "Le motif est obligatoire." in response.content.decode()
    active.refresh_from_db()
    assert active.status == S.ACTIVE
    assert active.ends_on == active.season.ends_on


def test_terminate(staff_client, active, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = act(staff_client, active, "terminate", {"reason": "Manquement à la charte."})
    assert response.status_code == 302
    active.refresh_from_db()
    assert active.status == S.TERMINATED
    assert active.ends_on == timezone.localdate()
    assert mail.outbox[-1].to == ["camille@moulin.example"]


def test_terminate_a_request_is_refused(staff_client, requested):
    response = act(staff_client, requested, "terminate", {"reason": "Non."}, follow=True)
    assert messages_of(response) == ["Action impossible : l'adhésion est « Demande reçue »."]
    assert_unchanged(requested, S.REQUESTED)


# --- The partner's notice -------------------------------------------------------------------------


def test_record_the_partners_notice(staff_client, active):
    day = timezone.localdate() - datetime.timedelta(days=5)
    Season.objects.filter(pk=active.season_id).update(ends_on=day + datetime.timedelta(days=365))
    response = act(staff_client, active, "notice", {"received_on": day.isoformat(), "reason": ""})
    assert response.status_code == 302
    active.refresh_from_db()
    assert active.status == S.NOTICE_GIVEN
    assert active.notice_given_on == day
    assert active.ends_on == day + datetime.timedelta(days=30)
    page = staff_client.get(response["Location"])
    assert messages_of(page)[0].startswith("Résiliation du partenaire enregistrée")


def test_notice_in_the_future_is_refused(staff_client, active):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = act(staff_client, active, "notice", {"received_on": tomorrow}, follow=True)
    assert messages_of(response) == ["La date de réception ne peut pas être dans le futur."]
    assert_unchanged(active, S.ACTIVE)


def test_notice_on_a_request_is_refused(staff_client, requested):
    today = timezone.localdate().isoformat()
    response = act(staff_client, requested, "notice", {"received_on": today}, follow=True)
    assert messages_of(response) == ["Action impossible : l'adhésion est « Demande reçue »."]


# --- Renewal ---------------------------------------------------------------------------------------


def test_renew_needs_the_next_season(staff_client, active):
    response = act(staff_client, active, "renew", follow=True)
    assert messages_of(response) == ["La saison 2023 n'est pas encore préparée."]
    assert Membership.objects.count() == 1


def test_renew_into_the_next_season(staff_client, active, season, staff_user):
    services.prepare_next_season(season, actor=staff_user)
    response = act(staff_client, active, "renew")
    renewal = Membership.objects.get(renewed_from=active)
    assert response.status_code == 302
    assert response["Location"] == url("membership", pk=renewal.pk)
    assert renewal.season.year == 2023
    assert renewal.status == S.REQUESTED
    page = staff_client.get(response["Location"])
    assert messages_of(page) == ["Demande de renouvellement 2023 créée."]
    # The renewal is linked both ways; renewing twice is refused.
    assert url("membership", pk=active.pk) in page.content.decode()
    response = act(staff_client, active, "renew", follow=True)
    assert messages_of(response) == ["Une adhésion 2023 existe déjà."]


# --- The path the browser test takes --------------------------------------------------------------


def test_from_the_list_to_an_active_membership(staff_client, requested):
    listing = staff_client.get(url("memberships")).content.decode()
    detail = url("membership", pk=requested.pk)
    assert f'<a href="{detail}">Le Moulin des Marais</a>' in listing
    page = staff_client.get(detail).content.decode()
    assert f'action="{url("membership_accept", pk=requested.pk)}"' in page
    act(staff_client, requested, "accept")
    page = staff_client.get(detail).content.decode()
    for label in ("Montant", "Date de réception", "Mode de règlement", "N° de chèque"):
        assert f">{label}</label>" in page
    for method in ("Chèque", "Virement", "Carte bancaire", "Espèces"):
        assert f">{method}</option>" in page
    assert ">Enregistrer le règlement</button>" in page
    response = act(staff_client, requested, "payment", payment(), follow=True)
    assert '<span class="badge active" id="membership-status">Active</span>' in response.content.decode()


def test_the_same_payment_form_posted_twice_records_one_payment(client, staff_user, submit):
    membership = billing_services.accept_and_invoice(submit().membership, actor=staff_user)[0]
    client.force_login(staff_user)
    page = client.get(f"/saint-omer/gestion/adhesions/{membership.pk}/").content.decode()
    key = re.search(r'name="payment-key" value="(\w+)"', page).group(1)
    data = {
        "payment-amount": "40,00",
        "payment-received_on": "2022-12-27",
        "payment-method": "transfer",
        "payment-transfer_reference": "VIR ADH",
        "payment-key": key,
    }
    url = f"/saint-omer/gestion/adhesions/{membership.pk}/reglement/"
    client.post(url, data)
    client.post(url, data)  # a double click
    assert Payment.objects.filter(invoice__membership=membership).count() == 1


def test_accept_with_the_cheque_that_came_with_the_bulletin_activates_at_once(
    staff_client, requested, django_capture_on_commit_callbacks
):
    data = {"cheque_amount": "90,00", "cheque_number": "4455667", "cheque_bank": "CIC"}
    with django_capture_on_commit_callbacks(execute=True):
        response = act(staff_client, requested, "accept", data)
    assert response.status_code == 302
    requested.refresh_from_db()
    assert requested.status == S.ACTIVE
    payment = Payment.objects.get(invoice__membership=requested)
    assert (payment.cheque_number, payment.received_on) == ("4455667", requested.bulletin_signed_on)


def test_accept_with_a_cheque_amount_but_no_number_changes_nothing(staff_client, requested):
    response = act(staff_client, requested, "accept", {"cheque_amount": "90,00"})
    assert response.status_code == 200
    assert "Indiquez le numéro du chèque." in response.content.decode()
    assert_unchanged(requested, S.REQUESTED)
