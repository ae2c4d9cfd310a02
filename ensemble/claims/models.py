"""What partners claim from their pack: requests, the office's image bank and gift codes.

A `Claim` is one request of a partner on one of its membership's entitlements (or beyond them,
answered with a quote). It is tracked from `requested` to `done` (or `refused`/`cancelled`) and
consumes the entitlement when done, in the same transaction (services.py).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import TenantModel
from ensemble.core.private_files import private_storage
from ensemble.core.workflow import StateMachine, Transitions
from ensemble.memberships.models import Entitlement, EntitlementConsumption, EntitlementKind, Membership

from . import codes
from .errors import ClaimError

K = EntitlementKind

# The kinds a partner asks for from the portal. Trainings, invitations to pro meetings and the
# working groups come with the club's calendar (registrations), not with a request.
CLAIMABLE_KINDS = (
    K.SCREEN_BANNER,
    K.IMAGE_BANK,
    K.WELCOME_GIFT,
    K.ANNUAL_VISIT,
    K.PROMO_SPOT,
    K.SALON_DAY,
    K.PHOTOS,
    K.VIDEO,
    K.TRANSLATION,
)
# Kinds whose completion is their own action (the banner's window, the images, the codes).
DEDICATED_KINDS = {
    K.SCREEN_BANNER: "approve_banner",
    K.IMAGE_BANK: "answer_image_bank_request",
    K.WELCOME_GIFT: "issue_gift_codes",
}


class MediaBankImage(TenantModel):
    """A photo of the office's image bank (CGV art. 4.3), with the credit line to print beside it."""

    image = models.ImageField(
        _("image"),
        upload_to="media-bank/%Y/",
        width_field="width",
        height_field="height",
        storage=private_storage,
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    title = models.CharField(_("titre"), max_length=200)
    credit = models.CharField(_("crédit photo"), max_length=150)
    tags = models.CharField(_("mots-clés"), max_length=250, blank=True, default="")
    is_active = models.BooleanField(_("proposée"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("image de la banque")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "is_active", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class Claim(StateMachine, TenantModel):
    """A partner's request on what its pack includes (or beyond it, on quote)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Demandée")
        ACCEPTED = "accepted", _("Acceptée")
        REFUSED = "refused", _("Refusée")
        DONE = "done", _("Réalisée")
        CANCELLED = "cancelled", _("Annulée")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="claims")
    entitlement = models.ForeignKey(
        Entitlement, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    kind = models.CharField(_("prestation"), max_length=20, choices=EntitlementKind.choices)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    beyond_pack = models.BooleanField(
        _("au-delà du pack"),
        default=False,
        help_text=_("Demandée en option ou sur devis : aucun droit inclus n'est consommé."),
    )
    message = models.TextField(_("message du partenaire"), blank=True, default="")
    preferred_date = models.DateField(_("date souhaitée"), null=True, blank=True)
    quantity_wished = models.PositiveIntegerField(_("nombre souhaité"), null=True, blank=True)
    answer = models.TextField(_("réponse de l'office"), blank=True, default="")
    refusal_reason = models.TextField(_("motif du refus"), blank=True, default="")
    # The reception-screen banner: an image and/or a text; its window is set at approval.
    image = models.ImageField(
        _("image du bandeau"),
        upload_to="claims/banners/%Y/",
        storage=private_storage,
        width_field="image_width",
        height_field="image_height",
        blank=True,
    )
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    text = models.CharField(_("texte du bandeau"), max_length=280, blank=True, default="")
    starts_on = models.DateField(_("diffusé à partir du"), null=True, blank=True)
    ends_on = models.DateField(_("diffusé jusqu'au"), null=True, blank=True)
    # The image bank's answer.
    images = models.ManyToManyField(MediaBankImage, blank=True, related_name="claims")
    consumption = models.OneToOneField(
        EntitlementConsumption, on_delete=models.SET_NULL, null=True, blank=True, related_name="claim"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    completed_at = models.DateTimeField(_("réalisée le"), null=True, blank=True)

    # action -> (statuses it may start from, status it leads to). Anything else is refused.
    TRANSITIONS = Transitions(
        {
            "accept": ({Status.REQUESTED}, Status.ACCEPTED),
            "refuse": ({Status.REQUESTED, Status.ACCEPTED}, Status.REFUSED),
            "complete": ({Status.REQUESTED, Status.ACCEPTED}, Status.DONE),
            "cancel": ({Status.REQUESTED}, Status.CANCELLED),
        },
        error=ClaimError,
    )
    OPEN_STATUSES = (Status.REQUESTED, Status.ACCEPTED)

    class Meta:
        verbose_name = _("demande de prestation")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["office", "status", "created_at"]),
            models.Index(fields=["office", "kind", "starts_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(beyond_pack=False) | models.Q(entitlement__isnull=True),
                name="claim_beyond_pack_has_no_entitlement",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="claim_window_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.membership}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_banner(self) -> bool:
        return self.kind == K.SCREEN_BANNER

    def shows_on(self, day: datetime.date) -> bool:
        """An approved banner is on the screens from `starts_on` to `ends_on`, both included."""
        return (
            self.status == self.Status.DONE
            and self.starts_on is not None
            and self.ends_on is not None
            and self.starts_on <= day <= self.ends_on
        )

    @property
    def is_showing(self) -> bool:
        return self.shows_on(timezone.localdate())


class GiftCode(TenantModel):
    """A single-use code for the Balad'Enigm trails, given by a partner to its clients."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="gift_codes")
    code = models.CharField(_("code"), max_length=16)
    valid_until = models.DateField(_("valable jusqu'au"))
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)
    used_on_trail = models.CharField(_("parcours"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("code cadeau")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["office", "code"], name="gift_code_unique_per_office")]

    def __str__(self) -> str:
        return self.code

    @property
    def is_used(self) -> bool:
        return self.used_at is not None

    @property
    def display_code(self) -> str:
        """Grouped for reading: ABCDE-FGHJK."""
        return codes.display(self.code)
