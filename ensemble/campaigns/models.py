"""The yearly update campaign ("campagne de mise à jour"): every partner is asked to review and
confirm its listing before the print guide and the magazine go to the layout agency.

A campaign is drafted (title, message, deadline, grace period, reminder offsets, optionally some
categories), then launched: one `CampaignTarget` per published listing it covers, each partner
e-mailed a signed link. Reminders go out at the offsets (days after the launch), once each: the
`CampaignReminder` row of a (target, offset) is unique. After the deadline the unconfirmed
targets are flagged; after the grace period staff may unpublish them in one action (CGV art. 2).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import OutboundEmail, TenantModel
from ensemble.directory.models import Category
from ensemble.listings.models import Listing


class UpdateCampaign(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        LAUNCHED = "launched", _("En cours")
        CLOSED = "closed", _("Close")

    title = models.CharField(_("titre"), max_length=200)
    message = models.TextField(_("message aux partenaires"), blank=True, default="")
    deadline = models.DateField(_("date limite"))
    grace_days = models.PositiveSmallIntegerField(_("délai de grâce (jours)"), default=15)
    # Days after the launch, ascending, e.g. [7, 14, 21].
    reminder_offsets = models.JSONField(_("rappels (jours après le lancement)"), default=list, blank=True)
    # None chosen: every category.
    categories = models.ManyToManyField(Category, blank=True, related_name="+", verbose_name=_("catégories"))
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    launched_at = models.DateTimeField(_("lancée le"), null=True, blank=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("campagne de mise à jour")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="launched") | models.Q(launched_at__isnull=False),
                name="campaign_launched_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unpublish_from(self) -> datetime.date:
        """The first day the unconfirmed listings may be unpublished (after the grace period)."""
        return self.deadline + datetime.timedelta(days=self.grace_days + 1)

    @property
    def grace_ends(self) -> datetime.date:
        return self.deadline + datetime.timedelta(days=self.grace_days)


class TargetState(models.TextChoices):
    """Where a target stands, in this order of precedence (a listing confirmed after it was
    unpublished counts as confirmed; staff then republish it)."""

    CONFIRMED = "confirmed", _("Confirmée")
    PENDING = "pending", _("En attente")
    FLAGGED = "flagged", _("Non confirmée à la date limite")
    UNPUBLISHED = "unpublished", _("Retirée")


class CampaignTarget(TenantModel):
    """One listing a campaign asks its partner to confirm."""

    campaign = models.ForeignKey(UpdateCampaign, on_delete=models.CASCADE, related_name="targets")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="campaign_targets")
    emailed_at = models.DateTimeField(_("invitation envoyée le"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    flagged_at = models.DateTimeField(_("signalée le"), null=True, blank=True)
    unpublished_at = models.DateTimeField(_("retirée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("fiche de la campagne")
        ordering = ["id"]
        indexes = [models.Index(fields=["campaign", "confirmed_at"])]
        constraints = [models.UniqueConstraint(fields=["campaign", "listing"], name="campaign_target_once")]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.listing}"

    @property
    def state(self) -> TargetState:
        if self.confirmed_at:
            return TargetState.CONFIRMED
        if self.unpublished_at:
            return TargetState.UNPUBLISHED
        if self.flagged_at:
            return TargetState.FLAGGED
        return TargetState.PENDING


class CampaignReminder(models.Model):
    """A reminder sent to one target at one offset; the unique pair is the send-once guard."""

    target = models.ForeignKey(CampaignTarget, on_delete=models.CASCADE, related_name="reminders")
    offset_days = models.PositiveSmallIntegerField(_("jours après le lancement"))
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)
    email = models.ForeignKey(
        OutboundEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("rappel de campagne")
        ordering = ["offset_days", "id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "offset_days"], name="campaign_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.target} J+{self.offset_days}"
