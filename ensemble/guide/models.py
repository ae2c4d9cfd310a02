"""An edition of the office's print guide ("guide touristique", "roadbook"): a PDF of the
published partners and office places, in one language, rendered in the background.

Staff ask for an edition (language, title, optionally some categories); a task renders it and
records its progress on the row, so the back-office page can show a progress bar. The PDF is
stored once rendered whole; a failed render keeps its error and no file.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import TenantModel
from ensemble.core.private_files import private_storage
from ensemble.directory.models import Category


class GuideEdition(TenantModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En préparation")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    class Language(models.TextChoices):
        FR = "fr", _("Français")
        EN = "en", _("Anglais")
        NL = "nl", _("Néerlandais")

    class Paper(models.TextChoices):
        A5 = "A5", _("A5 (livret)")
        A4 = "A4", _("A4")

    IN_PROGRESS = (Status.QUEUED, Status.RUNNING)

    language = models.CharField(_("langue"), max_length=2, choices=Language.choices, default=Language.FR)
    title = models.CharField(_("titre"), max_length=200)
    paper = models.CharField(_("format"), max_length=2, choices=Paper.choices, default=Paper.A5)
    # None chosen: every category.
    categories = models.ManyToManyField(Category, blank=True, related_name="+", verbose_name=_("catégories"))
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    total = models.PositiveIntegerField(_("fiches"), default=0)
    error = models.TextField(_("erreur"), blank=True, default="")
    pdf = models.FileField(_("PDF"), upload_to="guides/", blank=True, default="", storage=private_storage)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("édition du guide imprimé")
        verbose_name_plural = _("éditions du guide imprimé")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "-created_at"], name="guide_edition_recent")]
        constraints = [
            # One edition at a time per office: rendering a region's guide is heavy.
            models.UniqueConstraint(
                fields=["office"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_guide_in_progress_per_office",
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="guide_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.DONE and bool(self.pdf)
