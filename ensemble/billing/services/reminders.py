"""The daily reminder job: overdue invoices are e-mailed at the offsets the office chose."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ensemble.core import audit
from ensemble.directory import services as directory_services

from .. import selectors
from ..models import BillingProfile, Invoice
from ..reminders import InvoiceReminder
from ..status import InvoiceStatus

audit.register_actions(
    {
        "invoice.reminder_sent": gettext_lazy(
            "Relance de la facture %(number)s mise à l'envoi, %(offset)s jours après l'échéance "
            "(reste dû : %(outstanding)s €)"
        ),
    }
)


def _due_offset(invoice: Invoice, offsets: list[int], today: datetime.date) -> int | None:
    """The largest offset already reached (an invoice found 40 days late gets the +30 reminder,
    not +15 then +30 the same day)."""
    late_by = (today - invoice.due_date).days
    reached = [offset for offset in offsets if offset <= late_by]
    return max(reached) if reached else None


def _remind(invoice: Invoice, offset: int, today: datetime.date) -> bool:
    """Send one reminder, once: the unique (invoice, offset) row is the guard. One audit entry
    per reminder sent (the daily job has no actor)."""
    outstanding = invoice.total_ttc - invoice.credited_total - invoice.paid_total
    try:
        with transaction.atomic():
            reminder = InvoiceReminder.objects.create(
                office_id=invoice.office_id, invoice=invoice, offset_days=offset, sent_on=today
            )
            email = directory_services.email_organisation(
                invoice.organisation,
                template="invoice_reminder",
                context={"invoice": invoice, "offset": offset, "outstanding": outstanding},
            )
            reminder.email = email
            reminder.save(update_fields=["email", "updated_at"])
            audit.record(
                "invoice.reminder_sent",
                actor=None,
                office=invoice.office,
                target=invoice,
                organisation_id=invoice.organisation_id,
                data={
                    "number": invoice.number,
                    "offset": offset,
                    "outstanding": outstanding,
                    "email": email.pk if email else None,
                },
            )
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
