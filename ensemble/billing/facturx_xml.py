"""The Factur-X XML (profile EN 16931, CII syntax) of an issued invoice or credit note.

The data dict uses the keys of factur-x's own generator (the BT-/BG- numbers of EN 16931); the
generator writes the XML and checks it against the Factur-X XSD. The figures come from the stored
lines grouped by VAT rate as `amounts.compute` grouped them at issue (BR-CO-17: VAT per rate =
taxable × rate, rounded), and are compared with the stored totals: if they do not agree to the
cent, nothing is produced. The PDF prints the same `InvoiceFigures`, so the two cannot differ.

French legal mentions travel both in the PDF and in the XML: BG-1 notes with the subject codes
the French Factur-X guidance uses (AAB discount, PMD late-payment penalties, PMT fixed recovery
indemnity, TXD the VAT-on-debits option), BT-23 "S1" (cadre de facturation: services), BT-8 the
VAT due-date code (5 = invoice date when the office opted for debits, 72 = payment date
otherwise), BT-30/BT-47 the SIRENs (ISO 6523 scheme 0002), BT-29 the seller's SIRET (0009),
BT-34/BT-49 the SIREN as electronic address (scheme 0225). The test suite checks the XSD and
EN 16931's arithmetic; the Factur-X EN 16931 schematron and the French CTC (Flux 2) one, run by
hand with saxonche on the test invoices, report no failed assertion (decisions.md).
"""

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

import facturx

from ensemble.core.money import format_eur

from .amounts import vat_of
from .errors import BillingError
from .formats import unit_price_value
from .models import BillingProfile, Invoice, InvoiceLine

CURRENCY = "EUR"
SIREN_SCHEME = "0002"  # ISO 6523 ICD of the French SIREN
SIRET_SCHEME = "0009"  # … and of the SIRET
SIREN_ADDRESS_SCHEME = "0225"  # the French e-invoicing directory's addresses, SIREN-based
SEPA_CREDIT_TRANSFER = "58"  # UNTDID 4461
UNIT_ONE = "C62"  # UN/ECE Recommendation 20: "one"
SERVICES = "S1"  # BT-23, French "cadre de facturation": an invoice for services
OPERATION_CATEGORY = "Prestations de services"
DEBITS_OPTION = "Option pour le paiement de la taxe d'après les débits"


@dataclasses.dataclass(frozen=True)
class VatGroup:
    """One row of the VAT breakdown (BG-23)."""

    rate: Decimal
    taxable: Decimal  # BT-116
    vat: Decimal  # BT-117

    @property
    def category(self) -> str:  # BT-118
        return "S" if self.rate > 0 else "E"


@dataclasses.dataclass(frozen=True)
class InvoiceFigures:
    """Every amount the PDF and the XML print, checked once against the stored invoice."""

    lines: list[InvoiceLine]
    groups: list[VatGroup]
    total_ht: Decimal  # BT-106 = BT-109 (no document-level allowances or charges)
    total_vat: Decimal  # BT-110
    total_ttc: Decimal  # BT-112 = BT-115 (nothing prepaid)


@dataclasses.dataclass(frozen=True)
class Mentions:
    """The legal mentions (Code de commerce L441-9, CGI art. 242 nonies A, and the mentions
    added from September 2026), printed on the PDF and carried as BG-1 notes."""

    payment_terms: str
    discount: str
    penalties: str
    indemnity: str
    vat_on_debits: bool
    operation: str = OPERATION_CATEGORY

    def notes(self) -> list[dict]:
        notes = [
            {"BT-21": "AAB", "BT-22": self.discount},
            {"BT-21": "PMD", "BT-22": self.penalties},
            {"BT-21": "PMT", "BT-22": self.indemnity},
        ]
        if self.vat_on_debits:
            notes.append({"BT-21": "TXD", "BT-22": DEBITS_OPTION})
        return notes


def unit_price(line: InvoiceLine) -> Decimal:
    """BT-146 as printed and as sent: the stored HT unit price, to 4 decimals (billing.formats)."""
    return unit_price_value(line.unit_price_ht)


def format_rate(rate: Decimal) -> str:
    """French display of a percentage: 12,00 %."""
    return f"{Decimal(rate):.2f}".replace(".", ",") + "\u00a0%"


def invoice_figures(invoice: Invoice) -> InvoiceFigures:
    lines = list(invoice.lines.order_by("position", "id"))
    taxable: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line in lines:
        taxable[Decimal(line.vat_rate)] += line.total_ht
    groups = [VatGroup(rate, base, vat_of(base, rate)) for rate, base in sorted(taxable.items())]
    figures = InvoiceFigures(
        lines=lines,
        groups=groups,
        total_ht=sum((g.taxable for g in groups), Decimal("0.00")),
        total_vat=sum((g.vat for g in groups), Decimal("0.00")),
        total_ttc=sum((g.taxable + g.vat for g in groups), Decimal("0.00")),
    )
    stored = (invoice.total_ht, invoice.total_vat, invoice.total_ttc)
    if (figures.total_ht, figures.total_vat, figures.total_ttc) != stored:
        raise BillingError(
            f"Les lignes de {invoice.number} ne redonnent pas ses totaux : "
            "la facture électronique n'est pas produite."
        )
    return figures


TERMS = ("late_penalty_rate", "recovery_indemnity", "vat_on_debits")


def _terms(invoice: Invoice) -> dict:
    """The billing terms as snapshotted at issue (`services.seller_snapshot`); invoices issued
    before the snapshot carried them fall back to the office's current ones."""
    if all(key in invoice.seller for key in TERMS):
        return {key: invoice.seller[key] for key in TERMS}
    profile = BillingProfile.objects.filter(office_id=invoice.office_id).first() or BillingProfile()
    return {key: invoice.seller.get(key, getattr(profile, key)) for key in TERMS}


def _date(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


# How a payment received at issue is named on the invoice (always in French, like the PDF: the
# same invoice gives the same bytes whatever the language of whoever renders it), and its
# UNTDID 4461 code (BT-81).
PAID_BY = {"cheque": "chèque", "transfer": "virement", "card": "carte bancaire", "cash": "espèces"}
PAYMENT_MEANS = {"cheque": "20", "transfer": SEPA_CREDIT_TRANSFER, "card": "48", "cash": "10"}


def paid_at_issue_text(invoice: Invoice) -> str:
    """« Acquittée le 01/03/2022 par chèque. », or "" for an invoice that was not paid at issue."""
    if not invoice.is_paid_at_issue:
        return ""
    method = PAID_BY.get(invoice.paid_at_issue_method, invoice.paid_at_issue_method)
    return f"Acquittée le {_date(invoice.paid_at_issue_on)} par {method}."


def _payment_terms(invoice: Invoice) -> str:
    if invoice.is_paid_at_issue:
        return f"Rien à payer : facture {paid_at_issue_text(invoice).lower()}"
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        credited = invoice.credited_invoice
        return (
            f"Avoir sur la facture {credited.number} du {_date(credited.issue_date)} : "
            "déduit du montant restant dû, ou remboursé par virement."
        )
    days = (invoice.due_date - invoice.issue_date).days
    return (
        f"Paiement à {days} jours, au plus tard le {_date(invoice.due_date)}, par virement "
        f"avec la référence {invoice.payment_reference}."
    )


def legal_mentions(invoice: Invoice) -> Mentions:
    terms = _terms(invoice)
    rate = Decimal(str(terms["late_penalty_rate"]))
    indemnity = Decimal(str(terms["recovery_indemnity"]))
    return Mentions(
        payment_terms=_payment_terms(invoice),
        discount="Escompte : néant",
        penalties=(
            f"Pénalités de retard : taux annuel de {format_rate(rate)}, exigibles dès le "
            "lendemain de l'échéance"
        ),
        indemnity=f"Indemnité forfaitaire pour frais de recouvrement : {format_eur(indemnity)}",
        vat_on_debits=bool(terms["vat_on_debits"]),
    )


def seller_legal_info(seller: dict) -> str:
    """BT-33: legal form and capital, RCS — "SPL au capital de 150 000 € — RCS Saint-Omer …"."""
    form, capital = seller.get("legal_form", ""), seller.get("share_capital", "")
    if capital and "€" not in capital:
        capital = f"{capital}\u00a0€"
    parts = [f"{form} au capital de {capital}".strip() if capital else form]
    if seller.get("rcs"):
        parts.append(f"RCS {seller['rcs']}")
    return " — ".join(part for part in parts if part)


def _address(address: str, postcode: str, city: str, country: str) -> dict:
    fields = {"addr_l1": address, "postcode": postcode, "city": city, "country_code": country}
    return {key: value for key, value in fields.items() if value}


def _siren_fields(siren: str) -> dict:
    """BT-30/BT-47, the SIREN, and BT-34/BT-49, the electronic address: the SIREN-level address
    every company has in the French e-invoicing directory (asked by the French rules BR-FR-12/13)."""
    return {
        "legal_identifier": siren,
        "legal_identifier_schemeid": SIREN_SCHEME,
        "einvoicing_addr": siren,
        "einvoicing_addr_schemeid": SIREN_ADDRESS_SCHEME,
    }


def _seller(invoice: Invoice) -> dict:
    seller = invoice.seller
    siret = seller.get("siret", "")
    party = {
        "name": seller.get("legal_name") or seller["name"],
        "vat_identifier": seller.get("vat_number", ""),
        "legal_info": seller_legal_info(seller),
        **_address(seller.get("address", ""), seller.get("postcode", ""), seller.get("city", ""), "FR"),
    }
    if seller.get("legal_name") and seller["legal_name"] != seller["name"]:
        party["biz_name"] = seller["name"]
    if siret:
        party.update(identifiers={SIRET_SCHEME: siret}, **_siren_fields(siret[:9]))
    contact = {k: seller[k] for k in ("email", "phone") if seller.get(k)}
    if contact:
        party["contacts"] = [contact]
    return {key: value for key, value in party.items() if value}


def _buyer(invoice: Invoice) -> dict:
    party = {
        "name": invoice.buyer_name,
        "vat_identifier": invoice.buyer_vat_number,
        **_address(invoice.buyer_address, invoice.buyer_postcode, invoice.buyer_city, invoice.buyer_country),
    }
    if invoice.buyer_siren:
        party.update(_siren_fields(invoice.buyer_siren))
    return {key: value for key, value in party.items() if value}


def _line(line: InvoiceLine, number: int) -> dict:
    category = "S" if line.vat_rate > 0 else "E"
    return {
        "BT-126": str(number),
        "BT-129": f"{line.quantity:.2f}",
        "BT-130": UNIT_ONE,
        "BT-131": f"{line.total_ht:.2f}",
        "BT-146": f"{unit_price(line)}",
        "BT-151": category,
        "BT-152": f"{line.vat_rate:.2f}",
        "BT-153": line.label,
    }


def _vat_group(group: VatGroup) -> dict:
    data = {
        "BT-116": f"{group.taxable:.2f}",
        "BT-117": f"{group.vat:.2f}",
        "BT-118": group.category,
        "BT-119": f"{group.rate:.2f}",
    }
    if group.category == "E":
        data["BT-120"] = "Exonération de TVA"
    return data


def _totals(invoice: Invoice, figures: InvoiceFigures) -> dict:
    """BT-113 paid amount and BT-115 amount due: an invoice paid at issue is due nothing."""
    paid = figures.total_ttc if invoice.is_paid_at_issue else Decimal("0.00")
    totals = {
        "BT-106": f"{figures.total_ht:.2f}",
        "BT-109": f"{figures.total_ht:.2f}",
        "BT-110": f"{figures.total_vat:.2f}",
        "BT-112": f"{figures.total_ttc:.2f}",
        "BT-115": f"{figures.total_ttc - paid:.2f}",
    }
    if paid:
        totals["BT-113"] = f"{paid:.2f}"
    return totals


def _payment(invoice: Invoice) -> dict:
    """BT-9 and BG-16 for an invoice (a credit note is settled by its BT-20 terms)."""
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        return {
            "BG-3": [{"BT-25": invoice.credited_invoice.number, "BT-26": invoice.credited_invoice.issue_date}]
        }
    if invoice.is_paid_at_issue:  # nothing asked: how it was paid (BR-61: a transfer names the account)
        method = invoice.paid_at_issue_method
        data = {"BT-81": PAYMENT_MEANS.get(method, "1"), "BT-83": invoice.payment_reference}
        if method == "transfer" and invoice.seller.get("iban"):
            data["BT-84"] = invoice.seller["iban"]
        return data
    data = {"BT-9": invoice.due_date, "BT-83": invoice.payment_reference}
    if invoice.seller.get("iban"):
        data.update({"BT-81": SEPA_CREDIT_TRANSFER, "BT-84": invoice.seller["iban"]})
        if invoice.seller.get("bic"):
            data["BT-86"] = invoice.seller["bic"]
    return data


def _delivery(invoice: Invoice) -> dict:
    """BT-72, the date the service is completed (the end of the period, else the issue date), and
    BG-13 the delivery address when it differs from the buyer's. factur-x writes an empty
    delivery block as xsi:nil, which the XSD refuses: BT-72 is therefore always there."""
    data = {"BT-72": invoice.service_end or invoice.service_start or invoice.issue_date}
    if invoice.delivery_address:
        place = {"name": invoice.buyer_name, "addr_l1": invoice.delivery_address}
        data["BG-13"] = {**place, "country_code": invoice.buyer_country}
    return data


def _notes(invoice: Invoice, mentions: Mentions) -> list[dict]:
    notes = mentions.notes()
    if invoice.note:
        notes.insert(0, {"BT-21": "AAI", "BT-22": invoice.note})
    return notes


def invoice_data(invoice: Invoice, figures: InvoiceFigures, mentions: Mentions) -> dict:
    """The EN 16931 data dict of an issued invoice, in factur-x's keys."""
    if not invoice.is_issued:
        raise BillingError("Seule une facture émise a une facture électronique.")
    data = {
        "BT-1": invoice.number,
        "BT-2": invoice.issue_date,
        "BT-3": invoice.type_code,
        "BT-5": CURRENCY,
        "BT-8": "invoice" if mentions.vat_on_debits else "payment",
        "BT-20": mentions.payment_terms,
        "BT-23": SERVICES,
        "BG-1": _notes(invoice, mentions),
        "BG-4": _seller(invoice),
        "BG-7": _buyer(invoice),
        "BG-23": [_vat_group(group) for group in figures.groups],
        "BG-25": [_line(line, number) for number, line in enumerate(figures.lines, start=1)],
        **_totals(invoice, figures),
        **_payment(invoice),
        **_delivery(invoice),
    }
    if invoice.service_start:
        data["BT-73"] = invoice.service_start
    if invoice.service_end:
        data["BT-74"] = invoice.service_end
    return data


def generate(data: dict) -> bytes:
    """factur-x writes the CII XML and checks it against the XSD (its schematron check needs a
    Saxon server, so it is left off; the tests check EN 16931's arithmetic rules themselves)."""
    return facturx.generate_xml(
        data, flavor="factur-x", level="en16931", check_xsd=True, check_schematron=False
    )


def invoice_xml(invoice: Invoice) -> bytes:
    """The Factur-X XML of an issued invoice."""
    return generate(invoice_data(invoice, invoice_figures(invoice), legal_mentions(invoice)))
