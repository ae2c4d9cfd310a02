"""Billing beyond what the memberships produced: a free invoice left unpaid (so its reminders go
out), a credit note, and an overpayment kept as a customer credit. Replayed on their days, once."""

import datetime
from decimal import Decimal

from ensemble.billing import services as billing_services
from ensemble.billing.amounts import LineInput
from ensemble.billing.models import Invoice
from ensemble.billing.services.reminders import send_invoice_reminders
from ensemble.directory.models import Organisation
from ensemble.memberships.models import Membership, Offer

from .clock import on
from .offices import DEMO_DAY, SEASON_YEAR

MARKER = "Démo : pack photos facturé à part"
GESTURE = LineInput("Geste commercial", Decimal(1), Decimal(20), unit_price_ttc=Decimal("10.00"))


def _first_active(office) -> Membership | None:
    return (
        Membership.objects.filter(office=office, season__year=SEASON_YEAR, status="active")
        .select_related("organisation")
        .order_by("id")
        .first()
    )


def _unpaid_photo_invoice(context) -> Invoice | None:
    """A photo pack invoiced in spring and never paid: the reminders of +15 and +30 days."""
    membership = _first_active(context.office)
    if membership is None:
        return None
    offer = Offer.objects.get(season__office=context.office, season__year=SEASON_YEAR, code="photos-10")
    issue_day = min(datetime.date(SEASON_YEAR, 4, 2), DEMO_DAY)
    with on(issue_day):
        draft = billing_services.create_draft(
            membership.organisation,
            lines=[
                LineInput(
                    offer.name, Decimal(1), offer.vat_rate, unit_price_ttc=offer.price_ttc, offer_id=offer.pk
                )
            ],
            actor=context.actors.administration,
            note=MARKER,
        )
        invoice = billing_services.issue_invoice(draft, actor=context.actors.administration)
    for late_by in (15, 30):
        day = invoice.due_date + datetime.timedelta(days=late_by)
        if day <= DEMO_DAY:
            with on(day, hour=6):
                send_invoice_reminders(today=day)
    return invoice


def _credit_note_and_overpayment(context) -> None:
    """Staff typed 2 people instead of 1 for a training: a partial credit note; and a partner
    who paid 100 € for a 90 € pack keeps 10 € as a credit."""
    invoices = Invoice.objects.filter(
        office=context.office, kind="invoice", state="issued", membership__status="awaiting_payment"
    ).order_by("id")
    target = invoices.first()
    if target is not None:
        with on(min(target.issue_date + datetime.timedelta(days=3), DEMO_DAY)):
            billing_services.credit_invoice(
                target,
                actor=context.actors.administration,
                reason="Geste commercial : frais de dossier offerts",
                lines=[
                    LineInput("Geste commercial", Decimal(1), Decimal(20), unit_price_ttc=Decimal("10.00"))
                ],
            )
    second = invoices.exclude(pk=getattr(target, "pk", None)).first()
    if second is not None:
        with on(min(second.issue_date + datetime.timedelta(days=5), DEMO_DAY)):
            billing_services.record_payment(
                second,
                actor=context.actors.administration,
                method="transfer",
                amount=billing_services.outstanding(second) + Decimal("10.00"),
                received_on=min(second.issue_date + datetime.timedelta(days=5), DEMO_DAY),
                transfer_reference=f"VIR {second.payment_reference}",
            )


def load_billing(contexts) -> bool:
    """Once per database: the marker invoice tells a second run it is already there."""
    if Invoice.objects.filter(note=MARKER).exists():
        return False
    for context in contexts:
        if not Organisation.objects.filter(office=context.office).exists():
            continue
        _unpaid_photo_invoice(context)
        _credit_note_and_overpayment(context)
    return True
