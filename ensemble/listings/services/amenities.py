"""The office's lists of amenities and labels: the defaults, and staff's changes."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit, publication
from ensemble.core.models import Office
from ensemble.core.page_cache import invalidate_office

from ..fields import (
    LANG_NAMES,
    LANGS,
    ListingError,
    plain_text,
)
from ..models import Amenity

audit.register_actions(
    {
        "amenity.defaults_installed": gettext_lazy(
            "Listes d'équipements et labels par défaut installées (%(count)s ajouté(s))"
        ),
        "amenity.created": gettext_lazy("Équipement ou label %(target)s ajouté (liste %(group)s)"),
        "amenity.updated": gettext_lazy("Équipement ou label %(target)s modifié (%(fields)s)"),
        "amenity.deactivated": gettext_lazy("Équipement ou label %(target)s retiré des listes"),
        "amenity.reactivated": gettext_lazy("Équipement ou label %(target)s proposé à nouveau"),
    }
)

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


@transaction.atomic
def install_default_amenities(office: Office) -> list[Amenity]:
    """The usual lists (accessibility, pets, languages, labels, stars, equipment); idempotent.
    Staff edit them afterwards from the back office."""
    amenities, added = [], []
    for position, (group, slug, fr, en, nl) in enumerate(DEFAULT_AMENITIES):
        amenity, created = Amenity.objects.get_or_create(
            office=office,
            slug=slug,
            defaults={"group": group, "name_fr": fr, "name_en": en, "name_nl": nl, "position": position},
        )
        amenities.append(amenity)
        if created:
            added.append(slug)
    if added:  # one entry for the set (run by the system: no actor)
        audit.record(
            "amenity.defaults_installed",
            actor=None,
            office=office,
            data={"count": len(added), "slugs": added},
        )
        invalidate_office(office.pk)  # the directory's filters list them
    return amenities


# ---- amenity lists (staff) -----------------------------------------------------------------

AMENITY_NAME_LIMIT = 100
AMENITY_POSITION_MAX = 32767


def _amenity_values(*, group: str, names: dict[str, str], position: int | None) -> dict[str, Any]:
    """The checked values of an amenity: a known list, a French name, names of 100 characters
    at most, a position between 0 and 32767."""
    if group not in Amenity.Group.values:
        raise ListingError(_("Liste inconnue : %(group)s.") % {"group": group}, field="group")
    values: dict[str, Any] = {"group": group}
    for lang in LANGS:
        name = plain_text(names.get(lang, "")).replace("\n", " ")
        if len(name) > AMENITY_NAME_LIMIT:
            raise ListingError(
                _("Le nom (%(language)s) dépasse %(limit)s caractères (%(length)s).")
                % {"language": LANG_NAMES[lang], "limit": AMENITY_NAME_LIMIT, "length": len(name)},
                field=f"name_{lang}",
            )
        values[f"name_{lang}"] = name
    if not values["name_fr"]:
        raise ListingError(_("Le nom en français est obligatoire."), field="name_fr")
    if position is not None and not 0 <= position <= AMENITY_POSITION_MAX:
        raise ListingError(
            _("La position est un nombre entre 0 et %(max)s.") % {"max": AMENITY_POSITION_MAX},
            field="position",
        )
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
        raise ListingError(_("Indiquez un identifiant (lettres, chiffres et tirets)."), field="slug")
    taken = Amenity.objects.filter(office=office, slug=slug).first()
    if taken:
        raise ListingError(
            _("L'identifiant « %(slug)s » est déjà celui de « %(name)s » : choisissez-en un autre.")
            % {"slug": slug, "name": taken.name_fr},
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
            _("L'identifiant « %(slug)s » vient d'être utilisé : choisissez-en un autre.") % {"slug": slug},
            field="slug",
        ) from None
    audit.record(
        "amenity.created",
        actor=actor,
        office=office,
        target=amenity,
        data={"slug": slug, **values},
    )
    invalidate_office(office.pk)  # the directory's filters list it
    return amenity


@transaction.atomic
def update_amenity(
    amenity: Amenity, *, group: str, names: dict[str, str], position: int, actor: User
) -> list[str]:
    """Rename, move to another list or reorder an amenity; its identifier does not change.
    Returns the names of the fields that changed."""
    values = _amenity_values(group=group, names=names, position=position)
    changed = [key for key, value in values.items() if getattr(amenity, key) != value]
    if not changed:
        return changed
    before = {key: getattr(amenity, key) for key in changed}
    for key in changed:
        setattr(amenity, key, values[key])
    amenity.save()
    audit.record(
        "amenity.updated",
        actor=actor,
        office=amenity.office,
        target=amenity,
        data={"fields": changed, "changes": audit.changes(before, {key: values[key] for key in changed})},
    )
    publication.content_changed(
        office_id=amenity.office_id, listing_ids=amenity.listings.values_list("pk", flat=True)
    )
    return changed


def _set_amenity_active(amenity: Amenity, *, active: bool, actor: User) -> Amenity:
    locked = Amenity.objects.select_for_update().get(pk=amenity.pk)
    if locked.is_active == active:
        message = (
            _("« %(name)s » est déjà proposé aux partenaires.")
            if active
            else _("« %(name)s » est déjà retiré des listes.")
        )
        raise ListingError(message % {"name": locked.name_fr}, code="unchanged")
    Amenity.objects.filter(pk=amenity.pk).update(is_active=active, updated_at=timezone.now())
    amenity.is_active = active
    audit.record(
        "amenity.reactivated" if active else "amenity.deactivated",
        actor=actor,
        office=locked.office,
        target=locked,
    )
    publication.content_changed(
        office_id=locked.office_id, listing_ids=locked.listings.values_list("pk", flat=True)
    )
    return amenity


@transaction.atomic
def deactivate_amenity(amenity: Amenity, *, actor: User) -> Amenity:
    """No longer offered to partners; the listings that have it keep it (and may keep it)."""
    return _set_amenity_active(amenity, active=False, actor=actor)


@transaction.atomic
def reactivate_amenity(amenity: Amenity, *, actor: User) -> Amenity:
    return _set_amenity_active(amenity, active=True, actor=actor)
