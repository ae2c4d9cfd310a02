"""The invoice PDF: an HTML template rendered by WeasyPrint as PDF/A-3b, with the Factur-X XML
(EN 16931, CII) attached as `factur-x.xml` by the factur-x library, which also writes the XMP.

Same invoice, same bytes. Nothing in the file depends on when or where it is rendered:
- the dates (WeasyPrint's dcterms.created, factur-x's /Info dates, XMP dates and the attachment's
  /ModDate) are the invoice's `issued_at`; factur-x reads its clock from `datetime.now()`, so its
  module's `datetime` is swapped for a frozen one while it runs (under a lock: it is module state);
- the PDF /ID is derived from the office and the invoice number (WeasyPrint's `pdf_identifier`;
  its second half is WeasyPrint's hash of the content), and pypdf, which factur-x writes with,
  keeps the /ID of the PDF it was given.
A last pypdf pass makes the /Info dictionary agree with factur-x's XMP, as PDF/A requires.

The PDF is written to the private storage (never under MEDIA_URL: numbers are sequential) as
`invoices/<office slug>/<number>.pdf`, and an `InvoiceDocument` row records its SHA-256.
"""

import contextlib
import datetime
import hashlib
import io
import threading
from collections.abc import Iterator

import facturx
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from facturx import facturx as facturx_module
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from ensemble.core.money import format_eur
from ensemble.directory.validators import display_phone

from . import epc
from .errors import BillingError
from .facturx_xml import (
    InvoiceFigures,
    Mentions,
    format_rate,
    generate,
    invoice_data,
    invoice_figures,
    legal_mentions,
    paid_at_issue_text,
    seller_legal_info,
    unit_price,
)
from .formats import format_date, format_quantity, format_unit_price
from .models import Invoice, InvoiceDocument

TEMPLATE = "billing/invoice.html"
_FACTURX_CLOCK = threading.Lock()


# --- What the template prints -------------------------------------------------------------------


def _lines(figures: InvoiceFigures) -> list[dict]:
    return [
        {
            "label": line.label,
            "quantity": format_quantity(line.quantity),
            "unit_price": format_unit_price(unit_price(line)),
            "vat_rate": format_rate(line.vat_rate),
            "total_ht": format_eur(line.total_ht),
        }
        for line in figures.lines
    ]


def _totals(figures: InvoiceFigures) -> dict:
    return {
        "groups": [
            {"rate": format_rate(g.rate), "taxable": format_eur(g.taxable), "vat": format_eur(g.vat)}
            for g in figures.groups
        ],
        "total_ht": format_eur(figures.total_ht),
        "total_vat": format_eur(figures.total_vat),
        "total_ttc": format_eur(figures.total_ttc),
    }


def _payment(invoice: Invoice) -> dict:
    """How to pay; an invoice paid at issue says when and how it was, and asks for nothing."""
    iban = "" if invoice.is_paid_at_issue else invoice.seller.get("iban", "")
    payable = epc.is_payable(invoice)
    return {
        "payable": payable,
        "iban": epc.checked_iban(iban).formatted if iban else "",
        "bic": invoice.seller.get("bic", ""),
        "qr": epc.epc_svg_data_uri(invoice) if payable and iban else "",
    }


def invoice_context(invoice: Invoice, figures: InvoiceFigures, mentions: Mentions) -> dict:
    seller = invoice.seller
    credited = invoice.credited_invoice
    return {
        "invoice": invoice,
        "title": "Avoir" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "Facture",
        "seller": seller,
        "seller_name": seller.get("legal_name") or seller["name"],
        "seller_siren": seller.get("siret", "")[:9],
        "seller_phone": display_phone(seller.get("phone", "")),  # 03 21 98 08 51, as people read it
        "seller_legal_info": seller_legal_info(seller),
        "issue_date": format_date(invoice.issue_date),
        "due_date": format_date(invoice.due_date),
        "service_start": format_date(invoice.service_start),
        "service_end": format_date(invoice.service_end),
        "service_date": format_date(invoice.issue_date),  # BT-72 when there is no period
        "paid_at_issue": paid_at_issue_text(invoice),
        "credited": credited,
        "credited_date": format_date(credited.issue_date) if credited else "",
        "lines": _lines(figures),
        "totals": _totals(figures),
        "mentions": mentions,
        "created": invoice.issued_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **_payment(invoice),
    }


def invoice_html(invoice: Invoice, figures: InvoiceFigures, mentions: Mentions) -> str:
    """The HTML WeasyPrint renders (French, whatever the language of the caller)."""
    with translation.override("fr"):
        return render_to_string(TEMPLATE, invoice_context(invoice, figures, mentions))


# --- Rendering --------------------------------------------------------------------------------


@contextlib.contextmanager
def _facturx_clock(moment: datetime.datetime) -> Iterator[None]:
    """factur-x stamps its dates with `datetime.now()`: make that the invoice's issue time."""

    class FrozenDatetime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz)

    with _FACTURX_CLOCK:
        original, facturx_module.datetime = facturx_module.datetime, FrozenDatetime
        try:
            yield
        finally:
            facturx_module.datetime = original


def _pdf_identifier(invoice: Invoice) -> bytes:
    seed = f"ensemble:{invoice.office.slug}:{invoice.number}".encode()
    return hashlib.sha256(seed).hexdigest()[:32].encode()


def _pdf_metadata(invoice: Invoice, title: str) -> dict:
    seller = invoice.seller.get("legal_name") or invoice.seller["name"]
    return {
        "author": seller,
        "title": f"{title} {invoice.number}",
        "subject": f"{title} {invoice.number} du {format_date(invoice.issue_date)} — {seller}",
    }


def invoice_pdf(invoice: Invoice) -> bytes:
    """The Factur-X PDF of an issued invoice, as bytes (the same bytes every time)."""
    if not invoice.is_issued:
        raise BillingError(_("Seule une facture émise a un PDF."))
    figures, mentions = invoice_figures(invoice), legal_mentions(invoice)
    xml = generate(invoice_data(invoice, figures, mentions))
    html = invoice_html(invoice, figures, mentions)
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(
        pdf_variant="pdf/a-3b", pdf_identifier=_pdf_identifier(invoice)
    )
    title = "Avoir" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "Facture"
    with _facturx_clock(invoice.issued_at):
        pdf = facturx.generate_from_binary(
            pdf,
            xml,
            flavor="factur-x",
            level="en16931",
            check_xsd=True,
            pdf_metadata=_pdf_metadata(invoice, title),
            lang="fr-FR",
        )
    return _info_matching_xmp(pdf)


def _info_matching_xmp(pdf: bytes) -> bytes:
    """PDF/A wants every /Info entry equal to its XMP counterpart. factur-x's XMP has no
    pdf:Keywords and says pdf:Producer "pypdf", while /Info keeps WeasyPrint's /Producer and gets
    a /Keywords: drop the one, align the other (pypdf keeps the /ID, so this stays deterministic)."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header
    info = {key: value for key, value in reader.metadata.items() if key != "/Keywords"}
    info["/Producer"] = reader.xmp_metadata.pdf_producer
    writer.metadata = info
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# --- Storage ----------------------------------------------------------------------------------


def _storage():
    """The private storage, as the field holds it (the one the download views read from)."""
    return InvoiceDocument._meta.get_field("file").storage


def invoice_pdf_name(invoice: Invoice) -> str:
    return f"invoices/{invoice.office.slug}/{invoice.number}.pdf"


def _stored_digest(name: str) -> str | None:
    if not _storage().exists(name):
        return None
    with _storage().open(name, "rb") as stored:
        return hashlib.sha256(stored.read()).hexdigest()


@transaction.atomic
def _save(invoice: Invoice, pdf: bytes) -> str:
    """Write the file and its row under the invoice's row lock, so two runs do not interleave."""
    list(Invoice.objects.select_for_update().filter(pk=invoice.pk).values_list("pk"))
    name, digest = invoice_pdf_name(invoice), hashlib.sha256(pdf).hexdigest()
    document = InvoiceDocument.objects.filter(invoice=invoice).first()
    if document and document.sha256 == digest and _stored_digest(document.file.name) == digest:
        return document.file.name
    if _stored_digest(name) != digest:
        if _storage().exists(name):
            _storage().delete(name)
        name = _storage().save(name, ContentFile(pdf))
    InvoiceDocument.objects.update_or_create(
        invoice=invoice, defaults={"file": name, "sha256": digest, "generated_at": timezone.now()}
    )
    return name


def store_invoice_pdf(invoice_id: int, *, force: bool = False) -> str:
    """Render an issued invoice's PDF and store it, once: a second call finds the stored file
    and returns its name, unless `force` asks to render it again (which gives the same bytes).

    The stored file is trusted only if its SHA-256 is the one recorded with it: a write cut short
    (a full disk, a killed worker) leaves a file the row does not vouch for, and it is rendered
    again rather than served."""
    invoice = Invoice.objects.select_related("office", "credited_invoice").get(pk=invoice_id)
    document = InvoiceDocument.objects.filter(invoice=invoice).first()
    if document and not force and _stored_digest(document.file.name) == document.sha256:
        return document.file.name
    return _save(invoice, invoice_pdf(invoice))
