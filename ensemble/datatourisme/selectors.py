"""What the DATAtourisme export reads: the published listings, with what an object carries."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from ensemble.core.models import Office
from ensemble.listings.models import Listing, Photo
from ensemble.publishing.documents import SnapshotListing
from ensemble.publishing.selectors import published_snapshot_listing, snapshot_listings

from .models import ImportRun


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
