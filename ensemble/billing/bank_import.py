"""Reading a bank statement (CSV: date, amount, label) and proposing which invoice each credit
pays, by the RF creditor reference or the invoice number found in the label."""

import csv
import dataclasses
import datetime
import hashlib
import io
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from ensemble.core.models import Office

from .errors import BillingError
from .models import Invoice

MAX_LINES = 5000
MAX_AMOUNT = Decimal("1e10")  # what a payment's column holds (12 digits, 2 decimals)
RF_PATTERN = re.compile(r"RF\d{2}[0-9A-Z]{1,21}")
NUMBER_PATTERN = re.compile(r"(FA)[-\s]?(\d{4})[-\s]?(\d{5})")


@dataclasses.dataclass
class StatementLine:
    line_number: int
    date: datetime.date
    amount: Decimal
    label: str

    @property
    def key(self) -> str:
        """Identifies the line, so importing the same statement twice records nothing twice."""
        raw = f"{self.date.isoformat()}|{self.amount}|{self.label}"
        return "bank:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


@dataclasses.dataclass
class Proposal:
    line: StatementLine
    invoice: Invoice | None
    reason: str


def _parse_date(value: str) -> datetime.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 — a date
        except ValueError:
            continue
    raise ValueError(value)


def _parse_amount(value: str) -> Decimal:
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", value)
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    amount = Decimal(cleaned)
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise InvalidOperation(value)
    return amount


NOT_A_STATEMENT = N_(
    "Ce fichier n'est pas un relevé bancaire au format CSV : il faut un fichier texte de trois "
    "colonnes (date, montant, libellé) séparées par « ; », « , » ou une tabulation."
)
EMPTY = N_("Le fichier est vide : exportez le relevé de votre banque au format CSV.")
NO_LINES = N_("Aucune ligne de relevé dans ce fichier (date, montant, libellé).")
DELIMITERS = ";,\t"
# Characters no bank CSV contains: a file with them is binary (a PDF, a spreadsheet, an image).
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _refuse(message: str) -> BillingError:
    return BillingError(_(message), field="statement")


def _text(content: bytes) -> str:
    """The file as text: UTF-8 (with or without BOM), else Windows-1252 (what French banks'
    exports use); a binary file, or text in another encoding (UTF-16: NUL bytes), is refused."""
    if not content.strip():
        raise _refuse(EMPTY)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _BINARY.search(text):
            return text
    raise _refuse(NOT_A_STATEMENT)


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The separator the file uses; one column (no separator at all) is not a statement."""
    sample = text[:4096]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        first = next((line for line in sample.splitlines() if line.strip()), "")
        counts = {delimiter: first.count(delimiter) for delimiter in DELIMITERS}
        delimiter = max(counts, key=counts.get)
        if counts[delimiter] < 2:
            raise _refuse(NOT_A_STATEMENT) from None

        class Dialect(csv.excel):
            pass

        Dialect.delimiter = delimiter
        return Dialect


def _rows(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text), _dialect(text)))
    except csv.Error:  # an unclosed quote over a field too large, and the like
        raise _refuse(NOT_A_STATEMENT) from None


def parse_statement(content: bytes) -> list[StatementLine]:
    """Three columns: date, amount, label (a header line is skipped). French (31/12/2022;
    90,00) and international (2022-12-31,90.00) spellings are read; anything else is an error
    that names the line, and a file that is no bank CSV at all (empty, binary, one column, in
    another encoding) a BillingError that says so, never an exception of the csv module."""
    lines = []
    for number, row in enumerate(_rows(_text(content)), start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            raise BillingError(
                _("Ligne %(line)s : trois colonnes attendues (date, montant, libellé).") % {"line": number}
            )
        try:
            lines.append(StatementLine(number, _parse_date(row[0]), _parse_amount(row[1]), row[2].strip()))
        except (ValueError, InvalidOperation):
            if number == 1:
                continue  # the header
            raise BillingError(_("Ligne %(line)s : date ou montant illisible.") % {"line": number}) from None
        if len(lines) > MAX_LINES:
            raise BillingError(_("Un relevé de plus de %(max)s lignes : découpez-le.") % {"max": MAX_LINES})
    if not lines:
        raise _refuse(NO_LINES)
    return lines


def _candidates(office: Office, label: str) -> tuple[Invoice | None, str]:
    upper = label.upper().replace(" ", "")
    issued = Invoice.objects.filter(office=office, state=Invoice.State.ISSUED, kind=Invoice.Kind.INVOICE)
    for reference in RF_PATTERN.findall(upper):
        invoice = issued.filter(payment_reference=reference).first()
        if invoice is not None:
            return invoice, "référence RF"
    for series, year, sequence in NUMBER_PATTERN.findall(label.upper()):
        invoice = issued.filter(number=f"{series}-{year}-{sequence}").first()
        if invoice is not None:
            return invoice, "numéro de facture"
    return None, ""


def propose_matches(office: Office, lines: list[StatementLine]) -> list[Proposal]:
    """Credits only (money in); each with the invoice its label names, if any."""
    return [Proposal(line, *_candidates(office, line.label)) for line in lines if line.amount > 0]
