from django.utils.translation import gettext as _

from ensemble.core.errors import EnsembleError


class BillingError(EnsembleError):
    """A billing rule refused the action; the message is for the person who acted."""


class InvoiceLocked(BillingError):
    """An issued invoice or credit note never changes and is never deleted."""

    def __init__(self, message: str = ""):
        super().__init__(
            message or _("Une facture émise ne peut être ni modifiée ni supprimée : émettez un avoir."),
            code="locked",
        )
