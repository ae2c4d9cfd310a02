"""Seasons, the catalogue and its entitlements, terms, and the membership state machine."""

import dataclasses
import datetime
import hashlib
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ensemble.core.languages import SOURCE_LANGUAGE, Text, text_in
from ensemble.core.models import TenantModel
from ensemble.core.money import split_ttc, to_money
from ensemble.core.workflow import StateMachine, Transitions
from ensemble.directory.models import Establishment, Organisation

from .errors import MembershipError

MONEY = {"max_digits": 10, "decimal_places": 2}


class LateStart(models.TextChoices):
    """What a membership that starts after its season's first day pays, and when it starts
    (issue 12, A10; docs/decisions.md « Adhésions en cours de saison »)."""

    FULL = "full", _("Plein tarif, à partir du jour de l'adhésion")
    PRORATA = "prorata", _("Pack au prorata temporis des jours restants")
    NEXT_SEASON = (
        "next_season",
        _("Comptée dans la saison suivante dès qu'elle est en vente (fin de saison offerte)"),
    )


class Season(TenantModel):
    """A calendar year of the club ("millésime")."""

    year = models.PositiveSmallIntegerField(_("année"))
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    is_open_for_joining = models.BooleanField(_("adhésions ouvertes"), default=False)
    # The join form offers the newest open season whose sale has begun (memberships.selectors).
    sales_from = models.DateField(
        _("en vente à partir du"),
        null=True,
        blank=True,
        help_text=_(
            "Le bulletin en ligne propose cette saison à partir de ce jour, par exemple le 1er novembre "
            "de l'année précédente. Vide : dès que les adhésions sont ouvertes."
        ),
    )
    late_start_rule = models.CharField(
        _("adhésion en cours de saison"),
        max_length=12,
        choices=LateStart.choices,
        default=LateStart.FULL,
    )

    class Meta:
        verbose_name = _("saison")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="season_year_per_office")]

    def __str__(self) -> str:
        return str(self.year)

    def contains(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def is_on_sale(self, day: datetime.date) -> bool:
        """The join form may offer it on `day`: open, not over, its sale begun."""
        return (
            self.is_open_for_joining
            and day <= self.ends_on
            and (self.sales_from is None or self.sales_from <= day)
        )

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class Offer(TenantModel):
    """Something the office sells in a season: the pack partenaire or an option à la carte."""

    class Kind(models.TextChoices):
        PACK = "pack", _("Pack partenaire")
        OPTION = "option", _("Prestation à la carte")

    class PricingMode(models.TextChoices):
        FLAT = "flat", _("Forfait")
        PER_PERSON = "per_person", _("Par personne")
        ON_QUOTE = "on_quote", _("Sur devis")
        COMMISSION = "commission", _("Commission")

    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="offers")
    code = models.SlugField(_("code"), max_length=60)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("intitulé"), max_length=200)
    # French is the source (`name`, `description`); English and Dutch may be empty: readers pick
    # the text with `core.languages.text_in` (nl → en → fr), as for categories.
    name_en = models.CharField(_("intitulé (anglais)"), max_length=200, blank=True, default="")
    name_nl = models.CharField(_("intitulé (néerlandais)"), max_length=200, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    description_en = models.TextField(_("description (anglais)"), blank=True, default="")
    description_nl = models.TextField(_("description (néerlandais)"), blank=True, default="")
    pricing_mode = models.CharField(_("tarification"), max_length=12, choices=PricingMode.choices)
    price_ttc = models.DecimalField(_("prix TTC"), null=True, blank=True, **MONEY)
    vat_rate = models.DecimalField(
        _("taux de TVA (%)"), max_digits=5, decimal_places=2, default=Decimal("20.00")
    )
    commission_rate = models.DecimalField(
        _("commission (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("proposée"), default=True)
    highlighted = models.BooleanField(
        _("mise en avant dans l'annuaire"),
        default=False,
        help_text=_("Les partenaires qui ont cette offre apparaissent « À la une » de l'annuaire public."),
    )

    class Meta:
        verbose_name = _("offre")
        ordering = ["season", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["season", "code"], name="offer_code_per_season"),
            models.CheckConstraint(
                condition=models.Q(price_ttc__isnull=True) | models.Q(price_ttc__gte=0),
                name="offer_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_priced(self) -> bool:
        return self.pricing_mode in (self.PricingMode.FLAT, self.PricingMode.PER_PERSON)

    @property
    def price_ht(self) -> Decimal | None:
        if self.price_ttc is None:
            return None
        return split_ttc(self.price_ttc, self.vat_rate)[0]

    @property
    def vat_amount(self) -> Decimal | None:
        if self.price_ttc is None:
            return None
        return split_ttc(self.price_ttc, self.vat_rate)[1]


class EntitlementKind(models.TextChoices):
    TRAINING = "training", _("Inscription à une formation")
    SALON_DAY = "salon_day", _("Journée en salon du tourisme")
    SCREEN_BANNER = "screen_banner", _("Bandeau sur l'écran d'accueil")
    PROMO_SPOT = "promo_spot", _("Spot promo ou shooting photo (5 photos)")
    WELCOME_GIFT = "welcome_gift", _("Codes « Cadeau de bienvenue » Balad'Enigm")
    PRO_MEETINGS = "pro_meetings", _("Invitations aux rencontres de professionnels")
    WORKING_GROUPS = "working_groups", _("Groupes de travail (afterworks, visites VIP)")
    IMAGE_BANK = "image_bank", _("Accès à la banque d'images")
    ANNUAL_VISIT = "annual_visit", _("Visite annuelle")
    PHOTOS = "photos", _("Photos professionnelles")
    VIDEO = "video", _("Vidéo promotionnelle")
    TRANSLATION = "translation", _("Traduction de 600 mots")


class OfferEntitlement(models.Model):
    """What buying an offer lets the partner claim, and how much: the catalogue side.

    `quantity` is per season, or per unit bought when `per_unit` (a per-person training gives
    one seat per person); empty means "as the office's calendar allows" (invitations).
    `duration_days` is how long one use lasts once started (the reception-screen banner: 60 days).
    """

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="entitlements")
    kind = models.CharField(_("droit"), max_length=20, choices=EntitlementKind.choices)
    label = models.CharField(_("libellé"), max_length=200)
    label_en = models.CharField(_("libellé (anglais)"), max_length=200, blank=True, default="")
    label_nl = models.CharField(_("libellé (néerlandais)"), max_length=200, blank=True, default="")
    quantity = models.PositiveIntegerField(_("quantité"), null=True, blank=True)
    duration_days = models.PositiveIntegerField(_("durée (jours)"), null=True, blank=True)
    per_unit = models.BooleanField(
        _("par unité achetée"),
        default=False,
        help_text=_("La quantité est multipliée par le nombre de personnes inscrites."),
    )

    class Meta:
        verbose_name = _("droit inclus")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "kind"], name="offer_entitlement_kind_unique")
        ]

    def __str__(self) -> str:
        return self.label


TERMS_LANGUAGES = ("fr", "en", "nl")  # French is the reference; English and Dutch may be missing
TERMS_LANGUAGE_CHOICES = [("fr", "Français"), ("en", "English"), ("nl", "Nederlands")]


@dataclasses.dataclass(frozen=True)
class TermsText:
    """A document's text in one language, as a person reads (and accepts) it. `is_fallback`:
    the language asked has no version, so this is the French one."""

    document: "TermsDocument"
    language: str
    title: str
    body: str
    is_fallback: bool = False

    @property
    def content_hash(self) -> str:
        return TermsDocument.hash_text(self.title, self.body)


class TermsDocument(TenantModel):
    """A version of the CGV or of the "Charte du Club Partenaire" for a season, in French and,
    where the office entered them, in English and Dutch (a new version carries all its texts)."""

    class Kind(models.TextChoices):
        CGV = "cgv", _("Conditions générales de vente")
        CHARTER = "charter", _("Charte du Club Partenaire")

    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="terms")
    kind = models.CharField(_("document"), max_length=10, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    title_en = models.CharField(_("titre (anglais)"), max_length=200, blank=True, default="")
    body_en = models.TextField(_("texte (anglais)"), blank=True, default="")
    title_nl = models.CharField(_("titre (néerlandais)"), max_length=200, blank=True, default="")
    body_nl = models.TextField(_("texte (néerlandais)"), blank=True, default="")
    content_hash = models.CharField(max_length=64, editable=False)  # the French text's
    is_current = models.BooleanField(_("en vigueur"), default=True)

    class Meta:
        verbose_name = _("document contractuel")
        ordering = ["season", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["season", "kind", "version"], name="terms_version_unique"),
            models.UniqueConstraint(
                fields=["season", "kind"],
                condition=models.Q(is_current=True),
                name="terms_one_current_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.season} v{self.version}"

    @staticmethod
    def hash_text(title: str, body: str) -> str:
        return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()

    def has_language(self, language: str) -> bool:
        return language == "fr" or bool(getattr(self, f"body_{language}", ""))

    def languages(self) -> list[str]:
        return [language for language in TERMS_LANGUAGES if self.has_language(language)]

    def translations(self) -> dict[str, tuple[str, str]]:
        """The English and Dutch versions it has: {"en": (title, text), …}."""
        return {
            language: (getattr(self, f"title_{language}"), getattr(self, f"body_{language}"))
            for language in TERMS_LANGUAGES[1:]
            if self.has_language(language)
        }

    def text_in(self, language: str | None) -> TermsText:
        """The text in `language` (fr, en, nl; a regional variant such as en-gb counts as its
        language), or the French one, marked as a fallback, when it has none."""
        language = (language or "fr")[:2].lower()
        if language != "fr" and language in TERMS_LANGUAGES and self.has_language(language):
            title, body = self.translations()[language]
            return TermsText(self, language, title, body)
        return TermsText(self, "fr", self.title, self.body, is_fallback=language != "fr")


class Membership(StateMachine, TenantModel):
    """An organisation's membership of the club for one season: the state machine of the seed's
    "Rejoignez-nous" steps."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Demande reçue")
        AWAITING_PAYMENT = "awaiting_payment", _("En attente de règlement")
        ACTIVE = "active", _("Active")
        NOTICE_GIVEN = "notice_given", _("Résiliation notifiée")
        SUSPENDED = "suspended", _("Suspendue")
        REFUSED = "refused", _("Refusée")
        TERMINATED = "terminated", _("Résiliée")
        EXPIRED = "expired", _("Échue")

    class PaymentMethod(models.TextChoices):
        CHEQUE = "cheque", _("Chèque")
        TRANSFER = "transfer", _("Virement")

    season = models.ForeignKey(Season, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    establishment = models.ForeignKey(
        Establishment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    payment_method = models.CharField(_("mode de règlement"), max_length=10, choices=PaymentMethod.choices)
    amount_due = models.DecimalField(_("montant dû TTC"), default=Decimal("0.00"), **MONEY)
    bulletin_signed_on = models.DateField(_("bulletin signé le"), null=True, blank=True)
    accepted_on = models.DateField(_("demande validée le"), null=True, blank=True)
    paid_on = models.DateField(
        _("réglée le"),
        null=True,
        blank=True,
        help_text=_("Le jour où le règlement qui solde sa facture est arrivé (facturation)."),
    )
    activated_on = models.DateField(_("effective le"), null=True, blank=True)
    # The first day it covers, set when it is requested (issue 12, A10): the season's first day,
    # or the day of the request for a membership that starts late (or early, counted in the next
    # season). The invoice's service period (BT-73) starts there. Empty: the season's first day.
    starts_on = models.DateField(_("début de l'adhésion"), null=True, blank=True)
    notice_given_on = models.DateField(_("résiliation notifiée le"), null=True, blank=True)
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandeur"),
    )
    renewed_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="renewal"
    )
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    # action -> (statuses it may start from, status it leads to). Anything else is refused.
    TRANSITIONS = Transitions(
        {
            "accept": ({Status.REQUESTED}, Status.AWAITING_PAYMENT),
            "activate": ({Status.AWAITING_PAYMENT}, Status.ACTIVE),
            "refuse": ({Status.REQUESTED, Status.AWAITING_PAYMENT}, Status.REFUSED),
            "suspend": ({Status.ACTIVE, Status.NOTICE_GIVEN}, Status.SUSPENDED),
            "reinstate": ({Status.SUSPENDED}, Status.ACTIVE),
            "terminate": (
                {Status.AWAITING_PAYMENT, Status.ACTIVE, Status.SUSPENDED, Status.NOTICE_GIVEN},
                Status.TERMINATED,
            ),
            "give_notice": ({Status.ACTIVE}, Status.NOTICE_GIVEN),
            "end_notice": ({Status.NOTICE_GIVEN}, Status.TERMINATED),
            "expire": ({Status.ACTIVE, Status.SUSPENDED, Status.NOTICE_GIVEN}, Status.EXPIRED),
        },
        error=MembershipError,
    )
    LIVE_STATUSES = (Status.ACTIVE, Status.NOTICE_GIVEN)

    class Meta:
        verbose_name = _("adhésion")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["office", "season", "status"]),
            models.Index(fields=["office", "status"]),
            models.Index(fields=["office", "-created_at", "-id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "season"],
                condition=~models.Q(status__in=["refused", "terminated"]),
                name="membership_one_live_per_season",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.season}"

    @property
    def is_live(self) -> bool:
        """Active for the partner: they enjoy what the pack includes."""
        return self.status in self.LIVE_STATUSES

    @property
    def service_start(self) -> datetime.date:
        """The first day the membership covers (its invoice's service period starts there)."""
        return self.starts_on or self.season.starts_on


class MembershipLine(models.Model):
    """The pack or an option in a membership, with the price as it was when chosen."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="lines")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantité"), default=1)
    unit_price_ttc = models.DecimalField(_("prix unitaire TTC"), null=True, blank=True, **MONEY)
    # A pack taken late under the prorata rule: the days it covers out of the season's, its
    # `unit_price_ttc` being the catalogue price × days / season days, rounded half-up to the cent.
    prorata_days = models.PositiveSmallIntegerField(_("jours facturés (prorata)"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="line_quantity_pos"),
            models.UniqueConstraint(fields=["membership", "offer"], name="line_offer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.offer} × {self.quantity}"

    @property
    def total_ttc(self) -> Decimal | None:
        if self.unit_price_ttc is None:
            return None
        return to_money(self.unit_price_ttc * self.quantity)


class MembershipTransition(models.Model):
    """Every change of a membership's status: who, when, why."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True, default="")
    to_status = models.CharField(max_length=20)
    reason = models.TextField(blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class TermsAcceptance(TenantModel):
    """What a partner accepted, verbatim, with the evidence of the act.

    Evidence is kept, never cascaded away: its membership is PROTECTed, and a database trigger
    refuses to delete it or to rewrite what was accepted (memberships migration 0004)."""

    document = models.ForeignKey(TermsDocument, on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=10, choices=TermsDocument.Kind.choices)
    version = models.PositiveSmallIntegerField()
    # The language of the text the person read and accepted (`title`, `text`, `content_hash` are
    # that text's): the French one when their language had no version.
    language = models.CharField(max_length=2, choices=TERMS_LANGUAGE_CHOICES, default="fr")
    title = models.CharField(max_length=200)
    text = models.TextField()
    content_hash = models.CharField(max_length=64)
    accepted_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["accepted_at", "id"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Entitlement(TenantModel):
    """What an active membership lets the partner claim, with its validity and its uses."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="entitlements")
    source = models.ForeignKey(
        OfferEntitlement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=EntitlementKind.choices)
    label = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(null=True, blank=True)
    used = models.PositiveIntegerField(default=0)
    duration_days = models.PositiveIntegerField(null=True, blank=True)
    valid_from = models.DateField()
    valid_until = models.DateField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["office", "kind"])]
        constraints = [
            # One row per catalogue rule (issue 12, A9): the same kind from two offers is two rows.
            models.UniqueConstraint(fields=["membership", "source"], name="entitlement_source_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity__isnull=True) | models.Q(used__lte=models.F("quantity")),
                name="entitlement_not_overused",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def remaining(self) -> int | None:
        return None if self.quantity is None else self.quantity - self.used

    def label_in(self, lang: str) -> Text:
        """Its name in `lang` (nl → en → fr): the catalogue rule's translations while the rule
        still bears the French name it was granted with (select `source` with the rows); else
        the French name as granted."""
        source = self.source if self.source_id else None
        if source is not None and source.label == self.label:
            return text_in(source, "label", lang)
        return Text(self.label, SOURCE_LANGUAGE)

    @property
    def label_text(self) -> Text:
        """`label_in` the active language (templates: `<td{{ e.label_text|lang_attr:LANG }}>`)."""
        return self.label_in(get_language() or SOURCE_LANGUAGE)


class EntitlementConsumption(models.Model):
    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="uses")
    quantity = models.PositiveIntegerField(default=1)
    note = models.CharField(max_length=250, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.entitlement} −{self.quantity}"
