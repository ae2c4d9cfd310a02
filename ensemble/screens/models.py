"""Reception screens: the full-screen pages shown in the office's bureaux d'accueil, each opened
by a secret URL, and the messages staff put on them.

A screen's URL carries a random token (`secrets.token_urlsafe(32)`, 256 bits). Only its SHA-256
is stored: the URL is shown once, when the screen is created or its address regenerated, and a
copy of the database does not open any screen. Revoking sets `revoked_at`; the lookup refuses
a revoked screen on the next request.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import TenantModel

MESSAGE_MAX = 280


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Screen(TenantModel):
    name = models.CharField(
        _("nom"), max_length=120, help_text=_("Par exemple « Accueil Saint-Omer, place Victor Hugo ».")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    revoked_at = models.DateTimeField(_("désactivé le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_seen_at = models.DateTimeField(_("dernier affichage"), null=True, blank=True)

    class Meta:
        verbose_name = _("écran d'accueil")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ScreenMessage(TenantModel):
    """A short plain-text message shown from `starts_on` to `ends_on` (both included), on the
    chosen screens or, when none is chosen, on all of them."""

    text = models.CharField(_("message"), max_length=MESSAGE_MAX)
    starts_on = models.DateField(_("affiché à partir du"))
    ends_on = models.DateField(_("affiché jusqu'au"))
    screens = models.ManyToManyField(Screen, blank=True, related_name="messages", verbose_name=_("écrans"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("message des écrans")
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["office", "ends_on", "starts_on"], name="screen_message_current")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="screen_message_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]
