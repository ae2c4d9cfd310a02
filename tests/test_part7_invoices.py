"""Issue 12: invoices an accountant signs without remarks.

B1 the seller's legal identity is required before issuing, and carried by the Factur-X XML;
B2 an invoice paid at issue asks for nothing, one paid later keeps its PDF and gets a receipt;
B3 one rule for unit prices on every document and page; B4 the seller's phone is formatted.
"""

import io
import re
from decimal import Decimal

import pytest
from django.utils.html import escape
from lxml import etree
from pypdf import PdfReader

from ensemble.accounts.models import StaffMembership
from ensemble.accounts.roles import Role
from ensemble.billing import services
from ensemble.billing.amounts import LineInput
from ensemble.billing.errors import BillingError
from ensemble.billing.facturx_xml import invoice_figures, invoice_xml, legal_mentions
from ensemble.billing.models import Invoice, InvoiceDocument, NumberCounter
from ensemble.billing.pdf import invoice_html
from ensemble.billing.receipt_pdf import receipt_pdf
from ensemble.core.models import Office
from ensemble.memberships import services as membership_services

from .conftest import BULLETIN_ON, verified
from .factories import ContactFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
SETTINGS_URL = "/saint-omer/gestion/parametres/"


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def html_of(invoice: Invoice) -> str:
    return invoice_html(invoice, invoice_figures(invoice), legal_mentions(invoice))


def seller_ids(xml: bytes) -> dict:
    party = etree.fromstring(xml).find(".//ram:SellerTradeParty", NS)
    legal = party.find("ram:SpecifiedLegalOrganization/ram:ID", NS)
    vat = party.find("ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", NS)
    return {
        "siren": (legal.text, legal.get("schemeID")) if legal is not None else None,
        "vat": vat.text if vat is not None else None,
    }


@pytest.fixture
def organisation(office):
    organisation = OrganisationFactory(office=office, name="SARL Les Jardins du Haut-Pont")
    ContactFactory(organisation=organisation, first_name="Inès", email="ines@haut-pont.example")
    return organisation


def draft(organisation, actor, *, price="120.00", quantity="1", vat="20"):
    lines = [
        LineInput("Visite VIP", Decimal(quantity), Decimal(vat), unit_price_ttc=Decimal(price)),
    ]
    return services.create_draft(organisation, lines=lines, actor=actor)


# --- B1: the seller's legal identity ------------------------------------------------------------


def test_the_test_offices_have_a_legal_identity(office):
    office.full_clean()  # a valid SIRET and the VAT number of its SIREN
    assert (office.siret, office.vat_number) == ("80012345700015", "FR41800123457")


@pytest.mark.parametrize(
    ("blank", "missing"),
    [
        ({"siret": ""}, "le SIRET"),
        ({"vat_number": ""}, "le n° de TVA intracommunautaire"),
        ({"siret": "", "vat_number": ""}, "le SIRET, le n° de TVA intracommunautaire"),
        ({"address": ""}, "l'adresse du siège"),
    ],
)
def test_issuing_without_the_legal_identity_is_refused_with_a_link(
    office, organisation, staff_user, blank, missing
):
    Office.objects.filter(pk=office.pk).update(**blank)
    invoice = draft(organisation, staff_user)
    with pytest.raises(BillingError) as info:
        services.issue_invoice(invoice, actor=staff_user)
    assert info.value.message == (
        "Avant d'émettre une facture, renseignez l'identité légale de l'office, obligatoire sur toute "
        f"facture (il manque {escape(missing)}) dans les "
        f'<a href="{SETTINGS_URL}">paramètres de l\'office</a>.'
    )
    invoice.refresh_from_db()
    assert (invoice.state, invoice.number) == ("draft", None)
    assert not NumberCounter.objects.exists()


def test_a_vat_free_invoice_needs_no_vat_number(office, organisation, staff_user):
    Office.objects.filter(pk=office.pk).update(vat_number="")
    invoice = services.issue_invoice(draft(organisation, staff_user, vat="0"), actor=staff_user)
    assert invoice.is_issued and invoice.seller["vat_number"] == ""


def test_the_free_invoice_page_shows_the_refusal_with_a_clickable_link(client, office, staff_user, season):
    Office.objects.filter(pk=office.pk).update(siret="")
    organisation = OrganisationFactory(office=office)
    client.force_login(staff_user)
    response = client.post(
        f"/saint-omer/gestion/organisations/{organisation.pk}/facturer/",
        {"label": "Visite VIP", "quantity": "1", "vat_rate": "20", "unit_price_ttc": "120,00"},
    )
    assert response.status_code == 200
    assert f'<a href="{SETTINGS_URL}">paramètres de l' in response.content.decode()
    assert not Invoice.objects.filter(state="issued").exists()


def test_the_factur_x_xml_carries_the_siren_and_the_vat_number(office, organisation, staff_user):
    invoice = services.issue_invoice(draft(organisation, staff_user), actor=staff_user)
    assert seller_ids(invoice_xml(invoice)) == {
        "siren": ("800123457", "0002"),
        "vat": "FR41800123457",
    }
    html = html_of(invoice)
    assert "SIRET 80012345700015" in html and "FR41800123457" in html


def test_the_settings_page_no_longer_calls_the_identity_optional(client, office, staff_user):
    client.force_login(staff_user)
    html = client.get(SETTINGS_URL).content.decode()
    assert '<label for="id_office-siret">SIRET</label>' in html
    assert "SIRET (facultatif)" not in html
    assert "N° de TVA intracommunautaire (facultatif)" not in html


# --- B2: paid at issue, paid later --------------------------------------------------------------


@pytest.fixture
def paid_at_issue(submit, staff_user, django_capture_on_commit_callbacks):
    membership = submit().membership
    membership_services.record_signed_bulletin(membership, actor=staff_user, received_on=BULLETIN_ON)
    cheque = {"amount": Decimal("90.00"), "cheque_number": "0012345", "received_on": BULLETIN_ON}
    with django_capture_on_commit_callbacks(execute=True):
        _, invoice = services.accept_and_invoice(membership, actor=staff_user, cheque=cheque)
    return invoice


def stored(invoice: Invoice) -> bytes:
    with InvoiceDocument.objects.get(invoice=invoice).file.open("rb") as f:
        return f.read()


def test_an_invoice_paid_at_issue_asks_for_nothing(paid_at_issue):
    invoice = paid_at_issue
    assert (invoice.paid_at_issue_on, invoice.paid_at_issue_method) == (BULLETIN_ON, "cheque")
    text = pdf_text(stored(invoice))
    assert "Acquittée le 01/03/2022 par chèque." in text
    assert "Net à payer" not in text
    assert "IBAN" not in text and "virement" not in text.lower()
    assert "Scannez" not in text
    assert 'alt="QR code' not in html_of(invoice)
    assert "Total acquitté" in text


def test_its_xml_says_nothing_is_due(paid_at_issue):
    root = etree.fromstring(invoice_xml(paid_at_issue))
    summation = root.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    assert summation.find("ram:TotalPrepaidAmount", NS).text == "90.00"
    assert summation.find("ram:DuePayableAmount", NS).text == "0.00"
    assert root.find(".//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode", NS).text == "20"


def test_a_partial_cheque_at_issue_leaves_the_payment_request(submit, staff_user):
    membership = submit().membership
    membership_services.record_signed_bulletin(membership, actor=staff_user, received_on=BULLETIN_ON)
    cheque = {"amount": Decimal("40.00"), "cheque_number": "0012346", "received_on": BULLETIN_ON}
    _, invoice = services.accept_and_invoice(membership, actor=staff_user, cheque=cheque)
    assert not invoice.is_paid_at_issue
    html = html_of(invoice)
    assert "Net à payer" in html and "IBAN" in html


def test_a_refused_payment_at_issue_issues_nothing(submit, staff_user):
    membership = submit().membership
    membership_services.record_signed_bulletin(membership, actor=staff_user, received_on=BULLETIN_ON)
    cheque = {"amount": Decimal("90.00"), "cheque_number": " ", "received_on": BULLETIN_ON}
    with pytest.raises(BillingError, match="numéro du chèque"):
        services.accept_and_invoice(membership, actor=staff_user, cheque=cheque)
    assert not Invoice.objects.exists()


@pytest.fixture
def unpaid(organisation, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.issue_invoice(draft(organisation, staff_user), actor=staff_user)


def test_paid_later_the_pdf_stays_byte_identical_and_a_receipt_states_the_payments(unpaid, staff_user):
    before = stored(unpaid)
    digest = InvoiceDocument.objects.get(invoice=unpaid).sha256
    with pytest.raises(BillingError, match="pas entièrement réglée"):
        receipt_pdf(unpaid)
    services.record_payment(
        unpaid,
        actor=staff_user,
        method="transfer",
        amount=Decimal("120.00"),
        received_on=BULLETIN_ON,
        transfer_reference="VIR SEPA JARDINS",
    )
    services.documents.invoice_pdf_file(unpaid)  # a download after the payment
    assert stored(unpaid) == before
    assert InvoiceDocument.objects.get(invoice=unpaid).sha256 == digest
    assert "Net à payer" in pdf_text(before)
    text = pdf_text(receipt_pdf(Invoice.objects.get(pk=unpaid.pk)))
    assert "Facture acquittée" in text and unpaid.number in text
    assert "01/03/2022" in text and "virement" in text and "120,00" in text


def test_staff_and_the_partner_download_the_receipt(client, unpaid, organisation, staff_user, office):
    partner = verified(UserFactory(email="ines@haut-pont.example"))
    organisation.organisationmember_set.create(user=partner, role="owner")
    backoffice = f"/saint-omer/gestion/factures/{unpaid.pk}/acquittee.pdf"
    portal = f"/saint-omer/espace-pro/factures/{unpaid.pk}/acquittee/"
    client.force_login(staff_user)
    assert client.get(backoffice).status_code == 409  # not settled yet
    services.record_payment(
        unpaid, actor=staff_user, method="cash", amount=Decimal("120.00"), received_on=BULLETIN_ON
    )
    page = client.get(f"/saint-omer/gestion/factures/{unpaid.pk}/").content.decode()
    assert backoffice in page
    response = client.get(backoffice)
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response["Cache-Control"] == "private"
    client.force_login(partner)
    assert portal in client.get("/saint-omer/espace-pro/factures/").content.decode()
    response = client.get(portal)
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert b"".join(response).startswith(b"%PDF")


def test_another_partner_gets_404_for_the_receipt(client, unpaid, staff_user):
    services.record_payment(
        unpaid, actor=staff_user, method="cash", amount=Decimal("120.00"), received_on=BULLETIN_ON
    )
    stranger = verified(UserFactory(email="autre@example.org"))
    client.force_login(stranger)
    assert client.get(f"/saint-omer/espace-pro/factures/{unpaid.pk}/acquittee/").status_code == 404


# --- B3: one rule for unit prices ---------------------------------------------------------------


def test_the_unit_price_is_the_same_on_the_pdf_the_page_and_the_xml(client, organisation, staff_user):
    invoice = services.issue_invoice(
        draft(organisation, staff_user, price="50.00", quantity="2"), actor=staff_user
    )
    line = invoice.lines.get()
    assert (line.total_ht, line.unit_price_ht) == (Decimal("83.33"), Decimal("41.665000"))
    assert "41,665\u00a0€" in html_of(invoice)
    client.force_login(staff_user)
    page = client.get(f"/saint-omer/gestion/factures/{invoice.pk}/").content.decode()
    assert "41,665\u00a0€" in page and "41,67 €" not in page
    xml = etree.fromstring(invoice_xml(invoice))
    price = xml.find(".//ram:NetPriceProductTradePrice/ram:ChargeAmount", NS).text
    assert Decimal(price) == Decimal("41.665")


def test_whole_cent_unit_prices_keep_two_decimals(client, organisation, staff_user):
    invoice = services.issue_invoice(draft(organisation, staff_user, price="90.00"), actor=staff_user)
    assert "75,00\u00a0€" in html_of(invoice)
    client.force_login(staff_user)
    assert "75,00\u00a0€" in client.get(f"/saint-omer/gestion/factures/{invoice.pk}/").content.decode()


# --- B4: the seller's phone, formatted ----------------------------------------------------------


@pytest.mark.parametrize(
    ("stored_phone", "printed"),
    [("+33321980851", "03 21 98 08 51"), ("+3222223344", "+32 2 222 33 44")],
)
def test_the_seller_phone_is_printed_as_people_read_it(
    office, organisation, staff_user, stored_phone, printed
):
    Office.objects.filter(pk=office.pk).update(phone=stored_phone)
    invoice = services.issue_invoice(draft(organisation, staff_user), actor=staff_user)
    html = html_of(invoice)
    assert printed in html and stored_phone not in html


def test_a_read_only_staff_member_sees_the_formatted_phone(client, office, staff_user):
    Office.objects.filter(pk=office.pk).update(phone="+33321980851")
    StaffMembership.objects.filter(user=staff_user).update(role=Role.READ_ONLY)
    client.force_login(staff_user)
    assert "03 21 98 08 51" in client.get(SETTINGS_URL).content.decode()


def test_validating_a_request_without_the_identity_shows_the_link(client, office, submit, staff_user):
    Office.objects.filter(pk=office.pk).update(siret="")
    membership = submit().membership
    client.force_login(staff_user)
    response = client.post(f"/saint-omer/gestion/adhesions/{membership.pk}/valider/", follow=True)
    assert f'<a href="{SETTINGS_URL}">paramètres de l' in response.content.decode()
    membership.refresh_from_db()
    assert membership.status == "requested" and not Invoice.objects.exists()
