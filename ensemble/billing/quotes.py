"""Quotes (devis) for the offers the catalogue prices "sur devis".

A quote is composed as a draft, numbered (series DE) when it is sent, then accepted or declined
by the partner before `valid_until`, or expired by the daily job. An accepted quote becomes one
invoice, once. The rules about one quote live here; the changes go through
`ensemble.billing.services.quotes`.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import TenantModel
from ensemble.core.money import to_money
from ensemble.core.workflow import StateMachine, Transitions
from ensemble.directory.models import Organisation
from ensemble.memberships.models import Offer

from .errors import BillingError

MONEY = {"max_digits": 12, "decimal_places": 2}


class Quote(StateMachine, TenantModel):
    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SENT = "sent", _("Envoyé")
        ACCEPTED = "accepted", _("Accepté")
        DECLINED = "declined", _("Refusé")
        EXPIRED = "expired", _("Expiré")
        INVOICED = "invoiced", _("Facturé")

    SERIES = "DE"
    # action: (states it may start from, the state it leads to)
    TRANSITIONS = Transitions(
        {
            "send": ({State.DRAFT}, State.SENT),
            "accept": ({State.SENT}, State.ACCEPTED),
            "decline": ({State.SENT}, State.DECLINED),
            "expire": ({State.SENT}, State.EXPIRED),
            "invoice": ({State.ACCEPTED}, State.INVOICED),
        },
        field="state",
        error=BillingError,
    )

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="quotes")
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.DRAFT)
    number = models.CharField(_("numéro"), max_length=20, null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField(_("durée de validité (jours)"), default=30)
    sent_on = models.DateField(_("envoyé le"), null=True, blank=True)
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    total_ht = models.DecimalField(_("total HT"), default=Decimal("0.00"), **MONEY)
    total_vat = models.DecimalField(_("TVA"), default=Decimal("0.00"), **MONEY)
    total_ttc = models.DecimalField(_("total TTC"), default=Decimal("0.00"), **MONEY)
    note = models.TextField(_("mention"), blank=True, default="")
    # The partner's decision and its evidence.
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    decided_user_agent = models.CharField(_("navigateur"), max_length=500, blank=True, default="")
    decline_reason = models.TextField(_("motif du refus"), blank=True, default="")
    invoice = models.OneToOneField(
        "billing.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="quote"
    )

    class Meta:
        verbose_name = _("devis")
        verbose_name_plural = _("devis")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["office", "state"]),
            models.Index(fields=["office", "organisation"]),
            models.Index(fields=["state", "valid_until"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "number"],
                condition=models.Q(number__isnull=False),
                name="quote_number_unique_per_office",
            ),
            models.CheckConstraint(
                condition=models.Q(state="draft", number__isnull=True)
                | (~models.Q(state="draft") & models.Q(number__isnull=False, valid_until__isnull=False)),
                name="quote_number_iff_sent",
            ),
            models.CheckConstraint(
                condition=models.Q(state="invoiced", invoice__isnull=False)
                | (~models.Q(state="invoiced") & models.Q(invoice__isnull=True)),
                name="quote_invoice_iff_invoiced",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Devis (brouillon {self.pk})"

    def is_past_validity(self, today: datetime.date | None = None) -> bool:
        """Sent, and the last day it could be accepted is over."""
        today = today or timezone.localdate()
        return self.state == self.State.SENT and self.valid_until is not None and self.valid_until < today

    @property
    def is_open(self) -> bool:
        """The partner may still accept or decline it today."""
        return self.state == self.State.SENT and not self.is_past_validity()

    @property
    def is_decided(self) -> bool:
        return self.state in (self.State.ACCEPTED, self.State.DECLINED, self.State.INVOICED)


class QuoteLine(models.Model):
    """A line as staff typed it: a unit price TTC (catalogue style) or HT, and its computed HT."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    label = models.CharField(_("désignation"), max_length=250)
    quantity = models.DecimalField(_("quantité"), max_digits=10, decimal_places=2)
    unit_price_ttc = models.DecimalField(
        _("prix unitaire TTC"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit_price_ht = models.DecimalField(_("prix unitaire HT"), max_digits=14, decimal_places=6)
    vat_rate = models.DecimalField(_("taux de TVA (%)"), max_digits=5, decimal_places=2)
    total_ht = models.DecimalField(_("total HT"), **MONEY)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="quote_line_qty_pos")]

    def __str__(self) -> str:
        return f"{self.label} × {self.quantity}"

    @property
    def total_ttc(self) -> Decimal | None:
        """The line's TTC as the partner was quoted it (lines typed TTC only)."""
        if self.unit_price_ttc is None:
            return None
        return to_money(self.unit_price_ttc * self.quantity)
