"""The office's directory (CRM): organisations, their establishments, contacts and timeline."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import TenantModel

from .postcodes import COUNTRIES
from .validators import clean_phone, clean_siren, clean_siret, clean_vat_number, display_phone

LANGUAGES = [("fr", "Français"), ("en", "English"), ("nl", "Nederlands")]


class Category(TenantModel):
    """A rubric of the directory. The five of the partner guide exist in every office;
    staff add their own."""

    slug = models.SlugField(_("identifiant"), max_length=60)
    name = models.CharField(_("nom"), max_length=100)
    name_en = models.CharField(_("nom (anglais)"), max_length=100, blank=True, default="")
    name_nl = models.CharField(_("nom (néerlandais)"), max_length=100, blank=True, default="")
    position = models.PositiveSmallIntegerField(default=0)
    has_availability = models.BooleanField(
        _("disponibilités publiées"),
        default=False,
        help_text=_("Les établissements de cette catégorie publient leurs disponibilités jour par jour."),
    )

    class Meta:
        verbose_name = _("catégorie")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["office", "slug"], name="category_slug_per_office")]

    def __str__(self) -> str:
        return self.name


class Organisation(TenantModel):
    """The legal entity that joins the club and is invoiced."""

    name = models.CharField(_("raison sociale"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, default="", db_index=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, default="")
    vat_number = models.CharField(_("n° de TVA"), max_length=20, blank=True, default="")
    address = models.CharField(_("adresse de facturation"), max_length=200)
    postcode = models.CharField(_("code postal"), max_length=10)
    city = models.CharField(_("ville"), max_length=100)
    country = models.CharField(_("pays"), max_length=2, choices=COUNTRIES, default="FR")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    phone = models.CharField(_("téléphone"), max_length=20, blank=True, default="")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="OrganisationMember", related_name="organisations"
    )

    class Meta:
        verbose_name = _("organisation")
        ordering = ["name"]
        indexes = [models.Index(fields=["office", "name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "siret"],
                condition=~models.Q(siret=""),
                name="organisation_siret_per_office",
                violation_error_message="Une organisation de l'office a déjà ce SIRET.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        checks = (
            ("siret", clean_siret),
            ("siren", clean_siren),
            ("vat_number", clean_vat_number),
            ("phone", clean_phone),
        )
        for field, check in checks:
            value = getattr(self, field)
            if value:
                try:
                    setattr(self, field, check(value))
                except ValidationError as exc:
                    errors[field] = exc
        if errors:
            raise ValidationError(errors)
        if self.siret and self.siren and not self.siret.startswith(self.siren):
            raise ValidationError(
                {"siret": "Le SIRET ne correspond pas au SIREN : ses 9 premiers chiffres sont le SIREN."}
            )
        if self.siret and not self.siren:
            self.siren = self.siret[:9]


class Establishment(TenantModel):
    """The "enseigne" the public sees. One organisation may own several."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="establishments")
    name = models.CharField(_("enseigne"), max_length=200)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    # Blank only for a place imported without its street (DATAtourisme), marked incomplete;
    # every form and the listing registry still require it.
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10)
    city = models.CharField(_("ville"), max_length=100)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    website = models.URLField(_("site web"), blank=True, default="")

    class Meta:
        verbose_name = _("établissement")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["office", "category"]),
            models.Index(fields=["office", "city"]),
            # The directory's town filter compares without case (`city__iexact`, UPPER on
            # PostgreSQL): this index, and the statistics ANALYZE keeps on it, serve it.
            models.Index(F("office"), Upper("city"), name="establishment_town"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone)

    def clean(self) -> None:
        if self.phone:
            try:
                self.phone = clean_phone(self.phone)
            except ValidationError as exc:
                raise ValidationError({"phone": exc}) from None
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise ValidationError({"latitude": "La latitude doit être comprise entre -90 et 90."})
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise ValidationError({"longitude": "La longitude doit être comprise entre -180 et 180."})


class Contact(TenantModel):
    """A person at an organisation, with a role and the language we write to them in."""

    class Role(models.TextChoices):
        MANAGER = "gerant", _("Gérant·e / responsable")
        BILLING = "facturation", _("Facturation")
        MARKETING = "communication", _("Communication")
        STAFF = "equipe", _("Équipe")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True, default="")
    phone = models.CharField(_("téléphone"), max_length=20, blank=True, default="")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.MANAGER)
    language = models.CharField(_("langue"), max_length=2, choices=LANGUAGES, default="fr")
    is_primary = models.BooleanField(_("contact principal"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
    )

    class Meta:
        verbose_name = _("contact")
        ordering = ["-is_primary", "last_name"]
        indexes = [models.Index(fields=["office", "email"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class OrganisationMember(models.Model):
    """Who may act for an organisation in the espace pro."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Titulaire")
        MEMBER = "member", _("Collaborateur")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.OWNER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="organisation_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"


class NoteKind(models.TextChoices):
    """The notes staff write on an organisation's timeline (an audit entry each)."""

    NOTE = "note", _("Note")
    CALL = "call", _("Appel téléphonique")
    VISIT = "visit", _("Visite annuelle")


# The kinds of the timeline written before the audit log, for its imported entries' badges.
HISTORY_KIND_LABELS = {
    "note": _("Note"),
    "call": _("Appel téléphonique"),
    "visit": _("Visite annuelle"),
    "email": _("E-mail envoyé"),
    "status": _("Changement de statut"),
    "payment": _("Paiement"),
    "join": _("Demande d'adhésion"),
    "update": _("Mise à jour"),
    "listing": _("Fiche et modération"),
    "request": _("Demande du partenaire"),
    "access": _("Accès à l'espace pro"),
}
