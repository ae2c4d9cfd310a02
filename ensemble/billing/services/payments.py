"""Payments on invoices: recording, cancelling, and what settles a membership."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.audit import acting_user
from ensemble.memberships import services as membership_services
from ensemble.memberships.models import Membership

from .. import selectors
from ..errors import BillingError
from ..models import Invoice
from ..payments import CustomerCredit, Payment

audit.register_actions(
    {
        "payment.recorded": gettext_lazy(
            "Règlement de %(amount)s € (%(method)s) reçu sur la facture %(invoice)s"
        ),
        "payment.cancelled": gettext_lazy(
            "Règlement de %(amount)s € sur la facture %(invoice)s annulé : %(reason)s"
        ),
    }
)


def _check_payment(method: str, amount: Decimal, received_on: datetime.date, cheque_number: str) -> None:
    if not isinstance(amount, Decimal) or amount <= 0:
        raise BillingError(_("Le montant doit être positif."), field="amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise BillingError(_("Le montant a au plus deux décimales."), field="amount")
    if received_on > timezone.localdate():
        raise BillingError(_("La date de réception ne peut pas être dans le futur."), field="received_on")
    if method not in Payment.Method.values:
        raise BillingError(_("Mode de règlement inconnu."), field="method")
    if method == Payment.Method.CHEQUE and not cheque_number.strip():
        raise BillingError(_("Indiquez le numéro du chèque."), field="cheque_number")


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
        Invoice.objects.select_for_update(of=("self",))
        .select_related("organisation", "office")
        .get(pk=invoice.pk)
    )
    if idempotency_key:
        already = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if already is not None:
            if already.invoice_id != invoice.pk:
                raise BillingError(_("Ce formulaire a déjà servi pour une autre facture."))
            return already
    if not invoice.is_issued or invoice.kind != Invoice.Kind.INVOICE:
        raise BillingError(_("Un règlement ne s'enregistre que sur une facture émise."))
    cheque_number = cheque_number.strip()
    _check_payment(method, amount, received_on, cheque_number)
    due = outstanding(invoice)
    if invoice.total_ttc - selectors.credited_total(invoice) <= 0:
        raise BillingError(_("La facture %(number)s est annulée par un avoir.") % {"number": invoice.number})
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
    if payment.overpaid > 0:
        CustomerCredit.objects.create(
            office_id=invoice.office_id,
            organisation=invoice.organisation,
            payment=payment,
            amount=payment.overpaid,
        )
    audit.record(
        "payment.recorded",
        actor=actor,
        office=invoice.office,
        target=payment,
        organisation_id=invoice.organisation_id,
        data={
            "invoice": invoice.number,
            "method": payment.method,
            "amount": payment.amount,
            "allocated": payment.allocated,
            "overpaid": payment.overpaid,
            "received_on": payment.received_on,
            "cheque_number": payment.cheque_number,
            "bank": payment.bank,
            "transfer_reference": payment.transfer_reference,
        },
    )
    # Settling a membership's invoice moves the membership: that change is the memberships
    # service's own, with its own entry.
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
            _(
                "Validez d'abord la demande : sa facture est émise à la validation et le règlement "
                "s'enregistre sur elle."
            )
        )
    return record_payment(invoice, actor=actor, **payment)


@transaction.atomic
def cancel_payment(payment: Payment, *, actor: User, reason: str) -> Payment:
    """A cheque that bounced, a payment typed twice: recorded as cancelled, never deleted."""
    payment = (
        Payment.objects.select_for_update(of=("self",)).select_related("office", "invoice").get(pk=payment.pk)
    )
    if payment.is_cancelled:
        raise BillingError(_("Ce règlement est déjà annulé."))
    if not reason.strip():
        raise BillingError(_("Le motif est obligatoire."), field="reason")
    if hasattr(payment, "credit"):
        raise BillingError(_("Ce règlement a laissé un avoir client : régularisez-le d'abord."))
    payment.cancelled_at = timezone.now()
    payment.cancelled_by = actor
    payment.cancel_reason = reason.strip()
    payment.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    audit.record(
        "payment.cancelled",
        actor=actor,
        office=payment.office,
        target=payment,
        organisation_id=payment.organisation_id,
        data={
            "invoice": payment.invoice.number,
            "amount": payment.amount,
            "method": payment.method,
            "received_on": payment.received_on,
            "reason": payment.cancel_reason,
        },
    )
    return payment
