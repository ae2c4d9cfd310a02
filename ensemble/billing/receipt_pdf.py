"""The « facture acquittée »: a receipt for an invoice paid after it was issued.

The invoice's own PDF is frozen at issue (billing.pdf) and never replaced: it asked for payment,
and it keeps asking. Once the invoice is settled, the partner and staff may download this
separate document, which restates the invoice (number, date, amounts) and lists the payments
that settled it, with the credit notes if any. It is rendered on demand from the stored rows
(never stored, never public: the views serve it like the invoice, to its organisation's people
and the office's staff). An invoice paid at issue needs none: its PDF already says « Acquittée ».
"""

import hashlib

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from ensemble.core.money import format_eur
from ensemble.directory.validators import display_phone

from . import selectors
from .errors import BillingError
from .facturx_xml import PAID_BY, seller_legal_info
from .formats import format_date
from .models import Invoice
from .status import InvoiceStatus

TEMPLATE = "billing/receipt.html"


def receipt_available(invoice: Invoice) -> bool:
    """A settled invoice (paid in full, credit notes deducted) that was not paid at issue."""
    return (
        invoice.is_issued
        and invoice.kind == Invoice.Kind.INVOICE
        and not invoice.is_paid_at_issue
        and selectors.status_of(invoice) == InvoiceStatus.PAID
    )


def _payments(invoice: Invoice) -> list[dict]:
    return [
        {
            "date": format_date(payment.received_on),
            "method": PAID_BY.get(payment.method, payment.method),
            "reference": (
                f"chèque n° {payment.cheque_number}" if payment.cheque_number else payment.transfer_reference
            ),
            "amount": format_eur(payment.allocated),
            "received_on": payment.received_on,
        }
        for payment in selectors.invoice_payments(invoice).filter(cancelled_at__isnull=True, allocated__gt=0)
    ]


def receipt_context(invoice: Invoice) -> dict:
    seller = invoice.seller
    payments = _payments(invoice)
    credit_notes = invoice.credit_notes.filter(state=Invoice.State.ISSUED).order_by("issue_date", "id")
    settled_on = max((p["received_on"] for p in payments), default=invoice.issue_date)
    return {
        "invoice": invoice,
        "seller": seller,
        "seller_name": seller.get("legal_name") or seller["name"],
        "seller_legal_info": seller_legal_info(seller),
        "seller_phone": display_phone(seller.get("phone", "")),
        "issue_date": format_date(invoice.issue_date),
        "total_ttc": format_eur(invoice.total_ttc),
        "payments": payments,
        "credit_notes": [
            {"number": c.number, "date": format_date(c.issue_date), "amount": format_eur(c.total_ttc)}
            for c in credit_notes
        ],
        "settled_on": format_date(settled_on),
    }


def receipt_pdf(invoice: Invoice) -> bytes:
    """The receipt of a settled invoice, in French (like the invoice), as PDF bytes."""
    if not receipt_available(invoice):
        raise BillingError(
            _("La facture %(number)s n'est pas entièrement réglée : pas de facture acquittée.")
            % {"number": invoice.number or ""}
        )
    with translation.override("fr"):
        html = render_to_string(TEMPLATE, receipt_context(invoice))
    seed = f"ensemble:{invoice.office.slug}:{invoice.number}:receipt".encode()
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(
        pdf_identifier=hashlib.sha256(seed).hexdigest()[:32].encode()
    )


def receipt_filename(invoice: Invoice) -> str:
    return f"{invoice.number}-acquittee.pdf"


__all__ = ["receipt_available", "receipt_context", "receipt_filename", "receipt_pdf"]
