"""Listings: partners propose, staff moderate, every approved state is a version.

A partner's change is split by the office's moderation settings: the fields published at once
are applied now; the others join the listing's one pending proposal, which staff approve or
reject (with a reason, e-mailed). Approving, restoring or a staff edit writes a new version.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from ensemble.accounts.models import User
from ensemble.core.images import ImageRules, reencode_image
from ensemble.core.models import Office
from ensemble.directory import services as directory_services
from ensemble.directory.models import Establishment, TimelineEntry

from .fields import (
    DEFAULT_IMMEDIATE,
    ESTABLISHMENT_KEYS,
    FIELDS,
    LANG_NAMES,
    LANGS,
    ListingError,
    plain_text,
    snapshot,
)
from .models import Amenity, Availability, ChangeProposal, Listing, ListingVersion, ModerationSettings, Photo

__all__ = ["ListingError"]

PHOTO_RULES = ImageRules(min_long_side=1200, min_short_side=800, max_side=2400, purpose="l'impression")
AVAILABILITY_HORIZON_DAYS = 731


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
        establishment=establishment, defaults={"office_id": establishment.office_id}
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
    version = ListingVersion.objects.create(
        listing=listing,
        number=number,
        data=snapshot(_reloaded(listing)),
        changed_fields=changed,
        origin=origin,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        **extra,
    )
    Listing.objects.filter(pk=listing.pk).update(version_number=number)
    listing.version_number = number
    return version


def _reloaded(listing: Listing) -> Listing:
    return (
        Listing.objects.select_related("establishment")
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


# ---- photos --------------------------------------------------------------------------------


@transaction.atomic
def upload_photo(
    listing: Listing,
    *,
    image,
    credit: str,
    alt_texts: dict[str, str],
    rights_declared: bool,
    actor: User,
) -> Photo:
    """Store a photo (re-encoded, metadata stripped) and propose it as the listing's last photo."""
    credit = plain_text(credit)[:150]
    if not credit:
        raise ListingError("Le crédit photo est obligatoire (CGV art. 4.1).", field="credit")
    if not rights_declared:
        raise ListingError(
            "Déclarez que vous détenez les droits de cette photo et autorisez l'office à la diffuser.",
            field="rights_declared",
        )
    content, width, height = reencode_image(image, PHOTO_RULES)
    listing = _fresh(listing)
    photo = Photo(
        listing=listing,
        credit=credit,
        rights_declared_at=timezone.now(),
        uploaded_by=actor,
        position=999,
        **{f"alt_text_{lang}": plain_text(alt_texts.get(lang, ""))[:250] for lang in LANGS},
    )
    photo.image.save(content.name, content, save=False)
    photo.save()
    photos = pending_values(listing)["photos"]
    photos.append(
        {
            "id": photo.pk,
            "credit": credit,
            **{f"alt_text_{lg}": getattr(photo, f"alt_text_{lg}") for lg in LANGS},
        }
    )
    propose_changes(listing, changes={"photos": photos}, actor=actor)
    return photo


# ---- availability --------------------------------------------------------------------------


@transaction.atomic
def set_availability(listing: Listing, *, days: dict[datetime.date, str | None], actor: User) -> int:
    """Set (or clear, with None) the availability of some nights; published at once."""
    if not listing.establishment.category.has_availability:
        raise ListingError("Cette catégorie d'établissement ne publie pas de disponibilités.")
    if not days:
        return 0
    today = timezone.localdate()
    valid = set(Availability.Status.values)
    for day, status in days.items():
        if day < today:
            raise ListingError(
                f"Le {day:%d/%m/%Y} est passé : sa disponibilité ne peut plus être modifiée.", field="days"
            )
        if day > today + datetime.timedelta(days=AVAILABILITY_HORIZON_DAYS):
            raise ListingError("Les disponibilités se publient au plus deux ans à l'avance.", field="days")
        if status is not None and status not in valid:
            raise ListingError(f"État de disponibilité inconnu : {status}.", field="days")
    Availability.objects.filter(listing=listing, date__in=list(days)).delete()
    Availability.objects.bulk_create(
        Availability(office_id=listing.office_id, listing=listing, date=day, status=status)
        for day, status in sorted(days.items())
        if status is not None
    )
    Listing.objects.filter(pk=listing.pk).update(updated_at=timezone.now())
    first, last = min(days), max(days)
    _timeline(
        listing,
        f"Disponibilités de « {listing.establishment.name} » mises à jour "
        f"({len(days)} jour(s), du {first:%d/%m/%Y} au {last:%d/%m/%Y})",
        actor=actor,
    )
    return len(days)


# ---- freshness and withdrawal (CGV art. 2) -------------------------------------------------


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


# ---- the office's lists of amenities and labels --------------------------------------------

DEFAULT_AMENITIES = [
    # (group, slug, FR, EN, NL)
    (
        "accessibility",
        "tourisme-handicap",
        "Marque Tourisme & Handicap",
        "Tourisme & Handicap label",
        "Label Tourisme & Handicap",
    ),
    (
        "accessibility",
        "acces-fauteuil",
        "Accessible en fauteuil roulant",
        "Wheelchair accessible",
        "Toegankelijk voor rolstoelen",
    ),
    ("pets", "animaux-acceptes", "Animaux acceptés", "Pets welcome", "Huisdieren welkom"),
    ("languages", "parle-anglais", "On parle anglais", "English spoken", "Engels gesproken"),
    ("languages", "parle-neerlandais", "On parle néerlandais", "Dutch spoken", "Nederlands gesproken"),
    (
        "label",
        "accueil-velo",
        "Accueil Vélo",
        "Accueil Vélo (cyclist friendly)",
        "Accueil Vélo (fietsvriendelijk)",
    ),
    ("label", "qualite-tourisme", "Qualité Tourisme", "Qualité Tourisme", "Qualité Tourisme"),
    ("label", "clef-verte", "Clef Verte", "Green Key", "Green Key"),
    *(
        (
            "classification",
            f"{n}-etoiles",
            f"{n} étoile{'s' if n > 1 else ''}",
            f"{n} star{'s' if n > 1 else ''}",
            f"{n} ster{'ren' if n > 1 else ''}",
        )
        for n in range(1, 6)
    ),
    ("equipment", "wifi", "Wi-Fi gratuit", "Free Wi-Fi", "Gratis wifi"),
    ("equipment", "parking", "Parking", "Parking", "Parkeerplaats"),
    ("equipment", "terrasse", "Terrasse", "Terrace", "Terras"),
    ("equipment", "borne-recharge", "Borne de recharge électrique", "EV charging point", "Laadpaal"),
]


def install_default_amenities(office: Office) -> list[Amenity]:
    """The usual lists (accessibility, pets, languages, labels, stars, equipment); idempotent.
    Staff edit them afterwards from the back office."""
    amenities = []
    for position, (group, slug, fr, en, nl) in enumerate(DEFAULT_AMENITIES):
        amenity, _ = Amenity.objects.get_or_create(
            office=office,
            slug=slug,
            defaults={"group": group, "name_fr": fr, "name_en": en, "name_nl": nl, "position": position},
        )
        amenities.append(amenity)
    return amenities


# ---- amenity lists (staff) -----------------------------------------------------------------

AMENITY_NAME_LIMIT = 100
AMENITY_POSITION_MAX = 32767


def _amenity_values(*, group: str, names: dict[str, str], position: int | None) -> dict[str, Any]:
    """The checked values of an amenity: a known list, a French name, names of 100 characters
    at most, a position between 0 and 32767."""
    if group not in Amenity.Group.values:
        raise ListingError(f"Liste inconnue : {group}.", field="group")
    values: dict[str, Any] = {"group": group}
    for lang in LANGS:
        name = plain_text(names.get(lang, "")).replace("\n", " ")
        if len(name) > AMENITY_NAME_LIMIT:
            raise ListingError(
                f"Le nom ({LANG_NAMES[lang]}) dépasse {AMENITY_NAME_LIMIT} caractères ({len(name)}).",
                field=f"name_{lang}",
            )
        values[f"name_{lang}"] = name
    if not values["name_fr"]:
        raise ListingError("Le nom en français est obligatoire.", field="name_fr")
    if position is not None and not 0 <= position <= AMENITY_POSITION_MAX:
        raise ListingError(f"La position est un nombre entre 0 et {AMENITY_POSITION_MAX}.", field="position")
    values["position"] = position
    return values


@transaction.atomic
def create_amenity(
    office: Office,
    *,
    group: str,
    names: dict[str, str],
    slug: str = "",
    position: int | None = None,
    actor: User,
) -> Amenity:
    """Add an amenity or label to one of the office's lists (at its end unless a position is
    given). Its identifier (slug, from the French name if empty) is unique in the office."""
    values = _amenity_values(group=group, names=names, position=position)
    slug = slugify(slug or values["name_fr"])[:60].strip("-")
    if not slug:
        raise ListingError("Indiquez un identifiant (lettres, chiffres et tirets).", field="slug")
    taken = Amenity.objects.filter(office=office, slug=slug).first()
    if taken:
        raise ListingError(
            f"L'identifiant « {slug} » est déjà celui de « {taken.name_fr} » : choisissez-en un autre.",
            field="slug",
        )
    if values["position"] is None:
        last = Amenity.objects.filter(office=office, group=group).aggregate(n=Max("position"))["n"]
        values["position"] = 0 if last is None else min(last + 1, AMENITY_POSITION_MAX)
    amenity = Amenity(office=office, slug=slug, **values)
    try:
        with transaction.atomic():
            amenity.save()
    except IntegrityError:  # the same identifier added at the same moment
        raise ListingError(
            f"L'identifiant « {slug} » vient d'être utilisé : choisissez-en un autre.", field="slug"
        ) from None
    return amenity


@transaction.atomic
def update_amenity(
    amenity: Amenity, *, group: str, names: dict[str, str], position: int, actor: User
) -> list[str]:
    """Rename, move to another list or reorder an amenity; its identifier does not change.
    Returns the names of the fields that changed."""
    values = _amenity_values(group=group, names=names, position=position)
    changed = [key for key, value in values.items() if getattr(amenity, key) != value]
    for key in changed:
        setattr(amenity, key, values[key])
    if changed:
        amenity.save()
    return changed


def _set_amenity_active(amenity: Amenity, *, active: bool) -> Amenity:
    locked = Amenity.objects.select_for_update().get(pk=amenity.pk)
    if locked.is_active == active:
        message = "déjà proposé aux partenaires" if active else "déjà retiré des listes"
        raise ListingError(f"« {locked.name_fr} » est {message}.", code="unchanged")
    Amenity.objects.filter(pk=amenity.pk).update(is_active=active, updated_at=timezone.now())
    amenity.is_active = active
    return amenity


@transaction.atomic
def deactivate_amenity(amenity: Amenity, *, actor: User) -> Amenity:
    """No longer offered to partners; the listings that have it keep it (and may keep it)."""
    return _set_amenity_active(amenity, active=False)


@transaction.atomic
def reactivate_amenity(amenity: Amenity, *, actor: User) -> Amenity:
    return _set_amenity_active(amenity, active=True)
