"""Reads of listings, always scoped: to an office (back office, public) or to a person's
organisations in an office (espace pro)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from ensemble.accounts.models import User
from ensemble.core.models import Office
from ensemble.directory import selectors as directory_selectors
from ensemble.directory.models import Establishment

from .fields import FIELDS, snapshot
from .models import Amenity, Availability, ChangeProposal, Listing, ListingVersion, Photo

CONTENT_PREFETCH = ("opening_periods", "prices", "amenities", "photos")


def _with_content(queryset: QuerySet[Listing]) -> QuerySet[Listing]:
    return queryset.select_related("establishment__category", "establishment__organisation").prefetch_related(
        *CONTENT_PREFETCH,
        # The pending proposal and those whose rejected fields are still with the partner.
        Prefetch(
            "proposals",
            queryset=ChangeProposal.objects.filter(
                Q(status=ChangeProposal.Status.PENDING) | (Q(status__in=RETURNING) & ~Q(returned_fields=[]))
            ),
        ),
    )


def establishments_without_listing(user: User, office: Office) -> QuerySet[Establishment]:
    organisations = directory_selectors.organisations_of_user(user, office)
    return Establishment.objects.filter(organisation__in=organisations, listing__isnull=True)


def listings_of_user(user: User, office: Office) -> QuerySet[Listing]:
    """The listings of the establishments of the person's organisations in this office."""
    organisations = directory_selectors.organisations_of_user(user, office)
    return _with_content(
        Listing.objects.filter(office=office, establishment__organisation__in=organisations)
    ).order_by("establishment__name", "pk")


def listing_of_user(user: User, office: Office, listing_id: int) -> Listing:
    """One of the person's listings, or 404: another partner's id is not found, not forbidden."""
    return get_object_or_404(listings_of_user(user, office), pk=listing_id)


def listing_detail(office: Office, listing_id: int) -> Listing:
    return get_object_or_404(_with_content(Listing.objects.filter(office=office)), pk=listing_id)


def published_listing(office: Office, listing_id: int) -> Listing:
    """The approved content the public sees; an unpublished listing is not found."""
    return get_object_or_404(
        _with_content(Listing.objects.filter(office=office, unpublished_at__isnull=True)), pk=listing_id
    )


def published_photos(listing: Listing) -> list[Photo]:
    return sorted(
        (p for p in listing.photos.all() if p.status == Photo.Status.PUBLISHED),
        key=lambda p: (p.position, p.pk),
    )


def pending_proposal(listing: Listing) -> ChangeProposal | None:
    return next((p for p in listing.proposals.all() if p.status == ChangeProposal.Status.PENDING), None)


RETURNING = (ChangeProposal.Status.REJECTED, ChangeProposal.Status.PARTIAL)


@dataclass(frozen=True)
class ReturnedField:
    """A field staff rejected, still with the partner: her value and the reason."""

    key: str
    value: Any
    reason: str
    proposal: ChangeProposal


def returned_fields(listing: Listing) -> dict[str, ReturnedField]:
    """The rejected values the partner has not taken up yet, by field (the latest decision
    wins); read from the listing's prefetched proposals when it has them."""
    proposals = [p for p in listing.proposals.all() if p.status in RETURNING and p.returned_fields]
    result: dict[str, ReturnedField] = {}
    for proposal in sorted(proposals, key=lambda p: (p.decided_at, p.pk)):
        for key in proposal.returned_fields:
            if key in proposal.changes and key in FIELDS:
                result[key] = ReturnedField(key, proposal.changes[key], proposal.field_reason(key), proposal)
    return result


def amenities(office: Office, *, active_only: bool = True) -> QuerySet[Amenity]:
    queryset = Amenity.objects.filter(office=office)
    return queryset.filter(is_active=True) if active_only else queryset


def availability(listing: Listing, *, start: datetime.date, end: datetime.date) -> dict[datetime.date, str]:
    rows = Availability.objects.filter(listing=listing, date__gte=start, date__lte=end)
    return dict(rows.values_list("date", "status"))


def versions(listing: Listing) -> QuerySet[ListingVersion]:
    return listing.versions.select_related("created_by").order_by("-number")


def version_of(listing: Listing, number: int) -> ListingVersion:
    return get_object_or_404(listing.versions.all(), number=number)


# ---- moderation ----------------------------------------------------------------------------


def moderation_queue(office: Office) -> QuerySet[ChangeProposal]:
    return (
        ChangeProposal.objects.filter(office=office, status=ChangeProposal.Status.PENDING)
        .select_related(
            "listing__establishment__organisation", "listing__establishment__category", "submitted_by"
        )
        .order_by("submitted_at", "pk")
    )


def pending_count(office: Office) -> int:
    return ChangeProposal.objects.filter(office=office, status=ChangeProposal.Status.PENDING).count()


def proposal_detail(office: Office, proposal_id: int) -> ChangeProposal:
    return get_object_or_404(
        ChangeProposal.objects.filter(office=office).select_related(
            "listing__establishment__organisation", "submitted_by", "decided_by"
        ),
        pk=proposal_id,
    )


@dataclass(frozen=True)
class FieldChange:
    key: str
    label: str
    published: str
    proposed: str
    photos: list[Photo] | None = None


def proposal_diff(proposal: ChangeProposal) -> list[FieldChange]:
    """Field by field: the value the public sees now and the one proposed."""
    listing = _with_content(Listing.objects.filter(pk=proposal.listing_id)).get()
    current = snapshot(listing)
    rows = []
    for key in FIELDS:
        if key not in proposal.changes:
            continue
        field = FIELDS[key]
        photos = None
        if key == "photos":
            ids = [item["id"] for item in proposal.changes[key]]
            by_id = {p.pk: p for p in listing.photos.all()}
            photos = [by_id[pk] for pk in ids if pk in by_id]
        rows.append(
            FieldChange(
                key=key,
                label=str(field.label),
                published=field.show(current[key]),
                proposed=field.show(proposal.changes[key]),
                photos=photos,
            )
        )
    return rows


def field_values_for_display(data: dict[str, Any]) -> list[tuple[str, str]]:
    """A version's content as (label, text) rows."""
    return [(str(field.label), field.show(data[key])) for key, field in FIELDS.items() if key in data]


def listing_ids_by_establishment(office: Office, establishment_ids) -> dict[int, int]:
    """establishment id → its listing's id, in one query (for pages listing establishments)."""
    rows = Listing.objects.filter(office=office, establishment_id__in=list(establishment_ids))
    return dict(rows.values_list("establishment_id", "pk"))
