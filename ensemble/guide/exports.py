"""The guide's data for the office's layout agency: one row per listing, in the guide's order
(category, town, name), the short description in the three languages. Read chunk by chunk like
the PDF (`selectors.guide_chunks`); the CSV is streamed by the back office, the XLSX written
with openpyxl's write-only mode to a temporary file (rows go to disk as they are appended).
"""

import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ensemble.core.models import Office
from ensemble.directory.models import Category

from .selectors import GuideEntry, guide_entries, plan_guide

COLUMNS = [
    (_("Catégorie"), lambda e: e.category),
    (_("Ville"), lambda e: e.town),
    (_("Nom"), lambda e: e.name),
    (_("Description courte (FR)"), lambda e: e.descriptions["fr"]),
    (_("Description courte (EN)"), lambda e: e.descriptions["en"]),
    (_("Description courte (NL)"), lambda e: e.descriptions["nl"]),
    (_("Adresse"), lambda e: e.address),
    (_("Code postal"), lambda e: e.postcode),
    (_("Téléphone"), lambda e: e.phone),
    (_("E-mail"), lambda e: e.email),
    (_("Site web"), lambda e: e.website),
    (_("Page publique"), lambda e: e.public_url),
    (_("Photo"), lambda e: e.photo_url),
    (_("Crédit photo"), lambda e: e.photo_credit),
    (_("Latitude"), lambda e: e.latitude),
    (_("Longitude"), lambda e: e.longitude),
    (_("Équipements et labels"), lambda e: ", ".join(e.amenities)),
]


def header() -> list[str]:
    return [str(label) for label, _get in COLUMNS]


def row_of(entry: GuideEntry) -> list:
    return [get(entry) for _label, get in COLUMNS]


def export_rows(office: Office, *, categories: Iterable[Category] | None = None) -> Iterator[list]:
    """The rows (without the header), lazily: nothing is read before the first row is asked."""
    plan = plan_guide(office, language="fr", categories=categories)
    for entry in guide_entries(plan):
        yield row_of(entry)


def _csv_value(value):
    """Coordinates keep their six decimals, with the decimal comma of French spreadsheets (the
    back office's CSV cells round decimals to cents: fine for money, not for a position)."""
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    return value


def csv_rows(office: Office, *, categories: Iterable[Category] | None = None) -> Iterator[list]:
    for row in export_rows(office, categories=categories):
        yield [_csv_value(value) for value in row]


def _cell(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text starting with "=" stays text, never a formula
    return cell


def write_xlsx(office: Office, *, categories: Iterable[Category] | None = None) -> IO[bytes]:
    """The workbook in a temporary file, rewound (the caller closes it)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Guide")))
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, label) for label in header()])
    for row in export_rows(office, categories=categories):
        sheet.append([_cell(sheet, value) for value in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115 — handed over open, closed by the response
    workbook.save(output)
    output.seek(0)
    return output
