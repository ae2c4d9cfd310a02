"""A listing ("fiche"): the public content of an establishment, its versions and the partners'
proposals, photos and availability.

The rows of `Listing`, `OpeningPeriod`, `Price`, `Photo` (published) and the establishment's
name and contact details are always the last *approved* content: what the public side reads.
A partner's change waits in a `ChangeProposal` until staff approve it, except the fields the
office publishes at once (`ModerationSettings`). Every approved state is kept whole as a
`ListingVersion` so that any of them can be restored.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import TenantModel
from ensemble.directory.models import Establishment

MONEY = {"max_digits": 10, "decimal_places": 2}


class Amenity(TenantModel):
    """An amenity or label from the lists staff maintain (accessibility, pets, languages
    spoken, "Accueil Vélo", classification stars…). Name translated FR/EN/NL."""

    class Group(models.TextChoices):
        ACCESSIBILITY = "accessibility", _("Accessibilité")
        PETS = "pets", _("Animaux")
        LANGUAGES = "languages", _("Langues parlées")
        LABEL = "label", _("Labels")
        CLASSIFICATION = "classification", _("Classement")
        EQUIPMENT = "equipment", _("Équipements et services")

    group = models.CharField(_("liste"), max_length=20, choices=Group.choices)
    slug = models.SlugField(_("identifiant"), max_length=60)
    name = models.CharField(_("nom"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("proposé aux partenaires"), default=True)

    class Meta:
        verbose_name = _("équipement ou label")
        ordering = ["group", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["office", "slug"], name="amenity_slug_per_office")]

    def __str__(self) -> str:
        return self.name


class Listing(TenantModel):
    """The approved public content of one establishment."""

    establishment = models.OneToOneField(Establishment, on_delete=models.CASCADE, related_name="listing")
    # The establishment's organisation, copied when the listing is created (an establishment
    # never changes organisation): "published" reads the membership without joining the
    # establishments (publishing.selectors.published_listings).
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.CASCADE, related_name="listings", editable=False
    )
    # Translated FR/EN/NL by modeltranslation (translation.py): short_description_fr, _en, _nl…
    # No limit in the database: what a partner types is limited by the field registry
    # (fields.py: 200 and 800 characters), a place the office publishes (imported from
    # DATAtourisme, or written by staff) keeps its texts whole (docs/decisions.md).
    short_description = models.TextField(_("description courte"), blank=True, default="")
    long_description = models.TextField(_("description longue"), blank=True, default="")
    # The name in English and Dutch where it differs (the French one is the establishment's).
    name_en = models.CharField(_("nom (anglais)"), max_length=200, blank=True, default="")
    name_nl = models.CharField(_("nom (néerlandais)"), max_length=200, blank=True, default="")
    # Every phone, e-mail and website beyond the establishment's own (lists of strings, checked
    # by the field registry), and the texts in languages the office does not publish, kept for
    # the exports: {"de": {"name": …, "short_description": …, "long_description": …}}.
    extra_phones = models.JSONField(_("autres téléphones"), default=list, blank=True)
    extra_emails = models.JSONField(_("autres e-mails"), default=list, blank=True)
    extra_websites = models.JSONField(_("autres sites web"), default=list, blank=True)
    other_languages = models.JSONField(_("textes dans d'autres langues"), default=dict, blank=True)
    booking_url = models.URLField(_("lien de réservation"), blank=True, default="")
    rooms = models.PositiveIntegerField(_("chambres"), null=True, blank=True)
    beds = models.PositiveIntegerField(_("lits"), null=True, blank=True)
    covers = models.PositiveIntegerField(_("couverts"), null=True, blank=True)
    group_size = models.PositiveIntegerField(_("taille de groupe maximale"), null=True, blank=True)
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="listings")
    version_number = models.PositiveIntegerField(_("version publiée"), default=0)
    last_confirmed_at = models.DateTimeField(
        _("dernière confirmation par le partenaire"), null=True, blank=True
    )
    last_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unpublished_at = models.DateTimeField(_("retirée le"), null=True, blank=True)
    unpublished_reason = models.TextField(_("motif du retrait"), blank=True, default="")
    # A place the office publishes without it being a partner (a museum, a church): shown,
    # marked as such, whatever the memberships. Imported ones keep their source's id.
    is_office_place = models.BooleanField(_("lieu publié par l'office (non partenaire)"), default=False)
    source = models.CharField(_("source"), max_length=30, blank=True, default="")
    external_id = models.CharField(_("identifiant externe"), max_length=300, blank=True, default="")
    # Kept by the listings services on every approved change, for the public directory:
    # the name as sorted (lower case, no accents), one text to search (all languages), and
    # its PostgreSQL full-text vector (french_unaccent configuration; empty on SQLite). Its GIN
    # index and the configuration are created by migration 0002 on PostgreSQL only.
    sort_name = models.CharField(max_length=200, blank=True, default="")
    # The name and town, folded: what the forgiving search compares a typo with (trigrams on
    # PostgreSQL, GIN index of migration 0011; difflib on SQLite; listings.search.near).
    search_title = models.CharField(max_length=300, blank=True, default="")
    search_document = models.TextField(blank=True, default="")
    search_vector = SearchVectorField(null=True, blank=True)

    class Meta:
        verbose_name = _("fiche")
        indexes = [
            models.Index(fields=["office", "unpublished_at"]),
            models.Index(fields=["office", "last_confirmed_at"]),
            models.Index(fields=["office", "sort_name", "id"], name="listing_directory_order"),
            # SQLite's planner otherwise picks (office, unpublished_at) and sorts every row.
            models.Index(
                fields=["office", "unpublished_at", "sort_name", "id"], name="listing_published_order"
            ),
            models.Index(fields=["office", "updated_at", "id"], name="listing_changes_since"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "source", "external_id"],
                condition=~models.Q(external_id=""),
                name="listing_external_id_per_source",
            )
        ]

    def __str__(self) -> str:
        return str(self.establishment)

    @property
    def is_published(self) -> bool:
        return self.unpublished_at is None


class OpeningPeriod(models.Model):
    """A period of the year the place is open, its hours and its weekly closing days."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="opening_periods")
    starts_on = models.DateField(_("du"))
    ends_on = models.DateField(_("au"))
    opens_at = models.TimeField(_("ouverture"), null=True, blank=True)
    closes_at = models.TimeField(_("fermeture"), null=True, blank=True)
    # ISO weekdays (1 = Monday … 7 = Sunday) on which the place is closed within the period.
    closed_weekdays = models.JSONField(_("jours de fermeture"), default=list, blank=True)
    # The same days as bits (1 << ISO weekday), so "open on a date" is one filter on any database.
    closed_mask = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(_("précision"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} → {self.ends_on}"


class Price(models.Model):
    """A price for a season (a calendar year). A past season's price is shown as outdated."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="prices")
    label = models.CharField(_("intitulé"), max_length=120)
    amount = models.DecimalField(_("prix TTC"), **MONEY)
    amount_max = models.DecimalField(_("jusqu'à"), null=True, blank=True, **MONEY)
    season_year = models.PositiveSmallIntegerField(_("saison"))
    # The period the price applies to, when the source says (DATAtourisme's validFrom /
    # validThrough); without it, the season's calendar year.
    valid_from = models.DateField(_("valable du"), null=True, blank=True)
    valid_through = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-season_year", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.amount} € ({self.season_year})"

    def is_outdated(self, today) -> bool:
        return price_is_outdated(self, today)


def price_is_outdated(price, today) -> bool:
    """A price of a period (or season) already over: never shown as current. `price` is a
    Price or a snapshot's price (the same attributes)."""
    valid_through = getattr(price, "valid_through", None)
    if valid_through is not None:
        return valid_through < today
    return price.season_year < today.year


class Photo(models.Model):
    """A photo of a listing, re-encoded on upload (resized, metadata stripped), with the credit
    and the partner's declaration that they hold the rights (CGV art. 4.1)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("En attente de validation")
        PUBLISHED = "published", _("Publiée")
        WITHDRAWN = "withdrawn", _("Retirée")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="listings/photos/%Y/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    credit = models.CharField(_("crédit photo"), max_length=150)
    # Translated FR/EN/NL by modeltranslation (translation.py).
    alt_text = models.CharField(_("texte alternatif"), max_length=250, blank=True, default="")
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    rights_declared_at = models.DateTimeField(_("droits déclarés le"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["listing", "status", "position"])]

    def __str__(self) -> str:
        return f"{self.listing} — {self.credit}"


class Availability(TenantModel):
    """An accommodation's availability on one night; published at once (see decisions)."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Disponible")
        FEW_LEFT = "few_left", _("Dernières places")
        FULL = "full", _("Complet")
        CLOSED = "closed", _("Fermé")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="availability")
    date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        indexes = [models.Index(fields=["office", "date", "status"])]
        constraints = [models.UniqueConstraint(fields=["listing", "date"], name="availability_one_per_day")]

    def __str__(self) -> str:
        return f"{self.listing} {self.date}: {self.status}"


class ListingVersion(models.Model):
    """One approved state of a listing, whole (see fields.py for its keys)."""

    class Origin(models.TextChoices):
        INITIAL = "initial", _("Création")
        APPROVED = "approved", _("Proposition validée")
        IMMEDIATE = "immediate", _("Publication immédiate")
        STAFF = "staff", _("Modification par l'office")
        RESTORED = "restored", _("Restauration")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    changed_fields = models.JSONField(default=list)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    proposal = models.ForeignKey(
        "ChangeProposal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["listing", "number"], name="listing_version_unique")]

    def __str__(self) -> str:
        return f"{self.listing} v{self.number}"


class ChangeProposal(TenantModel):
    """A partner's changes waiting for staff: `changes` holds the proposed value of each field,
    `base` the published value when it was proposed (to show what the partner saw).

    Staff decide field by field: `decisions` holds, per field, {"approved": bool, "reason": str}.
    The approved fields go live (a version); the rejected ones stay with the partner
    (`returned_fields`, the keys she has not taken up yet): her forms show them with the reason
    beside each, until she changes them (a new proposal), brings them back to the published
    value, or discards them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("À modérer")
        APPROVED = "approved", _("Validée")
        PARTIAL = "partial", _("Validée en partie")
        REJECTED = "rejected", _("Refusée")
        WITHDRAWN = "withdrawn", _("Retirée par le partenaire")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="proposals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    changes = models.JSONField(default=dict)
    base = models.JSONField(default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("motif"), blank=True, default="")
    decisions = models.JSONField(_("décision par champ"), default=dict, blank=True)
    returned_fields = models.JSONField(_("champs refusés rendus au partenaire"), default=list, blank=True)

    class Meta:
        verbose_name = _("proposition de modification")
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["office", "status", "submitted_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"],
                condition=models.Q(status="pending"),
                name="one_pending_proposal_per_listing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.listing} — {self.get_status_display()}"

    def field_reason(self, key: str) -> str:
        """Why staff rejected this field ("" when approved or not decided)."""
        decision = self.decisions.get(key) or {}
        return "" if decision.get("approved", True) else decision.get("reason", "")


class ModerationSettings(TenantModel):
    """Per office: the listing fields whose changes publish at once; all others wait for staff."""

    immediate_fields = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office"], name="moderation_settings_per_office")]

    def __str__(self) -> str:
        return f"Modération — {self.office}"
