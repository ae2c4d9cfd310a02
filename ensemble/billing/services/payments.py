"""Payments on invoices: recording, cancelling, and what settles a membership."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ensemble.accounts.models import User
from ensemble.core.audit import acting_user
from ensemble.core.money import format_eur
from ensemble.directory import services as directory_services
from ensemble.directory.models import TimelineEntry
from ensemble.memberships import services as membership_services
from ensemble.memberships.models import Membership

from .. import selectors
from ..errors import BillingError
from ..models import Invoice
from ..payments import CustomerCredit, Payment


def _check_payment(method: str, amount: Decimal, received_on: datetime.date, cheque_number: str) -> None:
    if not isinstance(amount, Decimal) or amount <= 0:
        raise BillingError("Le montant doit être positif.", field="amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise BillingError("Le montant a au plus deux décimales.", field="amount")
    if received_on > timezone.localdate():
        raise BillingError("La date de réception ne peut pas être dans le futur.", field="received_on")
    if method not in Payment.Method.values:
        raise BillingError("Mode de règlement inconnu.", field="method")
    if method == Payment.Method.CHEQUE and not cheque_number.strip():
        raise BillingError("Indiquez le numéro du chèque.", field="cheque_number")


def outstanding(invoice: Invoice) -> Decimal:
    """What the invoice still waits for: its total, less credit notes, less payments."""
    return invoice.total_ttc - selectors.credited_total(invoice) - selectors.amount_paid(invoice)


@transaction.atomic
def record_payment(
    invoice: Invoice,
    *,
    actor: User | None,
    method: str,
    amount: Decimal,
    received_on: datetime.date,
    cheque_number: str = "",
    bank: str = "",
    transfer_reference: str = "",
    idempotency_key: str | None = None,
) -> Payment:
    """Money received for an issued invoice. What exceeds the outstanding amount is kept as a
    credit for the organisation; a payment that settles a membership's invoice activates it."""
    invoice = (
        Invoice.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=invoice.pk)
    )
    if idempotency_key:
        already = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if already is not None:
            if already.invoice_id != invoice.pk:
                raise BillingError("Ce formulaire a déjà servi pour une autre facture.")
            return already
    if not invoice.is_issued or invoice.kind != Invoice.Kind.INVOICE:
        raise BillingError("Un règlement ne s'enregistre que sur une facture émise.")
    cheque_number = cheque_number.strip()
    _check_payment(method, amount, received_on, cheque_number)
    due = outstanding(invoice)
    if invoice.total_ttc - selectors.credited_total(invoice) <= 0:
        raise BillingError(f"La facture {invoice.number} est annulée par un avoir.")
    payment = Payment(
        office_id=invoice.office_id,
        organisation=invoice.organisation,
        invoice=invoice,
        method=method,
        amount=amount,
        allocated=min(amount, max(due, Decimal("0.00"))),
        received_on=received_on,
        cheque_number=cheque_number,
        bank=bank.strip(),
        transfer_reference=transfer_reference.strip(),
        recorded_by=acting_user(actor),
        idempotency_key=idempotency_key or None,
    )
    try:
        payment.validate_constraints()
    except ValidationError as exc:
        raise BillingError(exc.messages[0], field="cheque_number") from None
    payment.save()
    _after_payment(invoice, payment, actor)
    return payment


def _after_payment(invoice: Invoice, payment: Payment, actor: User | None) -> None:
    summary = (
        f"Règlement reçu : {format_eur(payment.amount)} ({payment.get_method_display()}) "
        f"sur la facture {invoice.number}"
    )
    if payment.overpaid > 0:
        CustomerCredit.objects.create(
            office_id=invoice.office_id,
            organisation=invoice.organisation,
            payment=payment,
            amount=payment.overpaid,
        )
        summary += f" ; trop-perçu de {format_eur(payment.overpaid)} gardé en avoir client"
    directory_services.record_timeline(
        invoice.organisation, kind=TimelineEntry.Kind.PAYMENT, summary=summary, actor=actor
    )
    if invoice.membership_id and outstanding(invoice) <= 0:
        membership_services.record_membership_paid(
            invoice.membership, paid_on=payment.received_on, actor=actor
        )


@transaction.atomic
def record_membership_payment(membership: Membership, *, actor: User | None, **payment) -> Payment:
    """A payment for a membership goes on its invoice, issued when staff validated the request."""
    invoice = selectors.membership_invoices(membership).filter(kind=Invoice.Kind.INVOICE).first()
    if invoice is None:
        raise BillingError(
            "Validez d'abord la demande : sa facture est émise à la validation et le règlement "
            "s'enregistre sur elle."
        )
    return record_payment(invoice, actor=actor, **payment)


@transaction.atomic
def cancel_payment(payment: Payment, *, actor: User, reason: str) -> Payment:
    """A cheque that bounced, a payment typed twice: recorded as cancelled, never deleted."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.is_cancelled:
        raise BillingError("Ce règlement est déjà annulé.")
    if not reason.strip():
        raise BillingError("Le motif est obligatoire.", field="reason")
    if hasattr(payment, "credit"):
        raise BillingError("Ce règlement a laissé un avoir client : régularisez-le d'abord.")
    payment.cancelled_at = timezone.now()
    payment.cancelled_by = actor
    payment.cancel_reason = reason.strip()
    payment.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    directory_services.record_timeline(
        payment.organisation,
        kind=TimelineEntry.Kind.PAYMENT,
        summary=f"Règlement de {format_eur(payment.amount)} annulé",
        body=payment.cancel_reason,
        actor=actor,
    )
    return payment
