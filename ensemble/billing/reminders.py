"""Reminders of overdue invoices: one e-mail per invoice and offset, never twice."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import OutboundEmail, TenantModel


class InvoiceReminder(TenantModel):
    invoice = models.ForeignKey("billing.Invoice", on_delete=models.PROTECT, related_name="reminders")
    offset_days = models.PositiveSmallIntegerField(_("jours après l'échéance"))
    sent_on = models.DateField(_("envoyée le"))
    email = models.ForeignKey(OutboundEmail, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("relance")
        ordering = ["sent_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "offset_days"], name="reminder_once_per_offset")
        ]

    def __str__(self) -> str:
        return f"{self.invoice} +{self.offset_days} j"

    @property
    def is_sent(self) -> bool:
        """Counted as sent only once its e-mail has left (the mail server may be down)."""
        return self.email is not None and self.email.status in OutboundEmail.LEFT_STATUSES
