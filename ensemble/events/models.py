"""The agenda: events of the partners (moderated, like listings) and of the office."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import TenantModel
from ensemble.directory.models import Establishment, Organisation


class Event(TenantModel):
    """An event with its dates, place, price and booking link. Title and descriptions are
    translated FR/EN/NL (translation.py). `uid` and `sequence` make its iCalendar identity:
    the UID never changes, SEQUENCE grows with each published change."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("À modérer")
        PUBLISHED = "published", _("Publié")
        REJECTED = "rejected", _("Refusé")
        CANCELLED = "cancelled", _("Annulé")

    class Category(models.TextChoices):
        FESTIVAL = "festival", _("Fête et festival")
        CONCERT = "concert", _("Concert et spectacle")
        EXHIBITION = "exhibition", _("Exposition")
        MARKET = "market", _("Marché et brocante")
        VISIT = "visit", _("Visite et balade")
        SPORT = "sport", _("Sport et nature")
        WORKSHOP = "workshop", _("Atelier et stage")
        FOOD = "food", _("Gastronomie")
        OTHER = "other", _("Autre")

    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    establishment = models.ForeignKey(
        Establishment, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    title = models.CharField(_("titre"), max_length=200)
    # No length in the database: the limits depend on who writes (rules.text_limits: a
    # partner's 300 / 2,000 characters, the office's own events longer).
    summary = models.TextField(_("résumé"), blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    category = models.CharField(
        _("catégorie"), max_length=12, choices=Category.choices, default=Category.OTHER
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    all_day = models.BooleanField(_("toute la journée"), default=False)
    place_name = models.CharField(_("lieu"), max_length=200, blank=True, default="")
    address = models.CharField(_("adresse"), max_length=200, blank=True, default="")
    postcode = models.CharField(_("code postal"), max_length=10, blank=True, default="")
    city = models.CharField(_("ville"), max_length=100)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_free = models.BooleanField(_("gratuit"), default=False)
    price_text = models.CharField(_("tarifs"), max_length=200, blank=True, default="")
    booking_url = models.URLField(_("lien de réservation"), blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("motif"), blank=True, default="")
    # A partner's change to a published event waits here (field → value, as JSON) while the
    # public keeps the published content; staff approve it (a new SEQUENCE) or reject it.
    pending_changes = models.JSONField(default=dict, blank=True)
    change_submitted_at = models.DateTimeField(null=True, blank=True)
    # When the public content last changed (first publication, approved change, office edit,
    # cancellation): the iCalendar DTSTAMP and LAST-MODIFIED.
    revised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("événement")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["office", "status", "starts_at", "id"], name="event_agenda"),
            models.Index(fields=["office", "status", "ends_at"], name="event_current"),
            models.Index(fields=["office", "city"], name="event_city"),
            models.Index(fields=["office", "updated_at", "id"], name="event_changes_since"),
            models.Index(fields=["office", "starts_at", "id"], name="event_by_start"),
            models.Index(fields=["office", "status", "category", "starts_at"], name="event_category"),
            models.Index(
                fields=["office", "change_submitted_at"],
                condition=models.Q(change_submitted_at__isnull=False),
                name="event_pending_change",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gte=models.F("starts_at")), name="event_order")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_pending_change(self) -> bool:
        return self.change_submitted_at is not None
