"""A DATAtourisme event (`EntertainmentAndEvent`) imported into the agenda as an event of the
office, through the events services (`create_office_event`, `edit_event`): published at once,
with its UID and SEQUENCE kept by them. The object's @id finds the event again
(`ImportedObject`), so a re-import updates it.

The agenda holds one date range per event: of the object's dates (`takesPlaceAt`), the next one
not over is imported and the report counts the others. The agenda's own limits (a summary of
300 characters, a description of 2,000) apply: a longer text is cut there, and the report says
so (the whole text stays in the source).
"""

from django.db import transaction
from django.utils import timezone

from ensemble.accounts.models import User
from ensemble.core.models import Office
from ensemble.events import rules as event_rules
from ensemble.events import services as event_services
from ensemble.events.models import Event

from ..importer import LANGS, PARIS, PeriodData, PlaceData, SkipObject
from ..models import ImportedObject, ImportRun
from .places import CREATED, UNCHANGED, UPDATED

LISTED_DATES = 5


@transaction.atomic
def import_event(
    office: Office, place: PlaceData, *, actor: User | None, run: ImportRun | None = None
) -> str:
    """Create or update the agenda event of one object; CREATED, UPDATED or UNCHANGED."""
    fields = _event_fields(place)
    record = (
        ImportedObject.objects.select_for_update(of=("self",))
        .select_related("event")
        .filter(office=office, external_id=place.external_id)
        .first()
    )
    event = record.event if record is not None else None
    if event is None:
        event = event_services.create_office_event(office, actor=actor, **fields)
        outcome = CREATED
    else:
        revised = event.revised_at
        event = event_services.edit_event(event, actor=actor, **fields)
        outcome = UPDATED if event.revised_at != revised else UNCHANGED
    ImportedObject.objects.update_or_create(
        office=office,
        external_id=place.external_id,
        defaults={
            "kind": ImportedObject.Kind.EVENT,
            "listing": None,
            "event": event,
            "classes": place.classes,
            "incomplete": place.incomplete,
            "warnings": place.warnings,
            "last_run": run,
        },
    )
    return outcome


def _period(place: PlaceData) -> PeriodData:
    now = timezone.now()
    coming = [period for period in place.periods if period.ends_at > now]
    if not coming:
        last = place.periods[-1].ends_at.astimezone(PARIS)
        raise SkipObject(f"événement terminé : sa dernière date est le {last:%d/%m/%Y}")
    chosen, others = coming[0], [period for period in place.periods if period is not coming[0]]
    if others:
        listed = ", ".join(
            f"{period.starts_at.astimezone(PARIS):%d/%m/%Y}" for period in others[:LISTED_DATES]
        )
        more = " …" if len(others) > LISTED_DATES else ""
        place.warnings.append(
            f"{len(others)} autre(s) date(s) non reprise(s) (l'agenda tient une période par événement) : "
            f"{listed}{more}"
        )
    return chosen


def _cut(place: PlaceData, key: str, value: str) -> str:
    base = key.rsplit("_", 1)[0]
    limit = event_rules.TEXT_LIMITS[base]
    if len(value) <= limit:
        return value
    place.warnings.append(
        f"{key} coupé à {limit} caractères (limite de l'agenda ; {len(value)} dans la source)"
    )
    return value[: limit - 1].rsplit(" ", 1)[0] + "…"


def _prices_text(place: PlaceData) -> tuple[bool, str]:
    free = bool(place.prices) and all(
        price["amount"] == "0.00" and not price["amount_max"] for price in place.prices
    )
    if place.price_text or free or not place.prices:  # the source's own wording first
        return free, place.price_text[:200]
    parts = []
    for price in place.prices:
        amount = price["amount"].replace(".", ",") + " €"
        if price["amount_max"]:
            amount += " à " + price["amount_max"].replace(".", ",") + " €"
        parts.append(f"{price['label_fr']} : {amount}")
    text = " ; ".join(parts)
    if len(text) > 200:
        place.warnings.append("tarifs coupés à 200 caractères (limite de l'agenda)")
        text = text[:199] + "…"
    return free, text


def _event_fields(place: PlaceData) -> dict:
    """The event's fields, as the events services take them."""
    period = _period(place)
    fields: dict = {
        "category": place.category if place.category in Event.Category.values else Event.Category.OTHER,
        "starts_at": period.starts_at,
        "ends_at": period.ends_at,
        "all_day": period.all_day,
        "place_name": place.place_name[:200],
        "address": place.address,
        "postcode": place.postcode,
        "city": place.city,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "booking_url": place.booking_url or "",
    }
    fields["is_free"], fields["price_text"] = _prices_text(place)
    for lang in LANGS:
        translated = place.names.get(lang, "")
        fields[f"title_{lang}"] = (
            place.name if lang == "fr" else (translated if translated != place.name else "")
        )
        fields[f"summary_{lang}"] = _cut(place, f"summary_{lang}", place.short_description.get(lang, ""))
        fields[f"description_{lang}"] = _cut(
            place, f"description_{lang}", place.long_description.get(lang, "")
        )
    left_out = [
        label
        for label, items in (
            ("téléphones", place.phones),
            ("e-mails", place.emails),
            ("sites web", place.websites),
        )
        if items
    ]
    if left_out:
        place.warnings.append("contacts non repris (l'agenda n'en a pas) : " + ", ".join(left_out))
    if place.features:
        place.warnings.append("équipements non repris (l'agenda n'en a pas)")
    return fields
