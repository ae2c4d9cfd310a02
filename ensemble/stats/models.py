"""Visibility counts: how often each listing was seen or acted on, per day.

One row per (listing, day, kind) holding a number, nothing else: no visitor, no IP address, no
cookie, no user agent. The rows are written only by `services.record` (an atomic upsert that
adds to the count), read by the partner's annual report and the office's export.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import Office
from ensemble.listings.models import Listing


class VisibilityCount(models.Model):
    class Kind(models.TextChoices):
        PAGE_VIEW = "page_view", _("Pages vues")
        CLICK_PHONE = "click_phone", _("Clics sur le téléphone")
        CLICK_EMAIL = "click_email", _("Clics sur l'e-mail")
        CLICK_WEBSITE = "click_website", _("Clics vers le site web")
        CLICK_BOOKING = "click_booking", _("Clics vers la réservation")
        API_IMPRESSION = "api_impression", _("Affichages par l'API")
        WIDGET_IMPRESSION = "widget_impression", _("Affichages dans le widget")

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="visibility_counts")
    day = models.DateField(_("jour"))
    kind = models.CharField(_("mesure"), max_length=20, choices=Kind.choices)
    count = models.PositiveBigIntegerField(_("nombre"), default=0)

    class Meta:
        verbose_name = _("compteur de visibilité")
        constraints = [
            # The upsert's conflict target; also serves a listing's year (listing, day range).
            models.UniqueConstraint(fields=["listing", "day", "kind"], name="visibility_count_once_a_day"),
        ]
        indexes = [models.Index(fields=["office", "day"], name="visibility_office_day")]

    def __str__(self) -> str:
        return f"{self.listing_id} {self.day} {self.kind}: {self.count}"
