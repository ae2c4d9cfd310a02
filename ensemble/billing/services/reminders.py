"""The daily reminder job: overdue invoices are e-mailed at the offsets the office chose."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ensemble.directory import services as directory_services

from .. import selectors
from ..models import BillingProfile, Invoice
from ..reminders import InvoiceReminder
from ..status import InvoiceStatus


def _due_offset(invoice: Invoice, offsets: list[int], today: datetime.date) -> int | None:
    """The largest offset already reached (an invoice found 40 days late gets the +30 reminder,
    not +15 then +30 the same day)."""
    late_by = (today - invoice.due_date).days
    reached = [offset for offset in offsets if offset <= late_by]
    return max(reached) if reached else None


def _remind(invoice: Invoice, offset: int, today: datetime.date) -> bool:
    """Send one reminder, once: the unique (invoice, offset) row is the guard."""
    try:
        with transaction.atomic():
            reminder = InvoiceReminder.objects.create(
                office_id=invoice.office_id, invoice=invoice, offset_days=offset, sent_on=today
            )
            email = directory_services.email_organisation(
                invoice.organisation,
                template="invoice_reminder",
                context={
                    "invoice": invoice,
                    "offset": offset,
                    "outstanding": invoice.total_ttc - invoice.credited_total - invoice.paid_total,
                },
            )
            reminder.email = email
            reminder.save(update_fields=["email", "updated_at"])
    except IntegrityError:
        return False
    return True


def send_invoice_reminders(*, today: datetime.date | None = None) -> int:
    """Daily: e-mail every overdue invoice whose next reminder is due. Safe to run twice."""
    today = today or timezone.localdate()
    sent = 0
    for profile in BillingProfile.objects.select_related("office"):
        offsets = profile.reminder_days
        if not offsets:
            continue
        overdue = selectors.with_settlement(
            Invoice.objects.filter(
                office=profile.office,
                kind=Invoice.Kind.INVOICE,
                state=Invoice.State.ISSUED,
                due_date__lte=today - datetime.timedelta(days=min(offsets)),
            ).select_related("organisation", "office")
        )
        for invoice in overdue:
            if selectors.status_of(invoice, today=today) != InvoiceStatus.OVERDUE:
                continue
            offset = _due_offset(invoice, offsets, today)
            if offset is not None and not invoice.reminders.filter(offset_days=offset).exists():
                sent += _remind(invoice, offset, today)
    return sent
