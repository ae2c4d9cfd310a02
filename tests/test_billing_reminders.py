"""The daily reminder job: at the office's offsets, once per offset, never for a paid invoice."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from ensemble.billing import services
from ensemble.billing.reminders import InvoiceReminder
from ensemble.billing.services.reminders import send_invoice_reminders
from ensemble.core.models import AuditEntry


@pytest.fixture
def invoice(submit, staff_user):
    return services.accept_and_invoice(submit().membership, actor=staff_user)[1]


def days_after_due(invoice, days: int) -> datetime.date:
    return invoice.due_date + datetime.timedelta(days=days)


def test_reminders_at_15_and_30_days_once_each(invoice, django_capture_on_commit_callbacks):
    mail.outbox = []
    assert send_invoice_reminders(today=days_after_due(invoice, 14)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert send_invoice_reminders(today=days_after_due(invoice, 15)) == 1
        assert send_invoice_reminders(today=days_after_due(invoice, 15)) == 0  # twice the same day
        assert send_invoice_reminders(today=days_after_due(invoice, 20)) == 0
        assert send_invoice_reminders(today=days_after_due(invoice, 30)) == 1
    assert [r.offset_days for r in InvoiceReminder.objects.order_by("offset_days")] == [15, 30]
    assert len(mail.outbox) == 2
    assert invoice.number in mail.outbox[0].subject
    assert invoice.payment_reference in mail.outbox[0].body
    # each reminder on the organisation's log, by the job (no actor), with its e-mail
    entries = AuditEntry.objects.filter(
        action="invoice.reminder_sent", organisation_id=invoice.organisation_id
    ).order_by("id")
    assert [(e.data["number"], e.data["offset"], e.actor) for e in entries] == [
        (invoice.number, 15, None),
        (invoice.number, 30, None),
    ]
    assert {e.data["email"] for e in entries} == {r.email_id for r in InvoiceReminder.objects.all()}


def test_a_late_first_run_sends_only_the_latest_reminder(invoice):
    assert send_invoice_reminders(today=days_after_due(invoice, 40)) == 1
    assert list(InvoiceReminder.objects.values_list("offset_days", flat=True)) == [30]


def test_a_paid_invoice_gets_no_reminder(invoice, staff_user):
    services.record_payment(
        invoice, actor=staff_user, method="cash", amount=Decimal("90.00"), received_on=invoice.issue_date
    )
    assert send_invoice_reminders(today=days_after_due(invoice, 30)) == 0
    assert not InvoiceReminder.objects.exists()


def test_offsets_are_set_per_office(invoice):
    profile = services.billing_profile(invoice.office)
    profile.reminder_offsets = "7"
    profile.save()
    assert send_invoice_reminders(today=days_after_due(invoice, 8)) == 1
    assert InvoiceReminder.objects.get().offset_days == 7


def test_a_reminder_counts_as_sent_only_once_its_email_has_left(invoice, client, staff_user, office):
    """The mail server is down: the reminder is queued, the invoice page says so; once the
    e-mail leaves, the page says sent (issue 11: reminders counted as sent while queued)."""
    from ensemble.core.models import OutboundEmail

    send_invoice_reminders(today=days_after_due(invoice, 15))  # no commit callback: never sent
    reminder = InvoiceReminder.objects.select_related("email").get()
    assert reminder.email.status == OutboundEmail.Status.QUEUED
    assert not reminder.is_sent
    client.force_login(staff_user)
    url = f"/{office.slug}/gestion/factures/{invoice.pk}/"
    page = client.get(url).content.decode()
    assert "Relance à J+15" in page and "en attente d'envoi" in page, page[
        page.find("reminders-title") - 50 :
    ][:600]

    OutboundEmail.objects.filter(pk=reminder.email_id).update(status="sent", sent_at=invoice.issue_date)
    reminder.refresh_from_db()
    assert reminder.is_sent
    assert "envoyée le" in client.get(url).content.decode()
