"""The Factur-X XML (EN 16931, CII) taken back out of the stored PDF: valid against the XSD, and
saying what the invoice says, to the cent, with EN 16931's arithmetic holding; the EPC QR code."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import facturx
import pytest
import segno
from lxml import etree
from stdnum import iso11649, luhn

from ensemble.billing import epc, services
from ensemble.billing.amounts import LineInput
from ensemble.billing.errors import BillingError
from ensemble.billing.models import BillingProfile, Invoice, InvoiceDocument
from ensemble.billing.pdf import store_invoice_pdf
from ensemble.core.models import Office
from ensemble.memberships import services as membership_services

from .conftest import offer
from .factories import make_siret

NS = facturx.get_xml_namespaces("factur-x")
HEADER = "rsm:SupplyChainTradeTransaction"
AGREEMENT = f"{HEADER}/ram:ApplicableHeaderTradeAgreement"
SETTLEMENT = f"{HEADER}/ram:ApplicableHeaderTradeSettlement"
SUMMATION = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
LINE_NET = (
    "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
)


def french_vat_number(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


@pytest.fixture
def legal_office(office):
    """The office with the whole legal identity an invoice prints."""
    siret = make_siret()
    Office.objects.filter(pk=office.pk).update(
        legal_form="SPL",
        share_capital="150 000 €",
        siret=siret,
        vat_number=french_vat_number(siret[:9]),
        rcs="Saint-Omer " + siret[:9],
        phone="03 21 98 08 51",
    )
    office.refresh_from_db()
    return office


@pytest.fixture
def invoice(legal_office, submit, season, staff_user, django_capture_on_commit_callbacks):
    """A membership invoice (pack + 3 English trainings) issued, its PDF rendered after commit."""
    membership = submit(options={offer(season, "formation-anglais").pk: 3}).membership
    with django_capture_on_commit_callbacks(execute=True):
        membership_services.accept_membership(membership, actor=staff_user)
        issued = services.invoice_membership(membership, actor=staff_user)
    return issued


def issue_free_invoice(organisation, staff_user, capture, **draft_fields) -> Invoice:
    """An invoice typed by staff with two VAT rates and amounts that round."""
    lines = [
        LineInput("Atelier photo", Decimal(3), Decimal("5.5"), unit_price_ht=Decimal("33.33")),
        LineInput("Encart guide", Decimal(1), Decimal(10), unit_price_ttc=Decimal("99.99")),
        LineInput("Traduction", Decimal("2.5"), Decimal(20), unit_price_ht=Decimal("41.17")),
    ]
    draft = services.create_draft(organisation, lines=lines, actor=staff_user)
    for field, value in draft_fields.items():
        setattr(draft, field, value)
    draft.save()
    with capture(execute=True):
        return services.issue_invoice(draft, actor=staff_user)


def stored_pdf(invoice: Invoice) -> bytes:
    document = InvoiceDocument.objects.get(invoice=invoice)
    with document.file.storage.open(document.file.name, "rb") as stored:
        return stored.read()


def extracted_xml(invoice: Invoice) -> etree._Element:
    filename, xml = facturx.get_xml_from_pdf(stored_pdf(invoice), check_xsd=False)
    assert filename == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    return etree.fromstring(xml)


def one(root, path: str) -> str:
    found = root.xpath(path, namespaces=NS)
    assert len(found) == 1, path
    return found[0] if isinstance(found[0], str) else found[0].text


def many(root, path: str) -> list[str]:
    return [node if isinstance(node, str) else node.text for node in root.xpath(path, namespaces=NS)]


def amount(root, path: str) -> Decimal:
    return Decimal(one(root, path))


def cii_date(value: datetime.date) -> str:
    return value.strftime("%Y%m%d")


# --- What the XML says -------------------------------------------------------------------------


def test_the_xml_in_the_pdf_is_valid_and_identifies_the_invoice(invoice):
    root = extracted_xml(invoice)
    assert one(root, "rsm:ExchangedDocument/ram:ID") == invoice.number == "FA-2022-00001"
    assert one(root, "rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert one(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == "20221228"
    assert one(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString/@format") == "102"
    terms = f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms"
    assert one(root, f"{terms}/ram:DueDateDateTime/udt:DateTimeString") == cii_date(invoice.due_date)
    assert invoice.due_date == datetime.date(2023, 1, 27)
    period = f"{SETTLEMENT}/ram:BillingSpecifiedPeriod"
    assert one(root, f"{period}/ram:StartDateTime/udt:DateTimeString") == "20221228"
    assert one(root, f"{period}/ram:EndDateTime/udt:DateTimeString") == "20221231"
    assert one(
        root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
    ) == ("urn:cen.eu:en16931:2017")
    # the French "cadre de facturation": an invoice for services
    assert one(
        root, "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"
    ) == ("S1")


def test_the_parties_carry_their_legal_identifiers(invoice, legal_office):
    root = extracted_xml(invoice)
    seller = f"{AGREEMENT}/ram:SellerTradeParty"
    assert one(root, f"{seller}/ram:Name") == "SPL Tourisme en Pays de Saint-Omer"
    assert one(root, f"{seller}/ram:SpecifiedLegalOrganization/ram:ID") == legal_office.siret[:9]
    assert one(root, f"{seller}/ram:SpecifiedLegalOrganization/ram:ID/@schemeID") == "0002"
    assert one(root, f"{seller}/ram:GlobalID[@schemeID='0009']") == legal_office.siret
    assert (
        one(root, f"{seller}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == legal_office.vat_number
    )
    assert one(root, f"{seller}/ram:Description") == f"SPL au capital de 150 000 € — RCS {legal_office.rcs}"
    assert one(root, f"{seller}/ram:PostalTradeAddress/ram:CityName") == "Saint-Omer"
    buyer = f"{AGREEMENT}/ram:BuyerTradeParty"
    assert one(root, f"{buyer}/ram:Name") == invoice.buyer_name == "Le Moulin des Marais"
    assert luhn.is_valid(invoice.buyer_siren)
    assert one(root, f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID") == invoice.buyer_siren
    assert one(root, f"{buyer}/ram:SpecifiedLegalOrganization/ram:ID/@schemeID") == "0002"
    assert one(root, f"{buyer}/ram:PostalTradeAddress/ram:PostcodeCode") == "62500"
    # BT-34 / BT-49: the SIREN-level addresses of the French e-invoicing directory
    assert (
        one(root, f"{seller}/ram:URIUniversalCommunication/ram:URIID[@schemeID='0225']")
        == (legal_office.siret[:9])
    )
    assert (
        one(root, f"{buyer}/ram:URIUniversalCommunication/ram:URIID[@schemeID='0225']") == invoice.buyer_siren
    )


def test_the_amounts_are_the_invoice_s_to_the_cent(invoice):
    root = extracted_xml(invoice)
    lines = list(invoice.lines.order_by("position"))
    line_path = f"{HEADER}/ram:IncludedSupplyChainTradeLineItem"
    nets = [Decimal(v) for v in many(root, f"{line_path}/{LINE_NET}")]
    assert nets == [line.total_ht for line in lines] == [Decimal("75.00"), Decimal("125.00")]
    assert many(root, f"{line_path}/ram:SpecifiedTradeProduct/ram:Name") == [line.label for line in lines]
    assert amount(root, f"{SUMMATION}/ram:LineTotalAmount") == invoice.total_ht == Decimal("200.00")  # BT-106
    assert amount(root, f"{SUMMATION}/ram:TaxBasisTotalAmount") == invoice.total_ht  # BT-109
    assert amount(root, f"{SUMMATION}/ram:TaxTotalAmount[@currencyID='EUR']") == invoice.total_vat  # BT-110
    assert (
        amount(root, f"{SUMMATION}/ram:GrandTotalAmount") == invoice.total_ttc == Decimal("240.00")
    )  # BT-112
    assert amount(root, f"{SUMMATION}/ram:DuePayableAmount") == invoice.total_ttc  # BT-115
    tax = f"{SETTLEMENT}/ram:ApplicableTradeTax"
    assert many(root, f"{tax}/ram:BasisAmount") == ["200.00"]  # BT-116
    assert many(root, f"{tax}/ram:CalculatedAmount") == ["40.00"]  # BT-117
    assert many(root, f"{tax}/ram:CategoryCode") == ["S"]  # BT-118
    assert many(root, f"{tax}/ram:RateApplicablePercent") == ["20.00"]  # BT-119


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def assert_en16931_arithmetic(root) -> None:
    """BR-CO-10, -13, -14, -15, -16, -17 and BR-S-08, computed from the XML alone."""
    items = root.xpath(f"{HEADER}/ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    by_rate: dict[Decimal, Decimal] = {}
    for item in items:
        rate = Decimal(
            one(item, "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent")
        )
        net = Decimal(one(item, LINE_NET))
        by_rate[rate] = by_rate.get(rate, Decimal(0)) + net
    line_total = amount(root, f"{SUMMATION}/ram:LineTotalAmount")
    tax_basis = amount(root, f"{SUMMATION}/ram:TaxBasisTotalAmount")
    tax_total = amount(root, f"{SUMMATION}/ram:TaxTotalAmount")
    grand_total = amount(root, f"{SUMMATION}/ram:GrandTotalAmount")
    assert sum(by_rate.values()) == line_total  # BR-CO-10
    assert tax_basis == line_total  # BR-CO-13 (no document allowances or charges)
    assert grand_total == tax_basis + tax_total  # BR-CO-15
    assert amount(root, f"{SUMMATION}/ram:DuePayableAmount") == grand_total  # BR-CO-16, nothing prepaid
    groups = root.xpath(f"{SETTLEMENT}/ram:ApplicableTradeTax", namespaces=NS)
    assert sum(Decimal(one(g, "ram:CalculatedAmount")) for g in groups) == tax_total  # BR-CO-14
    assert len(groups) == len(by_rate)
    for group in groups:
        rate, basis = Decimal(one(group, "ram:RateApplicablePercent")), Decimal(one(group, "ram:BasisAmount"))
        assert basis == by_rate[rate]  # BR-S-08
        assert Decimal(one(group, "ram:CalculatedAmount")) == _round(basis * rate / 100)  # BR-CO-17
    for text in root.xpath(
        "//ram:LineTotalAmount | //ram:BasisAmount | //ram:CalculatedAmount", namespaces=NS
    ):
        assert Decimal(text.text).as_tuple().exponent == -2  # BR-DEC: two decimals


def test_en16931_arithmetic_holds_for_the_membership_invoice(invoice):
    assert_en16931_arithmetic(extracted_xml(invoice))


def test_en16931_arithmetic_holds_with_several_rates_and_rounding(
    invoice, staff_user, django_capture_on_commit_callbacks
):
    free = issue_free_invoice(invoice.organisation, staff_user, django_capture_on_commit_callbacks)
    root = extracted_xml(free)
    assert_en16931_arithmetic(root)
    tax = f"{SETTLEMENT}/ram:ApplicableTradeTax"
    assert many(root, f"{tax}/ram:RateApplicablePercent") == ["5.50", "10.00", "20.00"]
    assert [Decimal(v) for v in many(root, f"{tax}/ram:BasisAmount")] == [
        Decimal("99.99"),
        Decimal("90.90"),
        Decimal("102.93"),
    ]
    assert amount(root, f"{SUMMATION}/ram:GrandTotalAmount") == free.total_ttc
    assert amount(root, f"{SUMMATION}/ram:TaxTotalAmount") == free.total_vat
    # the 2,5 h of translation at 41,17 HT: the unit price and quantity travel as entered
    translation = root.xpath(f"{HEADER}/ram:IncludedSupplyChainTradeLineItem", namespaces=NS)[2]
    assert one(translation, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity") == "2.50"
    assert one(translation, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode") == "C62"
    price = "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"
    assert Decimal(one(translation, price)) == Decimal("41.17")


def test_payment_means_and_legal_notes(invoice, legal_office):
    root = extracted_xml(invoice)
    means = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"
    assert one(root, f"{means}/ram:TypeCode") == "58"  # SEPA credit transfer
    assert one(root, f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == legal_office.iban
    assert one(root, f"{means}/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID") == "AGRIFRPP"
    assert one(root, f"{SETTLEMENT}/ram:PaymentReference") == invoice.payment_reference
    assert iso11649.is_valid(invoice.payment_reference)
    notes = {
        one(note, "ram:SubjectCode"): one(note, "ram:Content")
        for note in root.xpath("rsm:ExchangedDocument/ram:IncludedNote", namespaces=NS)
    }
    assert notes["AAB"] == "Escompte : néant"
    assert "12,00\u00a0%" in notes["PMD"]
    assert notes["PMT"].endswith("40,00\u00a0€")
    assert "TXD" not in notes  # no VAT-on-debits option
    assert one(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:DueDateTypeCode") == "72"  # VAT on payment


def test_the_vat_on_debits_option_and_a_delivery_address_are_carried(
    invoice, legal_office, staff_user, django_capture_on_commit_callbacks
):
    BillingProfile.objects.update_or_create(office=legal_office, defaults={"vat_on_debits": True})
    free = issue_free_invoice(
        invoice.organisation,
        staff_user,
        django_capture_on_commit_callbacks,
        delivery_address="Salle des fêtes, 1 place Foch, 62500 Saint-Omer",
    )
    root = extracted_xml(free)
    notes = many(root, "rsm:ExchangedDocument/ram:IncludedNote[ram:SubjectCode='TXD']/ram:Content")
    assert notes == ["Option pour le paiement de la taxe d'après les débits"]
    assert set(many(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:DueDateTypeCode")) == {"5"}
    ship_to = f"{HEADER}/ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty"
    assert one(root, f"{ship_to}/ram:PostalTradeAddress/ram:LineOne").startswith("Salle des fêtes")


def test_a_credit_note_is_type_381_positive_and_references_the_invoice(
    invoice, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        credit = services.credit_invoice(invoice, actor=staff_user, reason="Adhésion annulée")
    root = extracted_xml(credit)
    assert one(root, "rsm:ExchangedDocument/ram:ID") == credit.number == "AV-2022-00001"
    assert one(root, "rsm:ExchangedDocument/ram:TypeCode") == "381"
    referenced = f"{SETTLEMENT}/ram:InvoiceReferencedDocument"
    assert one(root, f"{referenced}/ram:IssuerAssignedID") == invoice.number  # BT-25
    assert one(root, f"{referenced}/ram:FormattedIssueDateTime/qdt:DateTimeString") == "20221228"  # BT-26
    assert amount(root, f"{SUMMATION}/ram:GrandTotalAmount") == credit.total_ttc == Decimal("240.00")
    assert amount(root, f"{SUMMATION}/ram:DuePayableAmount") > 0
    assert_en16931_arithmetic(root)
    assert not root.xpath(f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans", namespaces=NS)


# --- The EPC QR code ---------------------------------------------------------------------------


def test_the_epc_payload_has_every_field_of_a_sepa_transfer(invoice, legal_office):
    fields = epc.epc_fields(invoice)
    payload = "\n".join(
        [
            "BCD",
            "002",
            "1",  # UTF-8
            "SCT",
            "AGRIFRPP",
            "SPL Tourisme en Pays de Saint-Omer",
            "FR7630006000011234567890189",
            "EUR240",
            "",  # no purpose code
            invoice.payment_reference,
        ]
    )
    assert segno.helpers._make_epc_qr_data(**fields) == payload.encode()
    expected = segno.make_qr(payload.encode(), error="m", boost_error=False)
    assert epc.epc_qr(invoice).matrix == expected.matrix
    assert epc.epc_qr(invoice).error == "M"
    assert iso11649.validate(invoice.payment_reference) == invoice.payment_reference


def test_an_invalid_office_iban_is_refused_in_french(invoice, legal_office, staff_user):
    Office.objects.filter(pk=legal_office.pk).update(iban="FR7630006000011234567890180")
    free = services.issue_invoice(
        services.create_draft(
            invoice.organisation,
            lines=[LineInput("Encart", Decimal(1), Decimal(20), unit_price_ttc=Decimal(60))],
            actor=staff_user,
        ),
        actor=staff_user,
    )
    with pytest.raises(BillingError) as refused:
        epc.epc_fields(free)
    assert refused.value.message.startswith("L'IBAN de l'office n'est pas valide")
    with pytest.raises(BillingError):
        store_invoice_pdf(free.pk)
    assert not InvoiceDocument.objects.filter(invoice=free).exists()


def test_a_credit_note_has_no_payment_qr_code(invoice, staff_user):
    credit = services.credit_invoice(invoice, actor=staff_user, reason="Erreur")
    assert epc.is_payable(invoice)
    assert not epc.is_payable(credit)
