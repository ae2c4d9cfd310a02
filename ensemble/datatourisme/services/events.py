"""A DATAtourisme event (`EntertainmentAndEvent`) imported into the agenda as events of the
office, through the events services (`create_office_event`, `edit_event`, `cancel_event`):
published at once, with their UID and SEQUENCE kept by them.

The agenda holds one date range per event, so every date range of the object not over yet
(`takesPlaceAt`) becomes an agenda event of its own (`ImportedEventDate`, at most MAX_DATES, the
nearest). A re-import finds each again by the object's @id and the range's start and end — else,
when only the times moved, by its first day — and updates it; a range the source no longer lists
has its event cancelled (it stays in the feeds, marked cancelled), never deleted. Ranges already
over are not imported.

The office's own events keep their texts whole (the agenda's office limits, `OFFICE_TEXT_LIMITS`:
a summary of 2,000 characters, a description of 20,000, a bound against abuse); only a text
beyond those is cut, and the report says so.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ensemble.accounts.models import User
from ensemble.core.models import Office
from ensemble.events import rules as event_rules
from ensemble.events import services as event_services
from ensemble.events.errors import EventError
from ensemble.events.models import Event

from ..importer import LANGS, PARIS, PeriodData, PlaceData, SkipObject
from ..models import ImportedEventDate, ImportedObject, ImportRun
from .places import CREATED, UNCHANGED, UPDATED

MAX_DATES = 100  # agenda events per object (a market listing every Saturday has 52)
LISTED_DATES = 5
# Shown on the public page of an event whose date the source removed (stored data, in French
# like the reasons staff type).
REMOVED_REASON = "Cette date a été retirée du programme par l'organisateur."


@dataclass
class _Plan:
    """The object's dates to come, each with the row that imported it before (None: new), and
    the rows whose range the source no longer lists."""

    pairs: list[tuple[PeriodData, ImportedEventDate | None]] = field(default_factory=list)
    removed: list[ImportedEventDate] = field(default_factory=list)


@transaction.atomic
def import_event(
    office: Office, place: PlaceData, *, actor: User | None, run: ImportRun | None = None
) -> str:
    """Create, update or cancel the agenda events of one object, one per date range to come;
    CREATED, UPDATED or UNCHANGED. EventError when no date could be imported (nothing kept)."""
    fields = _event_fields(place)
    record, created = ImportedObject.objects.get_or_create(
        office=office, external_id=place.external_id, defaults={"kind": ImportedObject.Kind.EVENT}
    )
    record = ImportedObject.objects.select_for_update(of=("self",)).get(pk=record.pk)
    now = timezone.now()
    plan = _plan(place, list(record.dates.select_related("event")), now=now)
    events, changed = _import_dates(office, record, plan.pairs, fields, place=place, actor=actor)
    cancelled = _cancel_removed(plan.removed, place=place, actor=actor, now=now)
    if not plan.pairs and not cancelled:
        last = place.periods[-1].ends_at.astimezone(PARIS)
        raise SkipObject(f"événement terminé : sa dernière date est le {last:%d/%m/%Y}")
    record.kind, record.listing = ImportedObject.Kind.EVENT, None
    record.event = events[0] if events else record.event
    record.classes, record.incomplete, record.warnings = place.classes, place.incomplete, place.warnings
    record.last_run = run
    record.save()
    if created:
        return CREATED
    return UPDATED if changed or cancelled else UNCHANGED


def _day(moment) -> object:
    return moment.astimezone(PARIS).date()


def _when(period: PeriodData | ImportedEventDate) -> str:
    start = period.starts_at.astimezone(PARIS)
    return f"{start:%d/%m/%Y}" if getattr(period, "all_day", True) else f"{start:%d/%m/%Y %H:%M}"


def _plan(place: PlaceData, rows: list[ImportedEventDate], *, now) -> _Plan:
    """Each range to come paired with its row: the same start and end, else (its times moved)
    a row of the same first day the source no longer lists, in order."""
    coming = [period for period in place.periods if period.ends_at > now]
    if len(coming) > MAX_DATES:
        left = coming[MAX_DATES:]
        listed = ", ".join(_when(period) for period in left[:LISTED_DATES])
        more = " …" if len(left) > LISTED_DATES else ""
        place.warnings.append(
            f"{len(left)} date(s) au-delà des {MAX_DATES} premières non reprise(s) : {listed}{more}"
        )
        coming = coming[:MAX_DATES]
    listed_ranges = {(period.starts_at, period.ends_at) for period in place.periods}
    by_range = {(row.starts_at, row.ends_at): row for row in rows}
    found = [by_range.get((period.starts_at, period.ends_at)) for period in coming]
    spare = [
        row
        for row in rows
        if (row.starts_at, row.ends_at) not in listed_ranges and row.ends_at > now and row not in found
    ]
    for index, period in enumerate(coming):
        if found[index] is None:
            row = next((row for row in spare if _day(row.starts_at) == _day(period.starts_at)), None)
            if row is not None:
                spare.remove(row)
                found[index] = row
    removed = [row for row in rows if row not in found and (row.starts_at, row.ends_at) not in listed_ranges]
    return _Plan(pairs=list(zip(coming, found, strict=True)), removed=removed)


def _import_dates(
    office: Office, record: ImportedObject, pairs: list, fields: dict, *, place: PlaceData, actor
) -> tuple[list[Event], bool]:
    """One agenda event per range: created, or updated through its row. A range the agenda
    refuses is reported and the others kept; when every range is refused, the first reason."""
    events: list[Event] = []
    refused: list[EventError] = []
    changed = False
    for period, row in pairs:
        dated = {
            **fields,
            "starts_at": period.starts_at,
            "ends_at": period.ends_at,
            "all_day": period.all_day,
        }
        if row is not None and row.event.status != Event.Status.PUBLISHED:
            status = row.event.get_status_display().lower()
            place.warnings.append(f"date du {_when(period)} : événement {status} dans l'agenda, laissé ainsi")
            events.append(row.event)
            continue
        try:
            event, revised = _import_date(office, record, row, period, dated, actor=actor)
        except EventError as error:
            refused.append(error)
            place.warnings.append(f"date du {_when(period)} non reprise : {error.message}")
            continue
        events.append(event)
        changed = changed or revised
    if refused and not events:
        raise refused[0]
    return events, changed


def _import_date(
    office: Office,
    record: ImportedObject,
    row: ImportedEventDate | None,
    period: PeriodData,
    fields,
    *,
    actor,
) -> tuple[Event, bool]:
    if row is None:
        event = event_services.create_office_event(office, actor=actor, **fields)
        ImportedEventDate.objects.create(
            office=office, imported=record, event=event, starts_at=period.starts_at, ends_at=period.ends_at
        )
        return event, True
    revised = row.event.revised_at
    event = event_services.edit_event(row.event, actor=actor, **fields)
    if (row.starts_at, row.ends_at) != (period.starts_at, period.ends_at):
        row.starts_at, row.ends_at = period.starts_at, period.ends_at
        row.save(update_fields=["starts_at", "ends_at", "updated_at"])
    return event, event.revised_at != revised


def _cancel_removed(rows: list[ImportedEventDate], *, place: PlaceData, actor, now) -> int:
    """The events of the ranges the source removed, cancelled (still to come and published: an
    event over or already cancelled stays as it is)."""
    cancelled = 0
    for row in rows:
        event = row.event
        if event.status != Event.Status.PUBLISHED or event.ends_at <= now:
            continue
        event_services.cancel_event(event, actor=actor, reason=REMOVED_REASON, by_office=True)
        place.warnings.append(f"date du {_when(row)} retirée de la source : événement annulé dans l'agenda")
        cancelled += 1
    return cancelled


def _cut(place: PlaceData, key: str, value: str) -> str:
    base = key.rsplit("_", 1)[0]
    limit = event_rules.OFFICE_TEXT_LIMITS[base]
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
    """The event's fields but its dates, as the events services take them."""
    fields: dict = {
        "category": place.category if place.category in Event.Category.values else Event.Category.OTHER,
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
