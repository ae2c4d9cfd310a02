"""Invoices and credit notes, their lines and numbering, and each office's billing settings.

An issued invoice never changes: `Invoice.save()` and `delete()` refuse it, and so do the
queryset's `update()` and `delete()`. What happens after issue (payments, the PDF, reminders)
lives in other tables.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import Office, TenantModel
from ensemble.core.private_files import private_storage
from ensemble.directory.models import Organisation
from ensemble.memberships.models import Membership, Offer

from .errors import InvoiceLocked

MONEY = {"max_digits": 12, "decimal_places": 2}


class BillingProfile(models.Model):
    """What an office's invoices say beyond its identity (which is on `Office`)."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="billing_profile")
    payment_terms_days = models.PositiveSmallIntegerField(_("délai de paiement (jours)"), default=30)
    late_penalty_rate = models.DecimalField(
        _("taux des pénalités de retard (% par an)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("12.00"),
    )
    recovery_indemnity = models.DecimalField(
        _("indemnité forfaitaire de recouvrement"), default=Decimal("40.00"), **MONEY
    )
    vat_on_debits = models.BooleanField(
        _("option pour le paiement de la TVA d'après les débits"), default=False
    )
    reminder_offsets = models.CharField(
        _("relances (jours après l'échéance)"),
        max_length=50,
        default="15,30",
        help_text=_("Nombres de jours séparés par des virgules, par exemple 15,30."),
    )

    class Meta:
        verbose_name = _("paramètres de facturation")

    def __str__(self) -> str:
        return f"{self.office}"

    @property
    def reminder_days(self) -> list[int]:
        return sorted({int(d) for d in self.reminder_offsets.split(",") if d.strip().isdigit()})


class NumberCounter(models.Model):
    """The last number used in one series of one office for one year. Locked and incremented in
    the issuing transaction: a rollback gives the number back, so the series has no gap."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    series = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "series", "year"], name="counter_unique")]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last_number}"


class InvoiceQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(state=Invoice.State.ISSUED).exists():
            raise InvoiceLocked()
        return super().update(**kwargs)

    def delete(self):
        if self.filter(state=Invoice.State.ISSUED).exists():
            raise InvoiceLocked()
        return super().delete()


class Invoice(TenantModel):
    """A facture or an avoir. Drafts have no number; issuing numbers, totals and freezes it."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Facture")
        CREDIT_NOTE = "credit_note", _("Avoir")

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        ISSUED = "issued", _("Émise")

    SERIES = {Kind.INVOICE: "FA", Kind.CREDIT_NOTE: "AV"}
    TYPE_CODES = {Kind.INVOICE: "380", Kind.CREDIT_NOTE: "381"}  # UNTDID 1001

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    state = models.CharField(_("état"), max_length=8, choices=State.choices, default=State.DRAFT)
    number = models.CharField(_("numéro"), max_length=20, null=True, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invoices")
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    credited_invoice = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    issue_date = models.DateField(_("date d'émission"), null=True, blank=True)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    service_start = models.DateField(_("début de la prestation"), null=True, blank=True)
    service_end = models.DateField(_("fin de la prestation"), null=True, blank=True)
    # The buyer and the seller as they were on the day of issue.
    buyer_name = models.CharField(_("client"), max_length=200)
    buyer_address = models.CharField(_("adresse"), max_length=200)
    buyer_postcode = models.CharField(_("code postal"), max_length=10)
    buyer_city = models.CharField(_("ville"), max_length=100)
    buyer_country = models.CharField(_("pays"), max_length=2, default="FR")
    buyer_siren = models.CharField(_("SIREN du client"), max_length=9, blank=True, default="")
    buyer_vat_number = models.CharField(_("TVA du client"), max_length=20, blank=True, default="")
    delivery_address = models.CharField(
        _("adresse de livraison (si différente)"), max_length=300, blank=True, default=""
    )
    seller = models.JSONField(_("vendeur"), default=dict, blank=True)
    total_ht = models.DecimalField(_("total HT"), default=Decimal("0.00"), **MONEY)
    total_vat = models.DecimalField(_("TVA"), default=Decimal("0.00"), **MONEY)
    total_ttc = models.DecimalField(_("total TTC"), default=Decimal("0.00"), **MONEY)
    payment_reference = models.CharField(
        _("référence de paiement (RF)"), max_length=35, blank=True, default=""
    )
    note = models.TextField(_("mention"), blank=True, default="")
    # Paid in full when issued (a cheque that came with the bulletin, a card at the desk): the PDF
    # says « Acquittée le … par … » and asks for nothing. Frozen at issue like the rest, so the
    # PDF stays the same bytes whatever happens to the payment afterwards.
    paid_at_issue_on = models.DateField(_("acquittée à l'émission le"), null=True, blank=True)
    paid_at_issue_method = models.CharField(
        _("acquittée à l'émission par"), max_length=10, blank=True, default=""
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("facture")
        ordering = ["-issue_date", "-id"]
        indexes = [
            models.Index(fields=["office", "state", "-issue_date"]),
            models.Index(fields=["office", "organisation"]),
            models.Index(fields=["office", "due_date"]),
            # The staff's invoice list, newest first, paged (docs/benchmarks.md: many offices).
            models.Index(fields=["office", "-issue_date", "-id"], name="invoice_office_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "number"],
                condition=models.Q(number__isnull=False),
                name="invoice_number_unique_per_office",
            ),
            models.CheckConstraint(
                condition=models.Q(state="draft", number__isnull=True)
                | models.Q(state="issued", number__isnull=False, issue_date__isnull=False),
                name="invoice_number_iff_issued",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_kind_display()} (brouillon {self.pk})"

    @property
    def is_issued(self) -> bool:
        return self.state == self.State.ISSUED

    @property
    def is_paid_at_issue(self) -> bool:
        return self.paid_at_issue_on is not None

    @property
    def type_code(self) -> str:
        return self.TYPE_CODES[self.kind]

    def _stored_state(self) -> str | None:
        if self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("state", flat=True).first()

    def save(self, *args, _issuing: bool = False, **kwargs):
        if self._stored_state() == self.State.ISSUED:
            raise InvoiceLocked()
        if self.state == self.State.ISSUED and not _issuing:
            raise InvoiceLocked(str(_("Une facture ne s'émet que par le service d'émission.")))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_state() == self.State.ISSUED:
            raise InvoiceLocked()
        return super().delete(*args, **kwargs)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    label = models.CharField(_("désignation"), max_length=250)
    quantity = models.DecimalField(_("quantité"), max_digits=10, decimal_places=2)
    unit_price_ht = models.DecimalField(_("prix unitaire HT"), max_digits=14, decimal_places=6)
    vat_rate = models.DecimalField(_("taux de TVA (%)"), max_digits=5, decimal_places=2)
    total_ht = models.DecimalField(_("total HT"), **MONEY)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="invoice_line_qty_pos")
        ]

    def __str__(self) -> str:
        return f"{self.label} × {self.quantity}"

    def save(self, *args, **kwargs):
        if self.invoice.is_issued or self.invoice._stored_state() == Invoice.State.ISSUED:
            raise InvoiceLocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.invoice._stored_state() == Invoice.State.ISSUED:
            raise InvoiceLocked()
        return super().delete(*args, **kwargs)


class InvoiceDocument(models.Model):
    """The Factur-X PDF of an issued invoice or credit note, in the private storage.

    It lives in its own table because the invoice row never changes after issue; rendering again
    gives the same bytes (same `sha256`), so the task that writes it can run twice.
    """

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="document")
    file = models.FileField(_("PDF"), upload_to="invoices/", max_length=255, storage=private_storage)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    generated_at = models.DateTimeField(_("généré le"))

    class Meta:
        verbose_name = _("PDF de facture")

    def __str__(self) -> str:
        return self.file.name


from .payments import CustomerCredit, Payment  # noqa: E402,F401
from .quotes import Quote, QuoteLine  # noqa: E402,F401
from .reminders import InvoiceReminder  # noqa: E402,F401
