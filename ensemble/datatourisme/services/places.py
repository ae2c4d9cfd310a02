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
from ..importer import LANGS, OwnerData, PlaceData
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
    establishment = listing.establishment
    located = {"category": category, "latitude": place.latitude, "longitude": place.longitude}
    moved = {key: value for key, value in located.items() if getattr(establishment, key) != value}
    if moved:
        directory_services.save_establishment(
            establishment.organisation, establishment=establishment, actor=actor, **moved
        )
    version = listing_services.edit_listing(listing, changes=_content(place, amenities), actor=actor)
    return UPDATED if moved or version else UNCHANGED


def _create(office: Office, place: PlaceData, *, category: Category, actor, amenities) -> Listing:
    establishment = directory_services.save_establishment(
        _owner_organisation(office, place.owner, actor=actor),
        actor=actor,
        name=place.name,
        category=category,
        address=place.address,
        postcode=place.postcode,
        city=place.city,
        latitude=place.latitude,
        longitude=place.longitude,
    )
    listing = listing_services.ensure_listing(establishment)
    listing = listing_services.set_external_source(listing, source=SOURCE, external_id=place.external_id)
    listing = listing_services.mark_office_place(listing, is_office_place=True, actor=actor)
    listing_services.edit_listing(listing, changes=_content(place, amenities), actor=actor)
    return listing


def _content(place: PlaceData, amenities: list[int] | None = None) -> dict:
    """The listing's fields, as the listings services take them (the field registry's keys).
    A missing street is not written (the place keeps the one it has, or none)."""
    changes = {
        "name": place.name,
        "postcode": place.postcode,
        "city": place.city,
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
    if place.address:
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


def _owner_organisation(office: Office, owner: OwnerData, *, actor) -> Organisation:
    known = ImportedOwner.objects.filter(office=office, key=owner.key).select_related("organisation").first()
    if known is not None:
        return known.organisation
    organisation = directory_services.create_organisation(
        office,
        actor=actor,
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
