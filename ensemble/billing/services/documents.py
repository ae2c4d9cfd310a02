"""Getting an invoice's PDF for a download: the stored one, or rendered now if the background
task has not run yet (rendering is deterministic, so both give the same file)."""

from django.utils.translation import gettext as _

from ..errors import BillingError
from ..models import Invoice, InvoiceDocument


def invoice_pdf_file(invoice: Invoice):
    """The stored PDF (a FieldFile of the private storage), rendered first if need be."""
    if not invoice.is_issued:
        raise BillingError(_("Un brouillon n'a pas de PDF : émettez-le d'abord."))
    from ..pdf import store_invoice_pdf

    store_invoice_pdf(invoice.pk)
    return InvoiceDocument.objects.get(invoice=invoice).file


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    with invoice_pdf_file(invoice).open("rb") as stored:
        return stored.read()
