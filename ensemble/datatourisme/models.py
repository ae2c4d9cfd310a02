"""Imports of DATAtourisme objects: each run's report, and the owners already created."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import TenantModel
from ensemble.directory.models import Category, Organisation


class ImportRun(TenantModel):
    """One import (an upload or the `import_datatourisme` command) and what it did: counts, and
    each file skipped (or imported with a field left out) with the reason."""

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Envoi de fichiers")
        COMMAND = "command", _("Commande")

    source = models.CharField(max_length=10, choices=Source.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    files = models.PositiveIntegerField(_("fichiers"), default=0)
    created = models.PositiveIntegerField(_("créées"), default=0)
    updated = models.PositiveIntegerField(_("mises à jour"), default=0)
    unchanged = models.PositiveIntegerField(_("inchangées"), default=0)
    skipped = models.PositiveIntegerField(_("ignorés"), default=0)
    # [{"file": …, "reason": …}]: the skipped files, and the fields left out of imported ones.
    skips = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # Object by object: [{"file", "id", "name", "kind" (place/event), "outcome"
    # (created/updated/unchanged/skipped), "status" (complete/partial/incomplete/skipped),
    # "reasons": […]}] — what was imported, what was partial and why.
    report = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import DATAtourisme")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "-created_at"])]

    def __str__(self) -> str:
        return f"Import DATAtourisme du {self.created_at:%d/%m/%Y %H:%M}"


class ImportedOwner(TenantModel):
    """The organisation created for an owner of imported places (DATAtourisme's `isOwnedBy`),
    found again by its key (the owner's @id, else its name) so that its places share it."""

    key = models.CharField(max_length=300)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "key"], name="imported_owner_per_office")]

    def __str__(self) -> str:
        return self.key


class ClassMapping(TenantModel):
    """The office's own rule: objects of this DATAtourisme class (or of its subclasses without a
    rule of their own) go to this category. Overrides the shipped defaults (ontology.py)."""

    datatourisme_class = models.CharField(_("classe DATAtourisme"), max_length=100)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", verbose_name=_("catégorie")
    )

    class Meta:
        verbose_name = _("correspondance de classe DATAtourisme")
        ordering = ["datatourisme_class"]
        constraints = [
            models.UniqueConstraint(fields=["office", "datatourisme_class"], name="class_mapping_per_office")
        ]

    def __str__(self) -> str:
        return f"{self.datatourisme_class} → {self.category}"


class ImportedObject(TenantModel):
    """A DATAtourisme object imported in the office: the listing or the event it became, its
    classes, and what the last import could not take (then the place is marked incomplete or
    partial until a later import, or staff, complete it)."""

    class Kind(models.TextChoices):
        PLACE = "place", _("Lieu")
        EVENT = "event", _("Événement")

    external_id = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    listing = models.OneToOneField(
        "listings.Listing", on_delete=models.CASCADE, null=True, blank=True, related_name="datatourisme"
    )
    event = models.OneToOneField(
        "events.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="datatourisme"
    )
    classes = models.JSONField(default=list, blank=True)
    incomplete = models.JSONField(_("manques"), default=list, blank=True)
    warnings = models.JSONField(_("informations laissées de côté"), default=list, blank=True)
    last_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("objet DATAtourisme importé")
        constraints = [
            models.UniqueConstraint(fields=["office", "external_id"], name="imported_object_per_office")
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def is_incomplete(self) -> bool:
        return bool(self.incomplete)


class ImportedEventDate(TenantModel):
    """One date range of an imported event (DATAtourisme's `takesPlaceAt`) and the agenda event
    it became. The agenda holds one date range per event, so an object with three dates to come
    is three agenda events; a re-import finds each again by the object and the range's start
    and end (else its first day), updates it, and cancels the event of a range the source no
    longer lists. `starts_at` / `ends_at` are the source's, as last imported."""

    imported = models.ForeignKey(ImportedObject, on_delete=models.CASCADE, related_name="dates")
    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="datatourisme_date")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        verbose_name = _("date d'un événement DATAtourisme importé")
        ordering = ["starts_at", "ends_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["imported", "starts_at", "ends_at"], name="imported_event_date_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.imported} @ {self.starts_at:%Y-%m-%d %H:%M}"
