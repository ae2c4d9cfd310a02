"""What the DATAtourisme export reads: the published listings, with what an object carries."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from ensemble.core.models import Office
from ensemble.listings.models import Listing, Photo
from ensemble.publishing.selectors import published_listings

from .models import ImportRun


def with_export_data(queryset: QuerySet[Listing]) -> QuerySet[Listing]:
    return queryset.select_related("establishment__category").prefetch_related(
        "opening_periods",
        "prices",
        Prefetch(
            "photos", queryset=Photo.objects.filter(status=Photo.Status.PUBLISHED).order_by("position", "pk")
        ),
    )


def exportable_listing(office: Office, listing_id: int) -> Listing:
    """A published listing of the office, ready to export; 404 otherwise."""
    return get_object_or_404(with_export_data(published_listings(office)), pk=listing_id)


def import_runs(office: Office) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(office=office).select_related("started_by").order_by("-created_at", "-pk")


def import_run(office: Office, run_id: int) -> ImportRun:
    return get_object_or_404(import_runs(office), pk=run_id)
