"""Getting an invoice's PDF for a download: the stored one, or rendered now if the background
task has not run yet (rendering is deterministic, so both give the same file)."""

from django.utils.translation import gettext as _

from ensemble.core.attachments import Attachment

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


def invoice_pdf_attachment(invoice_id: int) -> Attachment:
    """The PDF an invoice's e-mail carries (core.attachments, kind "invoice_pdf"): the stored one,
    rendered first if the PDF task has not run yet."""
    invoice = Invoice.objects.select_related("office").get(pk=invoice_id)
    return Attachment(f"{invoice.number}.pdf", invoice_pdf_bytes(invoice), "application/pdf")
