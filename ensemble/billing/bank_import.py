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

from ensemble.core.models import Office

from .errors import BillingError
from .models import Invoice

MAX_LINES = 5000
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
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidOperation(value)
    return amount


def parse_statement(content: bytes) -> list[StatementLine]:
    """Three columns: date, amount, label (a header line is skipped). French (31/12/2022;
    90,00) and international (2022-12-31,90.00) spellings are read; anything else is an error
    that names the line."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    dialect = csv.Sniffer().sniff(text[:2048], delimiters=";,\t") if text.strip() else csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    lines = []
    for number, row in enumerate(rows, start=1):
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
