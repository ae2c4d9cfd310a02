"""Every change to invoices and credit notes goes through these functions."""

from .invoice_mail import resend_invoice
from .invoices import (
    accept_and_invoice,
    billing_profile,
    create_draft,
    credit_invoice,
    invoice_membership,
    issue_invoice,
    membership_lines,
    payment_reference,
    seller_snapshot,
)
from .numbering import next_number
from .payments import cancel_payment, outstanding, record_membership_payment, record_payment
from .quotes import (
    accept_quote,
    create_quote_draft,
    decline_quote,
    expire_quotes,
    invoice_quote,
    quote_from_token,
    quote_token,
    send_quote,
)
from .settings import update_billing_profile

__all__ = [
    "accept_and_invoice",
    "accept_quote",
    "billing_profile",
    "cancel_payment",
    "create_draft",
    "create_quote_draft",
    "credit_invoice",
    "decline_quote",
    "expire_quotes",
    "invoice_membership",
    "invoice_quote",
    "issue_invoice",
    "membership_lines",
    "next_number",
    "outstanding",
    "payment_reference",
    "quote_from_token",
    "quote_token",
    "record_membership_payment",
    "record_payment",
    "resend_invoice",
    "seller_snapshot",
    "send_quote",
    "update_billing_profile",
]
