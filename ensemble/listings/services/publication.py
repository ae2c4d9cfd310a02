"""Freshness and withdrawal (CGV art. 2): the partner confirms; the office withdraws and
republishes, telling the partner why."""

from django.db import transaction
from django.utils import timezone

from ensemble.accounts.models import User
from ensemble.directory import services as directory_services

from ..fields import (
    ListingError,
    plain_text,
)
from ..models import Listing
from .proposals import _fresh, _timeline


@transaction.atomic
def confirm_listing(listing: Listing, *, actor: User) -> Listing:
    """The partner confirms the listing is up to date as published (or as proposed)."""
    now = timezone.now()
    Listing.objects.filter(pk=listing.pk).update(last_confirmed_at=now, last_confirmed_by=actor)
    listing.last_confirmed_at, listing.last_confirmed_by = now, actor
    _timeline(
        listing, f"Fiche « {listing.establishment.name} » confirmée à jour par le partenaire", actor=actor
    )
    return listing


@transaction.atomic
def unpublish_listing(listing: Listing, *, reason: str, actor: User, notify: bool = True) -> Listing:
    reason = plain_text(reason)
    if not reason:
        raise ListingError("Indiquez le motif du retrait : il est transmis au partenaire.", field="reason")
    listing = _fresh(listing)
    if listing.unpublished_at:
        raise ListingError(
            "Cette fiche est déjà retirée des supports de l'office.", code="already_unpublished"
        )
    listing.unpublished_at, listing.unpublished_reason = timezone.now(), reason
    listing.save(update_fields=["unpublished_at", "unpublished_reason", "updated_at"])
    _timeline(
        listing, f"Fiche « {listing.establishment.name} » retirée des supports", actor=actor, body=reason
    )
    if notify:
        directory_services.email_organisation(
            listing.establishment.organisation,
            template="listing_unpublished",
            context={"listing": listing, "reason": reason},
            actor=actor,
        )
    return listing


@transaction.atomic
def republish_listing(listing: Listing, *, actor: User) -> Listing:
    listing = _fresh(listing)
    if not listing.unpublished_at:
        raise ListingError("Cette fiche est déjà publiée.", code="already_published")
    listing.unpublished_at, listing.unpublished_reason = None, ""
    listing.save(update_fields=["unpublished_at", "unpublished_reason", "updated_at"])
    _timeline(listing, f"Fiche « {listing.establishment.name} » publiée à nouveau", actor=actor)
    return listing


@transaction.atomic
def mark_office_place(listing: Listing, *, is_office_place: bool, actor: User) -> Listing:
    """A place the office publishes itself (a museum, a church): shown whatever the
    memberships, marked as not a partner. Or back to the partner rule."""
    listing = _fresh(listing)
    if listing.is_office_place == is_office_place:
        return listing
    listing.is_office_place = is_office_place
    listing.save(update_fields=["is_office_place", "updated_at"])
    summary = (
        f"« {listing.establishment.name} » publiée comme lieu de l'office (non partenaire)"
        if is_office_place
        else f"« {listing.establishment.name} » publiée selon l'adhésion (partenaire)"
    )
    _timeline(listing, summary, actor=actor)
    return listing


@transaction.atomic
def set_external_source(listing: Listing, *, source: str, external_id: str) -> Listing:
    """Where an imported listing comes from (e.g. a DATAtourisme object's @id): the key a
    re-import finds it by. One listing per source and identifier in an office."""
    source, external_id = source.strip(), external_id.strip()
    if len(source) > 30 or len(external_id) > 300:
        raise ListingError("Identifiant externe trop long.", field="external_id")
    listing = _fresh(listing)
    if (listing.source, listing.external_id) == (source, external_id):
        return listing
    taken = Listing.objects.filter(office_id=listing.office_id, source=source, external_id=external_id)
    if external_id and taken.exclude(pk=listing.pk).exists():
        raise ListingError("Une autre fiche a déjà cet identifiant externe.", field="external_id")
    listing.source, listing.external_id = source, external_id
    listing.save(update_fields=["source", "external_id", "updated_at"])
    return listing
