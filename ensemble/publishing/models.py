"""Publication snapshots: each published listing, rendered once per content language.

The listing page, the API, the widget, the directory cards, the DATAtourisme export and the
print guide read the document instead of joining the listing's dozen translated rows at each
request. It is rewritten by `publishing.services` in the same transaction as whatever changes
the published content (core.publication tells it).

What depends on the date stays outside: availability and upcoming events are read live, and
whether a partner's membership is live today is the row's `live_from`/`live_until` (the
contiguous seasons of its live memberships), compared with today by the readers; an office
place has neither (always shown). A listing that stops being published keeps its row as a
tombstone (`is_published` False, empty document, a new revision), which `since=` reports as
removed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import Office

LANGUAGES = ("fr", "en", "nl")


class PublicationSnapshot(models.Model):
    class Language(models.TextChoices):
        FR = "fr", "Français"
        EN = "en", "English"
        NL = "nl", "Nederlands"

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="publication_snapshots"
    )
    language = models.CharField(max_length=2, choices=Language.choices)
    is_published = models.BooleanField(default=True)
    # The span of the partner's live memberships (None: an office place, always shown).
    live_from = models.DateField(null=True, blank=True)
    live_until = models.DateField(null=True, blank=True)
    document = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("instantané de publication")
        constraints = [
            models.UniqueConstraint(fields=["listing", "language"], name="snapshot_per_listing_language")
        ]
        indexes = [
            # `since=`: an office's changes in one language, in order.
            models.Index(fields=["office", "language", "updated_at", "id"], name="snapshot_changes_since"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} [{self.language}] r{self.revision}"
