"""Staff see, issue and credit invoices; another office's invoices answer 404."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from ensemble.billing import selectors, services
from ensemble.billing.errors import BillingError
from ensemble.billing.models import Invoice
from ensemble.billing.payments import Payment
from ensemble.billing.status import InvoiceStatus
from ensemble.memberships.errors import MembershipError

from .factories import OrganisationFactory


@pytest.fixture
def invoice(submit, staff_user):
    membership = submit().membership
    return services.accept_and_invoice(membership, actor=staff_user)[1]


def base(office):
    return f"/{office.slug}/gestion"


def test_invoice_list_and_page(client, staff_user, invoice, office):
    client.force_login(staff_user)
    assert "FA-2022-00001" in client.get(f"{base(office)}/factures/").content.decode()
    page = client.get(f"{base(office)}/factures/{invoice.pk}/").content.decode()
    assert "90.00 €" in page or "90,00 €" in page
    assert invoice.payment_reference in page


def test_whole_credit_note_from_the_invoice_page(client, staff_user, invoice, office):
    client.force_login(staff_user)
    url = f"{base(office)}/factures/{invoice.pk}/avoir/"
    assert "Ce champ est obligatoire" in client.post(url, {"reason": ""}).content.decode()
    assert Invoice.objects.filter(kind="credit_note").count() == 0
    response = client.post(url, {"reason": "Adhésion annulée à la demande du partenaire"})
    credit = Invoice.objects.get(kind="credit_note")
    assert response["Location"] == f"{base(office)}/factures/{credit.pk}/"
    assert (credit.number, credit.total_ttc, credit.credited_invoice) == (
        "AV-2022-00001",
        invoice.total_ttc,
        invoice,
    )
    again = client.post(url, {"reason": "encore"})
    assert Invoice.objects.filter(kind="credit_note").count() == 1
    assert again.status_code in (200, 302)


def test_free_invoice_for_a_catalogue_offer(client, staff_user, office, season):
    organisation = OrganisationFactory(office=office)
    client.force_login(staff_user)
    photos = season.offers.get(code="photos-25")
    url = f"{base(office)}/organisations/{organisation.pk}/facturer/"
    response = client.post(url, {"offer": photos.pk, "quantity": "1", "vat_rate": "20"})
    invoice = Invoice.objects.get(organisation=organisation)
    assert response["Location"] == f"{base(office)}/factures/{invoice.pk}/"
    assert (invoice.total_ht, invoice.total_vat, invoice.total_ttc) == (
        Decimal("166.67"),
        Decimal("33.33"),
        Decimal("200.00"),
    )


def test_free_line_needs_a_label_and_a_price(client, staff_user, office, season):
    organisation = OrganisationFactory(office=office)
    client.force_login(staff_user)
    url = f"{base(office)}/organisations/{organisation.pk}/facturer/"
    html = client.post(url, {"quantity": "1", "vat_rate": "20"}).content.decode()
    assert "Indiquez la désignation" in html and "Indiquez le prix" in html
    assert not Invoice.objects.exists()


def test_other_office_invoices_answer_404(client, other_staff_user, invoice, office):
    client.force_login(other_staff_user)
    assert client.get(f"/aire-sur-la-lys/gestion/factures/{invoice.pk}/").status_code == 404
    response = client.post(f"/aire-sur-la-lys/gestion/factures/{invoice.pk}/avoir/", {"reason": "x"})
    assert response.status_code == 404
    assert client.get(f"{base(office)}/factures/{invoice.pk}/").status_code == 404
    assert not Invoice.objects.filter(kind="credit_note").exists()


def test_membership_accept_issues_its_invoice_once(submit, staff_user):
    membership = submit().membership
    membership, invoice = services.accept_and_invoice(membership, actor=staff_user)
    assert invoice.membership == membership and invoice.total_ttc == membership.amount_due
    with pytest.raises(MembershipError, match="Action impossible"):
        services.accept_and_invoice(membership, actor=staff_user)
    assert Invoice.objects.filter(membership=membership).count() == 1


def pay_data(**overrides):
    data = {
        "payment-amount": "90,00",
        "payment-received_on": "2022-12-27",
        "payment-method": "cheque",
        "payment-cheque_number": "7654321",
        "payment-bank": "CIC Nord Ouest",
        "payment-transfer_reference": "",
    }
    data.update(overrides)
    return data


def test_payment_on_the_invoice_page_settles_it_and_activates_the_membership(
    client, staff_user, invoice, office
):
    client.force_login(staff_user)
    response = client.post(f"{base(office)}/factures/{invoice.pk}/reglement/", pay_data())
    assert response.status_code == 302
    page = client.get(f"{base(office)}/factures/{invoice.pk}/").content.decode()
    assert ">Réglée</span>" in page
    invoice.membership.refresh_from_db()
    assert invoice.membership.status == "active"


def test_the_same_cheque_twice_for_one_organisation_is_refused(client, staff_user, invoice, office):
    client.force_login(staff_user)
    url = f"{base(office)}/factures/{invoice.pk}/reglement/"
    client.post(url, pay_data(**{"payment-amount": "40,00"}))
    html = client.post(url, pay_data(**{"payment-amount": "50,00"})).content.decode()
    assert "Ce chèque est déjà enregistré pour cette organisation." in html
    assert Payment.objects.count() == 1


def test_cancelled_payment_is_kept_with_its_reason(client, staff_user, invoice, office):
    client.force_login(staff_user)
    client.post(f"{base(office)}/factures/{invoice.pk}/reglement/", pay_data(**{"payment-amount": "40,00"}))
    payment = Payment.objects.get()
    url = f"{base(office)}/factures/{invoice.pk}/reglements/{payment.pk}/annuler/"
    client.post(url, {"cancel-reason": "Chèque sans provision"})
    payment.refresh_from_db()
    assert payment.is_cancelled and payment.cancel_reason == "Chèque sans provision"
    page = client.get(f"{base(office)}/factures/{invoice.pk}/").content.decode()
    assert "Reste à régler : 90.00 €" in page or "Reste à régler : 90,00 €" in page


def test_no_payment_on_an_invoice_cancelled_by_a_credit_note(staff_user, invoice):
    services.credit_invoice(invoice, actor=staff_user, reason="Erreur de facturation")
    with pytest.raises(BillingError, match="annulée par un avoir"):
        services.record_payment(
            invoice,
            actor=staff_user,
            method="transfer",
            amount=Decimal("90.00"),
            received_on=invoice.issue_date,
        )
    assert not Payment.objects.exists()
    assert selectors.status_of(invoice) == InvoiceStatus.CANCELLED


def test_status_is_derived_from_payments_and_due_date(staff_user, invoice):
    assert selectors.status_of(invoice) == InvoiceStatus.UNPAID
    services.record_payment(
        invoice, actor=staff_user, method="cash", amount=Decimal("30.00"), received_on=invoice.issue_date
    )
    assert selectors.status_of(invoice) == InvoiceStatus.PARTLY_PAID
    with time_machine.travel(invoice.due_date + datetime.timedelta(days=1)):
        assert selectors.status_of(invoice) == InvoiceStatus.OVERDUE
