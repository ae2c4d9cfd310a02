"""Partners propose, staff moderate, every approved state is a version.

A partner's change is split by the office's moderation settings: the fields published at once
are applied now; the others join the listing's one pending proposal, which staff approve or
reject (with a reason, e-mailed). Approving, restoring or a staff edit writes a new version.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ensemble.accounts.models import User
from ensemble.core.audit import acting_user
from ensemble.core.models import Office
from ensemble.directory import services as directory_services
from ensemble.directory.models import Establishment, TimelineEntry

from ..fields import (
    DEFAULT_IMMEDIATE,
    ESTABLISHMENT_KEYS,
    FIELDS,
    ListingError,
    plain_text,
    snapshot,
)
from ..models import ChangeProposal, Listing, ListingVersion, ModerationSettings, Photo
from ..search import refresh_search


@dataclass
class ProposalResult:
    published: list[str] = field(default_factory=list)
    pending: ChangeProposal | None = None


def _fresh(listing: Listing) -> Listing:
    """The listing locked for update, with what snapshot() reads."""
    return (
        Listing.objects.select_for_update(of=("self",))
        .select_related("establishment__organisation", "office")
        .prefetch_related("opening_periods", "prices", "amenities", "photos")
        .get(pk=listing.pk)
    )


# ---- setup ---------------------------------------------------------------------------------


@transaction.atomic
def ensure_listing(establishment: Establishment) -> Listing:
    """The establishment's listing, created with its first version if it has none."""
    listing, created = Listing.objects.get_or_create(
        establishment=establishment,
        defaults={"office_id": establishment.office_id, "organisation_id": establishment.organisation_id},
    )
    if created:
        _new_version(_fresh(listing), origin=ListingVersion.Origin.INITIAL, changed=[], actor=None)
        listing = Listing.objects.get(pk=listing.pk)
    return listing


def moderation_settings(office: Office) -> ModerationSettings:
    settings, _ = ModerationSettings.objects.get_or_create(
        office=office, defaults={"immediate_fields": DEFAULT_IMMEDIATE}
    )
    return settings


@transaction.atomic
def update_moderation_settings(
    office: Office, *, immediate_fields: list[str], actor: User
) -> ModerationSettings:
    unknown = set(immediate_fields) - set(FIELDS)
    if unknown:
        raise ListingError(f"Champ inconnu : {', '.join(sorted(unknown))}.", field="immediate_fields")
    settings = moderation_settings(office)
    settings.immediate_fields = sorted(set(immediate_fields))
    settings.save(update_fields=["immediate_fields", "updated_at"])
    return settings


# ---- applying content ----------------------------------------------------------------------


def clean_changes(listing: Listing, changes: dict[str, Any]) -> dict[str, Any]:
    """Each proposed value checked and normalised; the first bad one raises ListingError."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ListingError(f"Champ inconnu : {', '.join(sorted(unknown))}.")
    return {key: FIELDS[key].clean(value, listing) for key, value in changes.items()}


def _apply(listing: Listing, values: dict[str, Any]) -> None:
    for key, value in values.items():
        FIELDS[key].write(listing, value)
    if ESTABLISHMENT_KEYS & set(values):
        listing.establishment.save()
    listing.save()


def _new_version(
    listing: Listing, *, origin: str, changed: list[str], actor: User | None, **extra
) -> ListingVersion:
    number = (listing.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    published = _reloaded(listing)
    version = ListingVersion.objects.create(
        listing=listing,
        number=number,
        data=snapshot(published),
        changed_fields=changed,
        origin=origin,
        created_by=acting_user(actor),
        **extra,
    )
    Listing.objects.filter(pk=listing.pk).update(version_number=number)
    listing.version_number = number
    refresh_search(published)
    return version


def _reloaded(listing: Listing) -> Listing:
    return (
        Listing.objects.select_related("establishment__category")
        .prefetch_related("opening_periods", "prices", "amenities", "photos")
        .get(pk=listing.pk)
    )


def _timeline(listing: Listing, summary: str, *, actor: User | None, body: str = "") -> None:
    directory_services.record_timeline(
        listing.establishment.organisation,
        kind=TimelineEntry.Kind.LISTING,
        summary=summary,
        body=body,
        actor=actor,
    )


# ---- partners propose ----------------------------------------------------------------------


@transaction.atomic
def propose_changes(listing: Listing, *, changes: dict[str, Any], actor: User) -> ProposalResult:
    """A partner's edit: publish at once what the office allows, queue the rest for moderation.
    Values equal to the published ones are ignored; nothing is written if one value is bad."""
    listing = _fresh(listing)
    cleaned = clean_changes(listing, changes)
    current = snapshot(listing)
    changed = {key: value for key, value in cleaned.items() if value != current[key]}
    immediate = set(moderation_settings(listing.office).immediate_fields)
    result = ProposalResult()
    now_values = {k: v for k, v in changed.items() if k in immediate}
    if now_values:
        _apply(listing, now_values)
        _new_version(listing, origin=ListingVersion.Origin.IMMEDIATE, changed=sorted(now_values), actor=actor)
        result.published = sorted(now_values)
    if "photos" in cleaned:
        _withdraw_dropped_uploads(listing, cleaned["photos"])
    waiting = {k: v for k, v in changed.items() if k not in immediate}
    pending = listing.proposals.select_for_update().filter(status=ChangeProposal.Status.PENDING).first()
    if waiting or pending:
        reverted = {k for k, v in cleaned.items() if v == current[k]}
        result.pending = _merge_into_pending(listing, pending, waiting, reverted, current, actor)
    if now_values or waiting:
        count = len(now_values) + len(waiting)
        _timeline(
            listing,
            f"Fiche « {listing.establishment.name} » : {count} modification(s) proposée(s)"
            + (f", {len(now_values)} publiée(s) aussitôt" if now_values else ""),
            actor=actor,
        )
    return result


def _withdraw_dropped_uploads(listing: Listing, photos: list[dict]) -> None:
    """A photo uploaded for moderation and then removed by the partner is not kept waiting."""
    kept = [item["id"] for item in photos]
    Photo.objects.filter(listing=listing, status=Photo.Status.PROPOSED).exclude(pk__in=kept).update(
        status=Photo.Status.WITHDRAWN
    )


def _merge_into_pending(listing, pending, waiting, reverted, current, actor) -> ChangeProposal | None:
    """One pending proposal per listing: a new edit updates it; a value brought back to the
    published one leaves it."""
    if pending is None:
        pending = ChangeProposal(
            office_id=listing.office_id, listing=listing, submitted_by=actor, changes={}, base={}
        )
    merged = {k: v for k, v in {**pending.changes, **waiting}.items() if k not in reverted}
    if not merged:
        if pending.pk:
            pending.status = ChangeProposal.Status.WITHDRAWN
            pending.decided_at = timezone.now()
            pending.save()
        return None
    pending.changes = merged
    pending.base = {k: current[k] for k in merged}
    pending.submitted_by = actor
    pending.submitted_at = timezone.now()
    pending.save()
    return pending


def pending_values(listing: Listing) -> dict[str, Any]:
    """What the partner sees in their forms: the published content with their pending changes."""
    values = snapshot(listing)
    pending = next((p for p in listing.proposals.all() if p.status == ChangeProposal.Status.PENDING), None)
    if pending:
        values.update(pending.changes)
    return values


# ---- staff moderate ------------------------------------------------------------------------


def _decidable(proposal: ChangeProposal) -> ChangeProposal:
    locked = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ChangeProposal.Status.PENDING:
        when = timezone.localtime(locked.decided_at).strftime("%d/%m/%Y %H:%M") if locked.decided_at else ""
        raise ListingError(
            f"Cette proposition a déjà été traitée ({locked.get_status_display().lower()} {when}).".replace(
                " )", ")"
            ),
            code="already_decided",
        )
    return locked


@transaction.atomic
def approve_proposal(proposal: ChangeProposal, *, actor: User) -> ListingVersion:
    proposal = _decidable(proposal)
    listing = _fresh(proposal.listing)
    values = clean_changes(listing, proposal.changes)  # a value may have gone stale since
    _apply(listing, values)
    version = _new_version(
        listing, origin=ListingVersion.Origin.APPROVED, changed=sorted(values), actor=actor, proposal=proposal
    )
    proposal.status = ChangeProposal.Status.APPROVED
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.save()
    organisation = listing.establishment.organisation
    _timeline(listing, f"Modifications de la fiche « {listing.establishment.name} » validées", actor=actor)
    directory_services.email_organisation(
        organisation,
        template="listing_approved",
        context={"listing": listing, "fields": [FIELDS[k].label for k in sorted(values)]},
        actor=actor,
    )
    return version


@transaction.atomic
def reject_proposal(proposal: ChangeProposal, *, actor: User, reason: str) -> ChangeProposal:
    reason = plain_text(reason)
    if not reason:
        raise ListingError("Indiquez au partenaire le motif du refus.", field="reason")
    proposal = _decidable(proposal)
    listing = proposal.listing
    proposal.status = ChangeProposal.Status.REJECTED
    proposal.decided_by, proposal.decided_at, proposal.reason = actor, timezone.now(), reason
    proposal.save()
    # Photos uploaded only for this proposal are not kept waiting.
    proposed_ids = {item["id"] for item in proposal.changes.get("photos", [])}
    Photo.objects.filter(listing=listing, pk__in=proposed_ids, status=Photo.Status.PROPOSED).update(
        status=Photo.Status.WITHDRAWN
    )
    _timeline(
        listing,
        f"Modifications de la fiche « {listing.establishment.name} » refusées",
        actor=actor,
        body=reason,
    )
    directory_services.email_organisation(
        listing.establishment.organisation,
        template="listing_rejected",
        context={"listing": listing, "reason": reason, "fields": [FIELDS[k].label for k in proposal.changes]},
        actor=actor,
    )
    return proposal


@transaction.atomic
def edit_listing(listing: Listing, *, changes: dict[str, Any], actor: User) -> ListingVersion | None:
    """A staff edit: published at once, as a version of its own."""
    listing = _fresh(listing)
    cleaned = clean_changes(listing, changes)
    current = snapshot(listing)
    changed = {k: v for k, v in cleaned.items() if v != current[k]}
    if not changed:
        return None
    _apply(listing, changed)
    _timeline(listing, f"Fiche « {listing.establishment.name} » modifiée par l'office", actor=actor)
    return _new_version(listing, origin=ListingVersion.Origin.STAFF, changed=sorted(changed), actor=actor)


@transaction.atomic
def restore_version(version: ListingVersion, *, actor: User) -> ListingVersion:
    """Publish an earlier version's content again, as a new version."""
    listing = _fresh(version.listing)
    current = snapshot(listing)
    data = {k: v for k, v in version.data.items() if k in FIELDS}
    # A photo deleted since cannot come back; the rest of the version still can.
    if "photos" in data:
        existing = set(Photo.objects.filter(listing=listing).values_list("pk", flat=True))
        data["photos"] = [item for item in data["photos"] if item["id"] in existing]
    values = clean_changes(listing, data)
    changed = {k: v for k, v in values.items() if v != current[k]}
    _apply(listing, changed)
    _timeline(
        listing,
        f"Fiche « {listing.establishment.name} » : version {version.number} restaurée",
        actor=actor,
    )
    return _new_version(
        listing,
        origin=ListingVersion.Origin.RESTORED,
        changed=sorted(changed),
        actor=actor,
        restored_from=version.number,
    )
