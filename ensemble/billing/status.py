"""An invoice's status is derived, never stored: from its payments, credit notes and due date."""

import datetime
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    UNPAID = "unpaid", _("À régler")
    PARTLY_PAID = "partly_paid", _("Partiellement réglée")
    PAID = "paid", _("Réglée")
    OVERDUE = "overdue", _("En retard")
    CANCELLED = "cancelled", _("Annulée par avoir")
    ISSUED = "issued", _("Émis")  # a credit note


def invoice_status(invoice, *, paid: Decimal, credited: Decimal, today: datetime.date) -> str:
    if not invoice.is_issued:
        return InvoiceStatus.DRAFT
    if invoice.kind == invoice.Kind.CREDIT_NOTE:
        return InvoiceStatus.ISSUED
    due = invoice.total_ttc - credited
    if due <= 0:
        return InvoiceStatus.CANCELLED
    if paid >= due:
        return InvoiceStatus.PAID
    if invoice.due_date and invoice.due_date < today:
        return InvoiceStatus.OVERDUE
    return InvoiceStatus.PARTLY_PAID if paid > 0 else InvoiceStatus.UNPAID
