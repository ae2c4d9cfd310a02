"""A bank statement proposes which invoice each transfer pays; staff confirm; nothing twice."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ensemble.billing import bank_import, services
from ensemble.billing.errors import BillingError
from ensemble.billing.payments import Payment


@pytest.fixture
def invoice(submit, staff_user):
    return services.accept_and_invoice(submit().membership, actor=staff_user)[1]


def statement(invoice) -> bytes:
    return (
        "Date;Montant;Libellé\n"
        f"27/12/2022;90,00;VIR SEPA LE MOULIN DES MARAIS {invoice.payment_reference}\n"
        "27/12/2022;-12,50;FRAIS BANCAIRES\n"
        "26/12/2022;45,00;VIR INCONNU SANS REFERENCE\n"
    ).encode()


def test_parse_and_match_by_rf_reference_and_number(invoice, office):
    lines = bank_import.parse_statement(statement(invoice))
    assert [(line.amount, line.date.day) for line in lines] == [
        (Decimal("90.00"), 27),
        (Decimal("-12.50"), 27),
        (Decimal("45.00"), 26),
    ]
    proposals = bank_import.propose_matches(office, lines)
    assert [(p.invoice, p.reason) for p in proposals] == [(invoice, "référence RF"), (None, "")]
    by_number = bank_import.propose_matches(
        office, bank_import.parse_statement(f"2022-12-27,90.00,Facture {invoice.number}".encode())
    )
    assert by_number[0].invoice == invoice


def test_unreadable_lines_are_named(office):
    with pytest.raises(BillingError, match="Ligne 3 : date ou montant illisible."):
        bank_import.parse_statement(b"Date;Montant;Libelle\n27/12/2022;90,00;x\n32/13/2022;abc;y\n")
    with pytest.raises(BillingError, match="trois colonnes"):
        bank_import.parse_statement(b"27/12/2022;90,00\n")


def test_another_office_invoice_is_never_proposed(invoice, other_office):
    proposals = bank_import.propose_matches(other_office, bank_import.parse_statement(statement(invoice)))
    assert all(p.invoice is None for p in proposals)


def test_upload_review_confirm_then_reimport_records_nothing_twice(client, staff_user, invoice, office):
    client.force_login(staff_user)
    url = f"/{office.slug}/gestion/factures/rapprochement/"
    upload = SimpleUploadedFile("releve.csv", statement(invoice), content_type="text/csv")
    page = client.post(url, {"statement": upload}).content.decode()
    assert invoice.number in page
    payload = re.search(r'name="payload" value="([^"]+)"', page).group(1)
    client.post(url, {"payload": payload, "confirm": ["0"]})
    client.post(url, {"payload": payload, "confirm": ["0"]})  # the same review confirmed twice
    payment = Payment.objects.get()
    assert (payment.invoice, payment.amount, payment.method) == (invoice, Decimal("90.00"), "transfer")
    invoice.membership.refresh_from_db()
    assert invoice.membership.status == "active"


def test_a_tampered_review_changes_nothing(client, staff_user, invoice, office):
    client.force_login(staff_user)
    url = f"/{office.slug}/gestion/factures/rapprochement/"
    response = client.post(url, {"payload": "forged", "confirm": ["0"]}, follow=True)
    assert "a expiré ou a été modifié" in response.content.decode()
    assert not Payment.objects.exists()
