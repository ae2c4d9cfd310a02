"""What the DATAtourisme export reads (the published listings and events, with what an object
carries), the import runs, the imported objects, and the office's table of classes."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ensemble.core.models import Office
from ensemble.directory.models import Category
from ensemble.events.models import Event
from ensemble.listings.models import Listing, Photo
from ensemble.publishing.documents import SnapshotListing
from ensemble.publishing.selectors import published_events, published_snapshot_listing, snapshot_listings

from . import ontology
from .importer import NO_STREET, TOWN_MISMATCH, town_mismatch
from .models import ClassMapping, ImportedObject, ImportRun


def with_export_data(queryset: QuerySet[Listing]) -> QuerySet[Listing]:
    return queryset.select_related("establishment__category").prefetch_related(
        "opening_periods",
        "prices",
        Prefetch(
            "photos", queryset=Photo.objects.filter(status=Photo.Status.PUBLISHED).order_by("position", "pk")
        ),
    )


def exportable_listing(office: Office, listing_id: int) -> SnapshotListing:
    """A published listing of the office, ready to export, read from its snapshot (which holds
    every language); 404 otherwise."""
    return published_snapshot_listing(office, listing_id)


def exportable_listings(office: Office, listings) -> list[SnapshotListing]:
    """A page of listings (rows with their ids), ready to export, from their snapshots."""
    return snapshot_listings(office, listings)


def import_runs(office: Office) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(office=office).select_related("started_by").order_by("-created_at", "-pk")


def import_run(office: Office, run_id: int) -> ImportRun:
    return get_object_or_404(import_runs(office), pk=run_id)


def exportable_events(office: Office) -> QuerySet[Event]:
    """The agenda's published events not over yet, in id order (the export's pages)."""
    return (
        published_events(office)
        .filter(ends_at__gte=timezone.now())
        .select_related("establishment")
        .order_by("pk")
    )


def exportable_event(office: Office, event_id: int) -> Event:
    """A published event of the office; 404 otherwise."""
    return get_object_or_404(published_events(office), pk=event_id)


def class_mappings(office: Office) -> QuerySet[ClassMapping]:
    return (
        ClassMapping.objects.filter(office=office).select_related("category").order_by("datatourisme_class")
    )


def class_table(office: Office) -> list[dict]:
    """Every place class of the shipped hierarchy (and those the office added), with its
    default category, the office's own, and the category an object of it goes to."""
    own = {row.datatourisme_class: row.category for row in class_mappings(office)}
    categories = {category.slug: category for category in Category.objects.filter(office=office)}
    slugs = {name: category.slug for name, category in own.items()}
    table = []
    for name in sorted(set(ontology.place_classes()) | set(own)):
        default = ontology.resolve([name]).category
        effective = ontology.resolve([name], slugs).category
        table.append(
            {
                "class": name,
                "depth": max(ontology.depth(name) - 2, 0),
                "default": categories.get(default),
                "own": own.get(name),
                "effective": categories.get(effective),
            }
        )
    return table


def imported_objects(office: Office) -> QuerySet[ImportedObject]:
    return ImportedObject.objects.filter(office=office).select_related(
        "listing__establishment", "event", "last_run"
    )


@dataclass(frozen=True)
class ImportFlag:
    """What a place's last DATAtourisme import could not take, as the back office marks it:
    "incomplete" (something is missing) or "partial" (something was left out or contradicts)."""

    status: str
    reasons: list[str]

    @property
    def is_incomplete(self) -> bool:
        return self.status == "incomplete"


def import_flags(office: Office, listing_ids: Iterable[int]) -> dict[int, ImportFlag]:
    """listing id → its import flag, for the imported places among `listing_ids` that the last
    import flagged and that are still so (one query). A reason staff have settled since is
    dropped: a street added, a postcode and town set right."""
    records = ImportedObject.objects.filter(
        office=office, kind=ImportedObject.Kind.PLACE, listing_id__in=list(listing_ids)
    ).select_related("listing__establishment")
    flags = {}
    for record in records:
        establishment = record.listing.establishment
        incomplete = [
            reason
            for reason in record.incomplete
            if not (reason.startswith(NO_STREET) and establishment.address)
        ]
        settled = not town_mismatch(establishment.postcode, establishment.city)
        warnings = [
            reason for reason in record.warnings if not (reason.startswith(TOWN_MISMATCH) and settled)
        ]
        if incomplete or warnings:
            status = "incomplete" if incomplete else "partial"
            flags[record.listing_id] = ImportFlag(status=status, reasons=incomplete + warnings)
    return flags
