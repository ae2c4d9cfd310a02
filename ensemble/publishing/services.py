"""Keeping the publication snapshots true (models.py says what they hold and why).

`refresh_listing_snapshot`, `refresh_organisation_snapshots` and `refresh_office_snapshots`
rewrite the snapshots of some listings from their rows, inside the caller's transaction: the
listings, memberships and directory services tell them through `core.publication` in the
transaction that changes the published content, so a rolled-back change leaves the snapshot as it
was. A snapshot whose document, visibility and live span are unchanged keeps its revision (so
`since=` reports only real changes), unless `touch` is set (a season that starts today makes a
listing appear without anything in it changing).

After a refresh that changed something, the office's cached pages are dropped
(`core.page_cache.invalidate_office`) once the transaction has committed.
"""

import datetime
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from ensemble.core import page_cache
from ensemble.core.models import Office
from ensemble.core.publication import ContentChange
from ensemble.core.transactions import require_transaction
from ensemble.listings.models import Listing, Photo
from ensemble.memberships.models import Membership

from .documents import build_document
from .models import LANGUAGES, PublicationSnapshot

CHUNK_SIZE = 500
Span = tuple[datetime.date, datetime.date]
FIELDS = ("is_published", "live_from", "live_until", "document", "revision", "updated_at")
# A membership's first day: its own (a late start, or an early one counted in the next season),
# else its season's (Membership.service_start).
START = Coalesce("starts_on", "season__starts_on")


def snapshot_source(queryset: QuerySet[Listing]) -> QuerySet[Listing]:
    """What a document is built from: the listing with its establishment, category and published
    content (not the search columns)."""
    return (
        queryset.select_related("establishment__category")
        .prefetch_related(
            "opening_periods",
            "prices",
            "amenities",
            Prefetch(
                "photos",
                queryset=Photo.objects.filter(status=Photo.Status.PUBLISHED).order_by("position", "pk"),
            ),
        )
        .defer("search_document", "search_vector")
    )


def live_spans(organisation_ids: Iterable[int], *, today: datetime.date) -> dict[int, Span]:
    """Per organisation, the span of its live memberships (active or under notice) that have not
    ended: from the first one's start (its own `starts_on`, else its season's: `selectors.started_by`)
    to the end of the seasons that follow it without a gap. A later season after a gap is picked up
    when it starts (the daily refresh)."""
    rows = (
        Membership.objects.filter(
            organisation_id__in=list(organisation_ids),
            status__in=Membership.LIVE_STATUSES,
            season__ends_on__gte=today,
        )
        .annotate(start=START)
        .order_by("organisation_id", "start")
        .values_list("organisation_id", "start", "season__ends_on")
    )
    spans: dict[int, Span] = {}
    for organisation_id, starts_on, ends_on in rows:
        span = spans.get(organisation_id)
        if span is None:
            spans[organisation_id] = (starts_on, ends_on)
        elif starts_on <= span[1] + datetime.timedelta(days=1):
            spans[organisation_id] = (span[0], max(span[1], ends_on))
    return spans


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    iterator = iter(ids)
    while chunk := list(islice(iterator, CHUNK_SIZE)):
        yield chunk


def _rows_for(listing: Listing, span: Span | None) -> dict[str, tuple]:
    """(is_published, live_from, live_until, document) per language."""
    published = listing.unpublished_at is None and (listing.is_office_place or span is not None)
    live_from, live_until = (None, None) if listing.is_office_place or not published else span
    return {
        lang: (published, live_from, live_until, build_document(listing, lang) if published else {})
        for lang in LANGUAGES
    }


def _refresh_chunk(ids: list[int], *, today: datetime.date, touch: bool) -> set[int]:
    """Rewrite the snapshots of these listings; the offices whose snapshots changed."""
    listings = list(snapshot_source(Listing.objects.filter(pk__in=ids)).order_by("pk"))
    spans = live_spans({listing.organisation_id for listing in listings}, today=today)
    existing = {
        (row.listing_id, row.language): row
        for row in PublicationSnapshot.objects.select_for_update().filter(listing_id__in=ids).order_by("pk")
    }
    now = timezone.now()
    created, updated, offices = [], [], set()
    for listing in listings:
        for lang, (published, live_from, live_until, document) in _rows_for(
            listing, spans.get(listing.organisation_id)
        ).items():
            row = existing.get((listing.pk, lang))
            if row is None:
                if published:  # never published: nothing to report, no tombstone
                    created.append(
                        PublicationSnapshot(
                            office_id=listing.office_id,
                            listing_id=listing.pk,
                            language=lang,
                            is_published=True,
                            live_from=live_from,
                            live_until=live_until,
                            document=document,
                            updated_at=now,
                        )
                    )
                    offices.add(listing.office_id)
                continue
            same = (row.is_published, row.live_from, row.live_until, row.document) == (
                published,
                live_from,
                live_until,
                document,
            )
            if same and not (touch and published):
                continue
            row.is_published, row.live_from, row.live_until, row.document = (
                published,
                live_from,
                live_until,
                document,
            )
            row.revision += 1
            row.updated_at = now
            updated.append(row)
            offices.add(listing.office_id)
    PublicationSnapshot.objects.bulk_create(created)
    PublicationSnapshot.objects.bulk_update(updated, FIELDS)
    return offices


def _refresh(ids: Iterable[int], *, touch: bool = False) -> int:
    """Refresh these listings' snapshots, chunk by chunk; the number of listings read."""
    require_transaction("Refreshing publication snapshots")
    ids = sorted(set(ids))
    today = timezone.localdate()
    offices: set[int] = set()
    for chunk in _chunks(ids):
        offices |= _refresh_chunk(chunk, today=today, touch=touch)
    for office_id in offices:
        transaction.on_commit(lambda office_id=office_id: page_cache.invalidate_office(office_id))
    return len(ids)


def refresh_listing_snapshot(listing_id: int) -> int:
    """The snapshots of one listing, from its rows (in the caller's transaction)."""
    return _refresh([listing_id])


def refresh_organisation_snapshots(organisation_id: int, *, touch: bool = False) -> int:
    """The snapshots of an organisation's listings (its membership or an establishment changed)."""
    ids = Listing.objects.filter(organisation_id=organisation_id).values_list("pk", flat=True)
    return _refresh(ids, touch=touch)


def refresh_office_snapshots(office: Office) -> int:
    """Every listing of the office (after a migration, a bulk import, an amenity renamed)."""
    return _refresh(Listing.objects.filter(office=office).values_list("pk", flat=True))


def apply_change(change: ContentChange) -> None:
    """The listener `core.publication` calls, inside the changing service's transaction."""
    if change.whole_office:
        _refresh(Listing.objects.filter(office_id=change.office_id).values_list("pk", flat=True))
        return
    ids = set(change.listing_ids)
    if change.organisation_ids:
        ids |= set(
            Listing.objects.filter(organisation_id__in=change.organisation_ids).values_list("pk", flat=True)
        )
    if ids:
        _refresh(ids)


def refresh_starting_seasons(*, today: datetime.date | None = None) -> int:
    """Daily: the listings of organisations whose live membership starts today (its season's first
    day, or its own `starts_on`) are touched, so `since=` reports them as they appear (readers
    compare the span with the date anyway), and a season after a gap gets its span. Safe to run
    twice (a second run touches them again, which only bumps their revision)."""
    today = today or timezone.localdate()
    organisations = (
        Membership.objects.alias(start=START)
        .filter(status__in=Membership.LIVE_STATUSES, start=today)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    ids = Listing.objects.filter(organisation_id__in=list(organisations)).values_list("pk", flat=True)
    with transaction.atomic():
        return _refresh(ids, touch=True)
