"""Imports of DATAtourisme objects: each run's report, and the owners already created."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import TenantModel
from ensemble.directory.models import Organisation


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
