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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit, publication
from ensemble.core.audit import acting_user
from ensemble.core.models import Office
from ensemble.directory.models import Establishment
from ensemble.directory.postcodes import check_postcode, normalise_postcode

from ..fields import (
    DEFAULT_IMMEDIATE,
    ESTABLISHMENT_KEYS,
    FIELDS,
    ListingError,
    snapshot,
)
from ..models import ChangeProposal, Listing, ListingVersion, ModerationSettings, Photo
from ..search import refresh_search
from ..selectors import ReturnedField, returned_fields

# The wording of every code the listings' services write (placeholders: keys of the entry's data).
audit.register_actions(
    {
        "listing.created": gettext_lazy("Fiche %(target)s créée"),
        "listing.moderation_settings_changed": gettext_lazy(
            "Champs des fiches publiés sans modération : %(immediate_fields)s"
        ),
        "listing.proposal_submitted": gettext_lazy(
            "Fiche %(target)s : modifications proposées (en attente : %(pending)s ; "
            "publiées aussitôt : %(published)s)"
        ),
        "listing.published_at_once": gettext_lazy(
            "Fiche %(target)s : modifications publiées (%(published)s)"
        ),
        "listing.proposal_withdrawn": gettext_lazy(
            "Fiche %(target)s : modifications proposées retirées par le partenaire"
        ),
        "listing.proposal_approved": gettext_lazy(
            "Fiche %(target)s : modifications validées (%(fields)s), version %(version)s"
        ),
        "listing.proposal_rejected": gettext_lazy("Fiche %(target)s : modifications refusées : %(reason)s"),
        "listing.proposal_decided": gettext_lazy(
            "Fiche %(target)s : modifications décidées champ par champ (validées : %(approved_fields)s ; "
            "refusées : %(rejected_fields)s)"
        ),
        "listing.returned_changes_discarded": gettext_lazy(
            "Fiche %(target)s : modifications refusées abandonnées par le partenaire (%(fields)s)"
        ),
        "listing.edited": gettext_lazy(
            "Fiche %(target)s modifiée par l'office (%(fields)s), version %(version)s"
        ),
        "listing.version_restored": gettext_lazy(
            "Fiche %(target)s : version %(restored)s restaurée, publiée comme version %(version)s"
        ),
        "listing.photo_uploaded": gettext_lazy("Fiche %(target)s : photo ajoutée (crédit : %(credit)s)"),
        "listing.availability_set": gettext_lazy(
            "Fiche %(target)s : disponibilités de %(days)s nuit(s) mises à jour, du %(first)s au %(last)s"
        ),
        "listing.confirmed": gettext_lazy("Fiche %(target)s confirmée à jour par le partenaire"),
        "listing.unpublished": gettext_lazy("Fiche %(target)s retirée des supports : %(reason)s"),
        "listing.republished": gettext_lazy("Fiche %(target)s publiée à nouveau"),
        "listing.office_place_marked": gettext_lazy(
            "Fiche %(target)s publiée comme lieu de l'office (non partenaire)"
        ),
        "listing.office_place_unmarked": gettext_lazy(
            "Fiche %(target)s publiée selon l'adhésion (partenaire)"
        ),
        "listing.external_source_set": gettext_lazy(
            "Fiche %(target)s : identifiant externe %(source)s %(external_id)s"
        ),
    }
)


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


def _record(action: str, listing: Listing, *, actor: User | None, **data: Any) -> None:
    """The one audit entry of a listing's change, on its organisation's timeline."""
    audit.record(
        action,
        actor=actor,
        office=listing.office,
        target=listing,
        organisation_id=listing.establishment.organisation_id,
        data=data,
    )
    publication.content_changed(office_id=listing.office_id, listing_ids=[listing.pk])


# ---- setup ---------------------------------------------------------------------------------


@transaction.atomic
def ensure_listing(establishment: Establishment) -> Listing:
    """The establishment's listing, created with its first version if it has none."""
    listing, created = Listing.objects.get_or_create(
        establishment=establishment,
        defaults={"office_id": establishment.office_id, "organisation_id": establishment.organisation_id},
    )
    if created:
        version = _new_version(_fresh(listing), origin=ListingVersion.Origin.INITIAL, changed=[], actor=None)
        listing = Listing.objects.get(pk=listing.pk)
        _record("listing.created", listing, actor=None, version=version.number)
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
        raise ListingError(
            _("Champ inconnu : %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            field="immediate_fields",
        )
    settings = moderation_settings(office)
    before = list(settings.immediate_fields)
    chosen = sorted(set(immediate_fields))
    if chosen == before:
        return settings
    settings.immediate_fields = chosen
    settings.save(update_fields=["immediate_fields", "updated_at"])
    audit.record(
        "listing.moderation_settings_changed",
        actor=actor,
        office=office,
        target=settings,
        data=audit.changes({"immediate_fields": before}, {"immediate_fields": chosen}),
    )
    return settings


# ---- applying content ----------------------------------------------------------------------


def clean_changes(listing: Listing, changes: dict[str, Any]) -> dict[str, Any]:
    """Each proposed value checked and normalised; the first bad one raises ListingError."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ListingError(_("Champ inconnu : %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    cleaned = {key: FIELDS[key].clean(value, listing) for key, value in changes.items()}
    _check_town(listing.establishment, cleaned)
    return cleaned


def _check_town(establishment: Establishment, cleaned: dict[str, Any]) -> None:
    """A new postcode or town: the postcode must exist and serve the town (in France, where the
    office's places are). An address left as it is is not checked again."""
    if not {"postcode", "city"} & set(cleaned):
        return
    postcode = cleaned.get("postcode", establishment.postcode)
    city = cleaned.get("city", establishment.city)
    if (postcode, city) == (establishment.postcode, establishment.city):
        return
    problem = check_postcode("FR", postcode, city)
    if problem is not None:
        raise ListingError(problem.message, field=problem.field)
    if "postcode" in cleaned:
        cleaned["postcode"] = normalise_postcode("FR", postcode)


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


# ---- partners propose ----------------------------------------------------------------------


@transaction.atomic
def propose_changes(listing: Listing, *, changes: dict[str, Any], actor: User) -> ProposalResult:
    """A partner's edit: publish at once what the office allows, queue the rest for moderation.
    Values equal to the published ones are ignored; nothing is written if one value is bad.
    One audit entry whatever the split (its data says which fields went where)."""
    listing = _fresh(listing)
    result, action, data = _propose(listing, changes=changes, actor=actor)
    if action:
        _record(action, listing, actor=actor, **data)
    return result


def _propose(
    listing: Listing, *, changes: dict[str, Any], actor: User
) -> tuple[ProposalResult, str | None, dict[str, Any]]:
    """propose_changes without its audit entry (upload_photo writes its own): the result, the
    action code that describes it (None when nothing changed) and the entry's data."""
    cleaned = clean_changes(listing, changes)
    current = snapshot(listing)
    returned = returned_fields(listing)
    # A rejected value sent back unchanged stays with the partner, with its reason; any other
    # value of that field takes it up (proposed anew, or back to the published value).
    kept_back = {key for key in cleaned if key in returned and cleaned[key] == returned[key].value}
    taken_up = sorted(set(cleaned) & set(returned) - kept_back)
    _release_returned(returned, taken_up)
    changed = {key: value for key, value in cleaned.items() if value != current[key] and key not in kept_back}
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
    before = dict(pending.changes) if pending else {}
    if waiting or pending:
        reverted = {k for k, v in cleaned.items() if v == current[k]}
        result.pending = _merge_into_pending(listing, pending, waiting, reverted, current, actor)
    after = result.pending.changes if result.pending else {}
    proposal = result.pending or pending
    data = {
        "published": result.published,
        "pending": sorted(after),
        "proposal": proposal.pk if proposal else None,
    }
    if taken_up:
        data["returned_taken_up"] = taken_up
    action = _proposal_action(result.published, before, after)
    if action is None and taken_up:
        action = "listing.returned_changes_discarded"
        data["fields"] = ", ".join(taken_up)
    return result, action, data


def _proposal_action(published: list[str], before: dict, after: dict) -> str | None:
    if after and after != before:
        return "listing.proposal_submitted"
    if published:
        return "listing.published_at_once"
    if before and not after:
        return "listing.proposal_withdrawn"
    return None


def _release_returned(returned: dict[str, ReturnedField], keys) -> None:
    """These rejected fields are no longer with the partner (she took them up or dropped them)."""
    by_proposal: dict[int, tuple[ChangeProposal, set[str]]] = {}
    for key in keys:
        proposal = returned[key].proposal
        by_proposal.setdefault(proposal.pk, (proposal, set()))[1].add(key)
    for proposal, released in by_proposal.values():
        left = [key for key in proposal.returned_fields if key not in released]
        ChangeProposal.objects.filter(pk=proposal.pk).update(returned_fields=left)


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
    """What the partner sees in their forms: the published content with her rejected values
    still to take up (their reasons beside them) and her pending changes."""
    values = snapshot(listing)
    values.update({key: item.value for key, item in returned_fields(listing).items()})
    pending = next((p for p in listing.proposals.all() if p.status == ChangeProposal.Status.PENDING), None)
    if pending:
        values.update(pending.changes)
    return values


@transaction.atomic
def discard_returned_changes(listing: Listing, *, actor: User) -> list[str]:
    """The partner drops the rejected values still with her: her forms show the published
    content again; a photo uploaded only for them is withdrawn. The fields dropped."""
    listing = _fresh(listing)
    returned = returned_fields(listing)
    if not returned:
        return []
    keys = sorted(returned)
    _release_returned(returned, keys)
    if "photos" in returned:
        _withdraw_dropped_uploads(listing, pending_values(listing)["photos"])
    _record("listing.returned_changes_discarded", listing, actor=actor, fields=", ".join(keys))
    return keys


# ---- staff edit and restore (their decisions on proposals: moderation.py) -------------------


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
    version = _new_version(listing, origin=ListingVersion.Origin.STAFF, changed=sorted(changed), actor=actor)
    _record("listing.edited", listing, actor=actor, fields=sorted(changed), version=version.number)
    return version


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
    restored = _new_version(
        listing,
        origin=ListingVersion.Origin.RESTORED,
        changed=sorted(changed),
        actor=actor,
        restored_from=version.number,
    )
    _record(
        "listing.version_restored",
        listing,
        actor=actor,
        restored=version.number,
        version=restored.number,
        fields=sorted(changed),
    )
    return restored
