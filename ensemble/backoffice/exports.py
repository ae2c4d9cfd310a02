"""CSV exports that Excel (French locale) opens as is: UTF-8 with a BOM, semicolons, decimal comma."""

import csv
import datetime
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone, translation

BOM = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet (CSV injection): quote it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() returns the line, for streaming."""

    def write(self, value: str) -> str:
        return value


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """Stream `rows` as a CSV download; the rows are read lazily (use a queryset iterator)."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    language = translation.get_language()  # the rows are written after the view returns

    def lines():
        with translation.override(language):
            yield BOM + writer.writerow([str(h) for h in header])
            for row in rows:
                yield writer.writerow([cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_export(
    filename: str, columns: Sequence[tuple[str, Callable]], objects: Iterable
) -> StreamingHttpResponse:
    """Stream one row per object; `columns` are (header, getter) pairs."""
    header = [label for label, _ in columns]
    rows = ([get(obj) for _, get in columns] for obj in objects)
    return csv_response(filename, header, rows)
