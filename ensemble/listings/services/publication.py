"""Freshness and withdrawal (CGV art. 2): the partner confirms; the office withdraws and
republishes, telling the partner why."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.directory import services as directory_services

from ..fields import (
    ListingError,
    plain_text,
)
from ..models import Listing
from .proposals import _fresh, _record


@transaction.atomic
def confirm_listing(listing: Listing, *, actor: User, audit_data: dict[str, Any] | None = None) -> Listing:
    """The partner confirms the listing is up to date as published (or as proposed).
    `audit_data`: what a calling service adds to the one entry (e.g. the campaign targets the
    confirmation closes), so that the confirmation stays a single entry."""
    now = timezone.now()
    Listing.objects.filter(pk=listing.pk).update(last_confirmed_at=now, last_confirmed_by=actor)
    listing.last_confirmed_at, listing.last_confirmed_by = now, actor
    _record("listing.confirmed", listing, actor=actor, **(audit_data or {}))
    return listing


@transaction.atomic
def unpublish_listing(
    listing: Listing,
    *,
    reason: str,
    actor: User,
    notify: bool = True,
    audit_data: dict[str, Any] | None = None,
) -> Listing:
    """Withdraw the listing from the office's media, the partner told why (unless `notify` is
    False). `audit_data`: what a calling service adds to the entry (e.g. its campaign)."""
    reason = plain_text(reason)
    if not reason:
        raise ListingError(_("Indiquez le motif du retrait : il est transmis au partenaire."), field="reason")
    listing = _fresh(listing)
    if listing.unpublished_at:
        raise ListingError(
            _("Cette fiche est déjà retirée des supports de l'office."), code="already_unpublished"
        )
    listing.unpublished_at, listing.unpublished_reason = timezone.now(), reason
    listing.save(update_fields=["unpublished_at", "unpublished_reason", "updated_at"])
    email = None
    if notify:
        email = directory_services.email_organisation(
            listing.establishment.organisation,
            template="listing_unpublished",
            context={"listing": listing, "reason": reason},
            actor=actor,
        )
    _record(
        "listing.unpublished",
        listing,
        actor=actor,
        reason=reason,
        email=email.pk if email else None,
        **(audit_data or {}),
    )
    return listing


@transaction.atomic
def republish_listing(listing: Listing, *, actor: User) -> Listing:
    listing = _fresh(listing)
    if not listing.unpublished_at:
        raise ListingError(_("Cette fiche est déjà publiée."), code="already_published")
    listing.unpublished_at, listing.unpublished_reason = None, ""
    listing.save(update_fields=["unpublished_at", "unpublished_reason", "updated_at"])
    _record("listing.republished", listing, actor=actor)
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
    action = "listing.office_place_marked" if is_office_place else "listing.office_place_unmarked"
    _record(action, listing, actor=actor, is_office_place=is_office_place)
    return listing


@transaction.atomic
def set_external_source(listing: Listing, *, source: str, external_id: str) -> Listing:
    """Where an imported listing comes from (e.g. a DATAtourisme object's @id): the key a
    re-import finds it by. One listing per source and identifier in an office."""
    source, external_id = source.strip(), external_id.strip()
    if len(source) > 30 or len(external_id) > 300:
        raise ListingError(_("Identifiant externe trop long."), field="external_id")
    listing = _fresh(listing)
    if (listing.source, listing.external_id) == (source, external_id):
        return listing
    taken = Listing.objects.filter(office_id=listing.office_id, source=source, external_id=external_id)
    if external_id and taken.exclude(pk=listing.pk).exists():
        raise ListingError(_("Une autre fiche a déjà cet identifiant externe."), field="external_id")
    before = {"source": listing.source, "external_id": listing.external_id}
    listing.source, listing.external_id = source, external_id
    listing.save(update_fields=["source", "external_id", "updated_at"])
    # An import (no actor: the system) sets it.
    _record(
        "listing.external_source_set",
        listing,
        actor=None,
        source=source,
        external_id=external_id,
        changes=audit.changes(before, {"source": source, "external_id": external_id}),
    )
    return listing
