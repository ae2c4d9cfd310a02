"""What the accountant receives: one office's issued invoices and credit notes over a period, as a
list and as the sales journal, in the layout of the French "fichier des écritures comptables".

The period is [start, end] by issue date, both days included. Everything here reads issued
documents only and writes nothing; amounts are `Decimal` and come from what the documents
stored at issue (their lines' net amounts and their totals), never from today's catalogue.

The sales journal ("VE", "Ventes") has one entry per document, balanced:

=============================  ========================  ========================
                               facture (invoice)         avoir (credit note)
=============================  ========================  ========================
411 Clients + C<organisation>  debit TTC                 credit TTC
706x revenue, per account      credit HT of its lines    debit HT of its lines
44571 TVA collectée, per rate  credit VAT of the rate    debit VAT of the rate
=============================  ========================  ========================

The revenue account of a line is `REVENUE_ACCOUNTS[offer.code]`; a free line (no offer) or an
offer code missing from the table goes to 7068. The VAT of each rate is computed again from the
lines, as EN 16931 does (`amounts.vat_of` over the rate's taxable amount), and must equal the
stored `total_vat`: a document whose stored totals disagree with its lines is refused with an
`AccountingError` rather than exported wrong.

The FEC (article A47 A-1 du livre des procédures fiscales) has its 18 first columns, separated
by "|" rather than a tab: both are allowed, and "|" stays visible when the file is opened in a
text editor or pasted in an e-mail (where tabs become spaces), while it practically never occurs
in French names and labels (it is replaced by a space if it does). Dates are YYYYMMDD, amounts
"1234,56" (decimal comma, no thousands separator), records end with CR LF, and the text is
ISO 8859-15 (one of the character sets the standard allows; typographic quotes and dashes that
it lacks are replaced by their plain equivalents). `EcritureNum` numbers the entries of each
journal from 1 in date order within the exported period: exporting a whole fiscal year gives the
continuous sequence the administration expects.

The payments list (`payment_rows()`) has one row per payment received in the period, by date of
receipt (`received_on`, both days included), cancelled ones too: a bounced cheque keeps its
amounts and shows when and why it was cancelled, so the list matches the bank statement and the
accountant sees the reversal. Their bank journal ("BQ") would be one more list of `EntryLine`
built like `sales_journal()` and added in `journal_lines()`, which the FEC reads.
"""

import dataclasses
import datetime
import re
from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from stdnum.fr import siren as stdnum_siren

from ensemble.core.models import Office
from ensemble.memberships.models import Offer

from .amounts import vat_of
from .errors import BillingError
from .models import Invoice, InvoiceLine
from .payments import Payment

ZERO = Decimal("0.00")

CUSTOMER_ACCOUNT = "411"
VAT_ACCOUNT = "44571"
OTHER_REVENUE_ACCOUNT = "7068"

# The revenue account (706 "Prestations de services", one sub-account per family of offers) of
# each offer code of the catalogue. Codes are stable from one season to the next (renewal matches
# offers by code), so this table holds across seasons. A new offer code lands on 7068 until it is
# added here; a free line typed by staff (no offer) always does.
REVENUE_ACCOUNTS: dict[str, str] = {
    "pack-partenaire": "7061",
    "photos-10": "7062",
    "photos-25": "7062",
    "video-clip": "7062",
    "video-bars-restos": "7062",
    "formation-reseaux-sociaux": "7063",
    "formation-neerlandais": "7063",
    "formation-anglais": "7063",
    "gamification": OTHER_REVENUE_ACCOUNT,
    "evenementiel": OTHER_REVENUE_ACCOUNT,
}

ACCOUNT_LABELS: dict[str, str] = {
    CUSTOMER_ACCOUNT: "Clients",
    "7061": "Prestations de services - pack partenaire",
    "7062": "Prestations de services - photos et vidéos",
    "7063": "Prestations de services - formations",
    OTHER_REVENUE_ACCOUNT: "Prestations de services - autres",
    VAT_ACCOUNT: "TVA collectée",
}

AUX_DIGITS = 8  # C00000042: the customer's auxiliary account, from the organisation's id


class AccountingError(BillingError):
    """An export cannot be produced as it stands; the message says what to fix."""


@dataclasses.dataclass(frozen=True)
class Journal:
    code: str
    label: str


SALES = Journal("VE", "Ventes")


# --- Documents of the period ------------------------------------------------------------------


def issued_documents(office: Office, start: datetime.date, end: datetime.date) -> QuerySet[Invoice]:
    """The office's issued invoices and credit notes issued between `start` and `end`, included,
    in the order they were issued."""
    return (
        Invoice.objects.filter(office=office, state=Invoice.State.ISSUED, issue_date__range=(start, end))
        .select_related("credited_invoice")
        .order_by("issue_date", "issued_at", "id")
    )


@dataclasses.dataclass(frozen=True)
class InvoiceRow:
    """One document of the invoices list. A credit note's amounts are negative, so that each
    column adds up to the period's net sales."""

    number: str
    kind: str  # "Facture" or "Avoir"
    issue_date: datetime.date
    due_date: datetime.date | None
    customer: str
    siren: str
    total_ht: Decimal
    total_vat: Decimal
    total_ttc: Decimal
    credited_number: str  # the invoice a credit note gives back (empty for an invoice)


def invoice_rows(office: Office, start: datetime.date, end: datetime.date) -> list[InvoiceRow]:
    rows = []
    for document in issued_documents(office, start, end):
        sign = -1 if document.kind == Invoice.Kind.CREDIT_NOTE else 1
        credited = document.credited_invoice
        rows.append(
            InvoiceRow(
                number=document.number,
                kind=str(document.get_kind_display()),
                issue_date=document.issue_date,
                due_date=document.due_date,
                customer=document.buyer_name,
                siren=document.buyer_siren,
                total_ht=sign * document.total_ht,
                total_vat=sign * document.total_vat,
                total_ttc=sign * document.total_ttc,
                credited_number=credited.number if credited is not None else "",
            )
        )
    return rows


# --- Payments of the period ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PaymentRow:
    """One payment of the payments list, as recorded (a cancelled one keeps its amounts)."""

    received_on: datetime.date
    organisation: str
    invoice_number: str
    method: str  # "Chèque", "Virement"…
    cheque_number: str
    bank: str
    transfer_reference: str
    amount: Decimal  # received
    allocated: Decimal  # put on the invoice
    customer_credit: Decimal  # the overpayment kept for the organisation (amount - allocated)
    cancelled_on: datetime.date | None  # Europe/Paris date of the cancellation
    cancel_reason: str


def payments_received(office: Office, start: datetime.date, end: datetime.date) -> QuerySet[Payment]:
    """The office's payments received between `start` and `end`, included, cancelled ones too,
    in the order they were received."""
    return (
        Payment.objects.filter(office=office, received_on__range=(start, end))
        .select_related("organisation", "invoice")
        .order_by("received_on", "id")
    )


def payment_rows(office: Office, start: datetime.date, end: datetime.date) -> list[PaymentRow]:
    return [
        PaymentRow(
            received_on=payment.received_on,
            organisation=payment.organisation.name,
            invoice_number=payment.invoice.number,
            method=str(payment.get_method_display()),
            cheque_number=payment.cheque_number,
            bank=payment.bank,
            transfer_reference=payment.transfer_reference,
            amount=payment.amount,
            allocated=payment.allocated,
            customer_credit=payment.overpaid,
            cancelled_on=timezone.localdate(payment.cancelled_at) if payment.is_cancelled else None,
            cancel_reason=payment.cancel_reason if payment.is_cancelled else "",
        )
        for payment in payments_received(office, start, end)
    ]


# --- The sales journal -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class EntryLine:
    """One line of a journal entry; the lines of one entry share `journal` and `number`."""

    journal: Journal
    number: int  # EcritureNum: the entry's rank in its journal, in date order, from 1
    date: datetime.date  # EcritureDate, and ValidDate: the document is final when issued
    account: str  # CompteNum
    aux_account: str  # CompAuxNum (customer lines only)
    aux_label: str  # CompAuxLib
    piece_ref: str  # PieceRef: the invoice or credit note number
    label: str  # EcritureLib
    debit: Decimal
    credit: Decimal

    @property
    def account_label(self) -> str:
        return ACCOUNT_LABELS[self.account]


def revenue_account(offer: Offer | None) -> str:
    if offer is None:
        return OTHER_REVENUE_ACCOUNT
    return REVENUE_ACCOUNTS.get(offer.code, OTHER_REVENUE_ACCOUNT)


def customer_account(organisation_id: int) -> str:
    return f"C{organisation_id:0{AUX_DIGITS}d}"


def sales_journal(office: Office, start: datetime.date, end: datetime.date) -> list[EntryLine]:
    """The entries of the period's invoices and credit notes, numbered from 1 in date order."""
    documents = issued_documents(office, start, end).prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.select_related("offer"))
    )
    journal: list[EntryLine] = []
    number = 0
    for document in documents:
        entry = document_entry(document)
        if entry:  # a document of 0,00 € moves no account
            number += 1
            journal.extend(dataclasses.replace(line, number=number) for line in entry)
    return journal


def document_entry(document: Invoice) -> list[EntryLine]:
    """The balanced entry of one issued document (not yet numbered: `number` is 0)."""
    revenue, vat = _amounts_by_account(document)
    _check_totals(document, revenue, vat)
    # An invoice puts the customer on the debit side; a credit note is its mirror.
    customer_debits = document.kind == Invoice.Kind.INVOICE
    label = _entry_label(document)
    postings = [
        (CUSTOMER_ACCOUNT, document.total_ttc, customer_debits, label),
        *((account, amount, not customer_debits, label) for account, amount in sorted(revenue.items())),
        *(
            (VAT_ACCOUNT, amount, not customer_debits, f"{label} (TVA {_rate(rate)} %)")
            for rate, amount in sorted(vat.items())
        ),
    ]
    entry = [
        _entry_line(document, account, amount, on_debit=on_debit, label=text)
        for account, amount, on_debit, text in postings
        if amount
    ]
    _check_balanced(document, entry)
    return entry


def _amounts_by_account(document: Invoice) -> tuple[dict[str, Decimal], dict[Decimal, Decimal]]:
    """(HT per revenue account, VAT per rate) from the document's stored lines."""
    revenue: dict[str, Decimal] = defaultdict(lambda: ZERO)
    taxable: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line in document.lines.all():
        revenue[revenue_account(line.offer)] += line.total_ht
        taxable[line.vat_rate] += line.total_ht
    return dict(revenue), {rate: vat_of(base, rate) for rate, base in taxable.items()}


def _check_totals(document: Invoice, revenue: dict, vat: dict) -> None:
    lines_ht = sum(revenue.values(), ZERO)
    lines_vat = sum(vat.values(), ZERO)
    if (lines_ht, lines_vat) != (document.total_ht, document.total_vat):
        raise AccountingError(
            f"Les totaux du document {document.number} ({document.total_ht} € HT, "
            f"{document.total_vat} € de TVA) ne correspondent pas à ses lignes ({lines_ht} € HT, "
            f"{lines_vat} € de TVA) : l'export est interrompu."
        )
    if document.total_ht + document.total_vat != document.total_ttc:
        raise AccountingError(
            f"Le total TTC du document {document.number} ({document.total_ttc} €) n'est pas la "
            "somme de son HT et de sa TVA : l'export est interrompu."
        )


def _check_balanced(document: Invoice, entry: list[EntryLine]) -> None:
    debit = sum((line.debit for line in entry), ZERO)
    credit = sum((line.credit for line in entry), ZERO)
    if debit != credit:
        raise AccountingError(
            f"L'écriture du document {document.number} n'est pas équilibrée "
            f"(débit {debit} €, crédit {credit} €) : l'export est interrompu."
        )


def _entry_line(document: Invoice, account: str, amount: Decimal, *, on_debit: bool, label: str):
    is_customer = account == CUSTOMER_ACCOUNT
    return EntryLine(
        journal=SALES,
        number=0,
        date=document.issue_date,
        account=account,
        aux_account=customer_account(document.organisation_id) if is_customer else "",
        aux_label=document.buyer_name if is_customer else "",
        piece_ref=document.number,
        label=label,
        debit=amount if on_debit else ZERO,
        credit=ZERO if on_debit else amount,
    )


def _entry_label(document: Invoice) -> str:
    kind = "Avoir" if document.kind == Invoice.Kind.CREDIT_NOTE else "Facture"
    return f"{kind} {document.number} {document.buyer_name}"[:200]


def _rate(rate: Decimal) -> str:
    """20.00 → "20", 5.50 → "5,5"."""
    return f"{rate.normalize():f}".replace(".", ",")


def journal_lines(office: Office, start: datetime.date, end: datetime.date) -> list[EntryLine]:
    """Every journal of the period, in the FEC's order (date, journal, entry). Only sales so far;
    the bank journal of the payments joins here."""
    lines = sales_journal(office, start, end)
    return sorted(lines, key=lambda line: (line.date, line.journal.code, line.number))


# --- The FEC -------------------------------------------------------------------------------------

FEC_COLUMNS = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
    "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
    "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise",
)  # fmt: skip
FEC_SEPARATOR = "|"
FEC_RECORD_END = "\r\n"
FEC_ENCODING = "iso8859_15"
# Characters common in French text that ISO 8859-15 lacks.
_LATIN9_FALLBACKS = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
        "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u202f": " ", "\u2009": " ",
    }
)  # fmt: skip
_FIELD_BREAKERS = re.compile(r"[\s|]+")  # no separator or record end inside a field


def office_siren(office: Office) -> str:
    """The office's SIREN, the first 9 digits of its SIRET; the FEC's file name starts with it."""
    digits = re.sub(r"\D", "", office.siret or "")
    if len(digits) < 9:
        raise AccountingError(
            "Le SIRET de l'office n'est pas renseigné : le fichier des écritures comptables "
            "(FEC) porte le SIREN dans son nom. Complétez l'identité de l'office puis recommencez."
        )
    if not stdnum_siren.is_valid(digits[:9]):
        raise AccountingError(
            f"Le SIRET de l'office ({office.siret}) n'est pas valide : corrigez-le dans "
            "l'identité de l'office puis recommencez."
        )
    return digits[:9]


def fec_filename(office: Office, end: datetime.date) -> str:
    """<SIREN>FEC<YYYYMMDD>.txt, the date being the end of the exported period."""
    return f"{office_siren(office)}FEC{end:%Y%m%d}.txt"


def fec_lines(office: Office, start: datetime.date, end: datetime.date) -> list[str]:
    """The FEC's records, the header first, without record ends."""
    records = [FEC_SEPARATOR.join(FEC_COLUMNS)]
    records += [FEC_SEPARATOR.join(_fec_fields(line)) for line in journal_lines(office, start, end)]
    return records


def fec_file(office: Office, start: datetime.date, end: datetime.date) -> tuple[str, bytes]:
    """(file name, content) of the FEC of the period, ready to download."""
    filename = fec_filename(office, end)  # refuses before any work when the SIREN is missing
    text = "".join(record + FEC_RECORD_END for record in fec_lines(office, start, end))
    return filename, text.translate(_LATIN9_FALLBACKS).encode(FEC_ENCODING, errors="replace")


def _fec_fields(line: EntryLine) -> list[str]:
    return [
        line.journal.code,
        line.journal.label,
        str(line.number),
        _fec_date(line.date),
        line.account,
        _fec_text(line.account_label),
        _fec_text(line.aux_account),
        _fec_text(line.aux_label),
        _fec_text(line.piece_ref),
        _fec_date(line.date),
        _fec_text(line.label),
        _fec_amount(line.debit),
        _fec_amount(line.credit),
        "",  # EcritureLet: matching comes with the payments
        "",  # DateLet
        _fec_date(line.date),
        "",  # Montantdevise: amounts are in euros
        "",  # Idevise
    ]


def _fec_date(day: datetime.date) -> str:
    return f"{day:%Y%m%d}"


def _fec_amount(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def _fec_text(value: str) -> str:
    return _FIELD_BREAKERS.sub(" ", value).strip()
