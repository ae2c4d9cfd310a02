"""A DATAtourisme place imported as a place the office publishes (non-partner): an organisation
for the data's owner, an establishment in the category its classes map to, and its listing,
through the directory and listings services (versions, audit log and search fields are kept as
for any edit).

Idempotent: a listing remembers the object's @id (`Listing.source = "datatourisme"`,
`external_id`); importing the object again updates that listing, and an object whose content is
already the listing's is counted as unchanged.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from ensemble.accounts.models import User
from ensemble.core.models import Office
from ensemble.directory import services as directory_services
from ensemble.directory.models import Category, Organisation
from ensemble.listings import services as listing_services
from ensemble.listings.models import Amenity, Listing

from ..errors import DatatourismeError
from ..importer import LANGS, TOWN_MISMATCH, OwnerData, PlaceData, town_mismatch
from ..models import ImportedObject, ImportedOwner, ImportRun
from ..vocabulary import SOURCE

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@transaction.atomic
def import_place(
    office: Office, place: PlaceData, *, category: Category, actor: User | None, run: ImportRun | None = None
) -> str:
    """Create or update the office place of one object; CREATED, UPDATED or UNCHANGED. What the
    object lacks (a street) is kept on its ImportedObject: the place is marked incomplete."""
    if category.office_id != office.pk:
        raise DatatourismeError(_("Choisissez une catégorie de l'office."))
    listing = (
        Listing.objects.select_for_update(of=("self",))
        .select_related("establishment__organisation")
        .filter(office=office, source=SOURCE, external_id=place.external_id)
        .first()
    )
    amenities = _amenities(office, place, actor=actor)
    if listing is None:
        listing = _create(office, place, category=category, actor=actor, amenities=amenities)
        outcome = CREATED
    else:
        outcome = _update(listing, place, category=category, actor=actor, amenities=amenities)
    _remember(office, place, listing=listing, run=run)
    return outcome


def _update(listing: Listing, place: PlaceData, *, category: Category, actor, amenities) -> str:
    """The establishment, then the listing. A postcode contradicting the town goes through the
    directory, which keeps it when asked (the listings' edit would refuse it); the listing's
    address is then the establishment's and is not checked again."""
    establishment = listing.establishment
    located = {"category": category, "latitude": place.latitude, "longitude": place.longitude}
    mismatch = bool(town_mismatch(place.postcode, place.city))
    known = (establishment.postcode, establishment.city)
    keep_known = mismatch and not town_mismatch(*known)
    if keep_known:  # set right since (by staff, or an earlier import): not replaced by a contradiction
        kept = f" Adresse déjà connue gardée : {establishment.postcode} {establishment.city}."
        place.warnings = [
            reason + kept if reason.startswith(TOWN_MISMATCH) else reason for reason in place.warnings
        ]
    elif mismatch:
        located.update(postcode=place.postcode, city=place.city)
    moved = {key: value for key, value in located.items() if getattr(establishment, key) != value}
    if moved:
        directory_services.save_establishment(
            establishment.organisation,
            establishment=establishment,
            actor=actor,
            allow_postcode_mismatch=mismatch,
            **moved,
        )
    changes = _content(place, amenities, with_address=not keep_known)
    version = listing_services.edit_listing(listing, changes=changes, actor=actor)
    return UPDATED if moved or version else UNCHANGED


def _create(office: Office, place: PlaceData, *, category: Category, actor, amenities) -> Listing:
    establishment = directory_services.save_establishment(
        _owner_organisation(office, place, actor=actor),
        actor=actor,
        name=place.name,
        category=category,
        address=place.address,
        postcode=place.postcode,
        city=place.city,
        latitude=place.latitude,
        longitude=place.longitude,
        allow_postcode_mismatch=bool(town_mismatch(place.postcode, place.city)),
    )
    listing = listing_services.ensure_listing(establishment)
    listing = listing_services.set_external_source(listing, source=SOURCE, external_id=place.external_id)
    listing = listing_services.mark_office_place(listing, is_office_place=True, actor=actor)
    listing_services.edit_listing(listing, changes=_content(place, amenities), actor=actor)
    return listing


def _content(place: PlaceData, amenities: list[int] | None = None, *, with_address: bool = True) -> dict:
    """The listing's fields, as the listings services take them (the field registry's keys).
    A missing street is not written (the place keeps the one it has, or none); no address at
    all when the place keeps the one it has (`with_address=False`)."""
    changes = {
        "name": place.name,
        "phone": place.phone,
        "email": place.email,
        "website": place.website,
        "extra_phones": place.phones[1:],
        "extra_emails": place.emails[1:],
        "extra_websites": place.websites[1:],
        "booking_url": place.booking_url,
        "prices": place.prices,
        "other_languages": place.other_languages,
    }
    if with_address:
        changes.update(postcode=place.postcode, city=place.city)
    if with_address and place.address:
        changes["address"] = place.address
    for lang in ("en", "nl"):
        translated = place.names.get(lang, "")
        changes[f"name_{lang}"] = translated if translated != place.name else ""
    for lang in LANGS:
        changes[f"short_description_{lang}"] = place.short_description.get(lang, "")
        changes[f"long_description_{lang}"] = place.long_description.get(lang, "")
    if amenities is not None:
        changes["amenities"] = amenities
    return changes


def _amenities(office: Office, place: PlaceData, *, actor) -> list[int]:
    """The office's amenities for the object's features (`hasFeature`), found by identifier or
    French name; a feature the office's lists lack is added to them (and reported)."""
    if not place.features:
        return []
    known = {amenity.slug: amenity for amenity in Amenity.objects.filter(office=office)}
    by_name = {amenity.name_fr.casefold(): amenity for amenity in known.values()}
    chosen = []
    for feature in place.features:
        names = feature["labels"]
        amenity = known.get(feature["key"]) or by_name.get((names.get("fr") or "").casefold())
        if amenity is None:
            amenity = listing_services.create_amenity(
                office,
                group=Amenity.Group.EQUIPMENT,
                names={lang: (names.get(lang) or names.get("fr") or feature["key"])[:100] for lang in LANGS},
                slug=feature["key"],
                actor=actor,
            )
            known[amenity.slug] = amenity
            place.warnings.append(f"équipement ajouté aux listes de l'office : « {amenity.name_fr} »")
        elif not amenity.is_active:
            place.warnings.append(
                f"équipement retiré des listes de l'office, non repris : « {amenity.name_fr} »"
            )
            continue
        chosen.append(amenity.pk)
    return sorted(set(chosen))


def _owner_organisation(office: Office, place: PlaceData, *, actor) -> Organisation:
    """The organisation of the data's owner, created at its first place. An owner address whose
    postcode contradicts its town is kept as given, like a place's, and reported (once: when it
    is the place's own address, the place's reason says it)."""
    owner: OwnerData = place.owner
    known = ImportedOwner.objects.filter(office=office, key=owner.key).select_related("organisation").first()
    if known is not None:
        return known.organisation
    mismatch = town_mismatch(owner.postcode, owner.city)
    if mismatch and (owner.postcode, owner.city) != (place.postcode, place.city):
        place.warnings.append(
            f"adresse du propriétaire « {owner.name} » : {mismatch} Gardée telle quelle, à vérifier."
        )
    organisation = directory_services.create_organisation(
        office,
        actor=actor,
        allow_postcode_mismatch=bool(mismatch),
        name=owner.name,
        address=owner.address or owner.city,
        postcode=owner.postcode,
        city=owner.city,
    )
    ImportedOwner.objects.create(office=office, key=owner.key, organisation=organisation)
    return organisation


def _remember(office: Office, place: PlaceData, *, listing: Listing, run: ImportRun | None) -> None:
    """The object's record: its classes and what it lacks (a street the place has from an
    earlier import or from staff is not lacking)."""
    listing.establishment.refresh_from_db(fields=["address"])
    if listing.establishment.address:
        place.incomplete = [reason for reason in place.incomplete if not reason.startswith("adresse")]
    ImportedObject.objects.update_or_create(
        office=office,
        external_id=place.external_id,
        defaults={
            "kind": ImportedObject.Kind.PLACE,
            "listing": listing,
            "event": None,
            "classes": place.classes,
            "incomplete": place.incomplete,
            "warnings": place.warnings,
            "last_run": run,
        },
    )
