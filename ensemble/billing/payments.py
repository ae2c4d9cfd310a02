"""Money received for invoices, and overpayments kept as a credit for the organisation.

A payment is never deleted: cancelling one records who, when and why.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import TenantModel
from ensemble.directory.models import Organisation

MONEY = {"max_digits": 12, "decimal_places": 2}


class Payment(TenantModel):
    class Method(models.TextChoices):
        CHEQUE = "cheque", _("Chèque")
        TRANSFER = "transfer", _("Virement")
        CARD = "card", _("Carte bancaire")
        CASH = "cash", _("Espèces")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="payments")
    invoice = models.ForeignKey("billing.Invoice", on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("mode"), max_length=10, choices=Method.choices)
    amount = models.DecimalField(_("montant reçu"), **MONEY)
    allocated = models.DecimalField(
        _("imputé sur la facture"),
        **MONEY,
        help_text=_("Le reste d'un trop-perçu devient un avoir client de l'organisation."),
    )
    received_on = models.DateField(_("reçu le"))
    cheque_number = models.CharField(_("n° de chèque"), max_length=30, blank=True, default="")
    bank = models.CharField(_("banque"), max_length=100, blank=True, default="")
    transfer_reference = models.CharField(_("référence du virement"), max_length=140, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The form's one-time key: the same form submitted twice (a double click) records one payment.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("règlement")
        ordering = ["received_on", "id"]
        indexes = [models.Index(fields=["office", "received_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="billing_payment_amount_pos"),
            models.CheckConstraint(
                condition=models.Q(allocated__gte=0, allocated__lte=models.F("amount")),
                name="billing_payment_allocation_in_range",
            ),
            models.UniqueConstraint(
                fields=["organisation", "cheque_number"],
                condition=models.Q(method="cheque", cancelled_at__isnull=True) & ~models.Q(cheque_number=""),
                name="billing_cheque_once_per_organisation",
                violation_error_message="Ce chèque est déjà enregistré pour cette organisation.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount} € ({self.received_on})"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def overpaid(self) -> Decimal:
        return self.amount - self.allocated


class CustomerCredit(TenantModel):
    """Money the office owes an organisation (an overpayment), kept until used or refunded."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="customer_credits")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="credit")
    amount = models.DecimalField(_("montant"), **MONEY)

    class Meta:
        verbose_name = _("avoir client")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="customer_credit_pos")]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.amount} €"
