"""Getting an invoice's PDF for a download: the stored one, or rendered now if the background
task has not run yet (rendering is deterministic, so both give the same file)."""

from django.core.files.storage import default_storage

from ..errors import BillingError
from ..models import Invoice


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    if not invoice.is_issued:
        raise BillingError("Un brouillon n'a pas de PDF : émettez-le d'abord.")
    from ..pdf import store_invoice_pdf

    name = store_invoice_pdf(invoice.pk)
    with default_storage.open(name, "rb") as stored:
        return stored.read()
