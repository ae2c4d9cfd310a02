"""The invoice's PDF and its receipt as private downloads, for staff and for the partner alike
(each interface finds the invoice through its own scoped selector first)."""

from django.http import HttpResponse

from ensemble.core.private_files import serve_private_file

from .errors import BillingError
from .models import Invoice
from .receipt_pdf import receipt_filename, receipt_pdf
from .services.documents import invoice_pdf_file


def invoice_pdf_response(invoice: Invoice) -> HttpResponse:
    """The stored Factur-X PDF; a 409 with the reason when it cannot be had yet."""
    try:
        document = invoice_pdf_file(invoice)
    except BillingError as exc:
        return _conflict(exc)
    return serve_private_file(document, filename=f"{invoice.number}.pdf", content_type="application/pdf")


def receipt_response(invoice: Invoice) -> HttpResponse:
    """The « facture acquittée », rendered on demand; a 409 for an invoice not settled."""
    try:
        pdf = receipt_pdf(invoice)
    except BillingError as exc:
        return _conflict(exc)
    return serve_private_file(pdf, filename=receipt_filename(invoice), content_type="application/pdf")


def _conflict(exc: BillingError) -> HttpResponse:
    return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
