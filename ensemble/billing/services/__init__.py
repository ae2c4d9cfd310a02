"""Every change to invoices and credit notes goes through these functions."""

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

__all__ = [
    "accept_and_invoice",
    "billing_profile",
    "create_draft",
    "credit_invoice",
    "invoice_membership",
    "issue_invoice",
    "membership_lines",
    "next_number",
    "payment_reference",
    "seller_snapshot",
]
