"""GET /events and /events/{id}: the office's published agenda."""

import datetime
from typing import Annotated

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router

from ensemble.events.ical import PARIS
from ensemble.events.models import Event
from ensemble.publishing import selectors as publishing
from ensemble.publishing.selectors import AgendaFilters, BadFilter

from . import selectors
from .common import (
    DATE,
    DATE_TIME,
    MAX_ID,
    absolute,
    coordinate,
    decode,
    encode,
    is_id,
    is_text,
    page_url,
    set_last_modified,
    start_of_today,
    translated,
)
from .schemas import Error, EventOut, EventPage

router = Router(tags=["Agenda"])


@router.get(
    "/events",
    response={200: EventPage, 400: Error},
    operation_id="listEvents",
    summary="Événements publiés",
    description=(
        "Les événements publiés qui ont lieu entre `start` (aujourd'hui par défaut) et `end`, par "
        "date de début. `since` (ISO 8601) ne renvoie que ceux modifiés après ce moment et, en "
        "première page, `removed` : ceux modifiés depuis qui ne sont plus publiés."
    ),
)
def list_events(
    request: HttpRequest,
    response: HttpResponse,
    start: Annotated[str, DATE] = Query("", description="À partir de ce jour (AAAA-MM-JJ)."),
    end: Annotated[str, DATE] = Query("", description="Jusqu'à ce jour inclus (AAAA-MM-JJ)."),
    category: str = Query(
        "", description="festival, concert, exhibition, market, visit, sport, workshop, food, other."
    ),
    town: str = Query("", description="Commune, sans tenir compte des majuscules."),
    since: Annotated[str, DATE_TIME] = Query("", description="Modifiés après ce moment (ISO 8601)."),
    cursor: str = Query("", description="Le curseur d'une page (donné par `next`)."),
    limit: int = Query(20, ge=1, le=100, description="Événements par page (100 au plus)."),
):
    office = request.office
    filters = AgendaFilters.from_query(request.GET)
    since_moment, filters.since = filters.since, None
    queryset = publishing.agenda(office, filters)
    if since_moment:
        queryset = selectors.changed_events(office, queryset, since_moment)
    if cursor:
        queryset = _after(queryset, cursor)
    rows = list(queryset[: limit + 1])
    more, rows = len(rows) > limit, rows[:limit]
    next_cursor = encode(["e", rows[-1].starts_at.isoformat(), rows[-1].pk]) if more else ""
    set_last_modified(response, start_of_today(), selectors.events_changed_at(office))
    listings = _listings_of(office, rows)
    return {
        "items": [event_data(request, event, listings) for event in rows],
        "next": page_url(request, next_cursor) if next_cursor else None,
        "removed": selectors.removed_event_ids(office, since_moment) if since_moment and not cursor else None,
    }


def _after(queryset, cursor: str):
    payload = decode(cursor)
    if not (len(payload) == 3 and payload[0] == "e" and is_text(payload[1]) and is_id(payload[2])):
        raise BadFilter("Curseur de pagination invalide.")
    try:
        starts_at = datetime.datetime.fromisoformat(payload[1])
    except ValueError:
        raise BadFilter("Curseur de pagination invalide.") from None
    if starts_at.tzinfo is None:
        raise BadFilter("Curseur de pagination invalide.")
    return queryset.filter(Q(starts_at__gt=starts_at) | Q(starts_at=starts_at, pk__gt=payload[2]))


def _listings_of(office, events: list[Event]) -> dict[int, int]:
    """Establishment id → its published listing's id, for the events' places."""
    establishments = {event.establishment_id for event in events if event.establishment_id}
    if not establishments:
        return {}
    return dict(
        publishing.published_listings(office)
        .filter(establishment_id__in=establishments)
        .values_list("establishment_id", "pk")
    )


def _moment(event: Event, moment: datetime.datetime) -> datetime.datetime | datetime.date:
    """An all-day event's day (in Paris, where it takes place), else the moment itself."""
    return timezone.localtime(moment, PARIS).date() if event.all_day else moment


def event_data(request: HttpRequest, event: Event, listings: dict[int, int]) -> dict:
    page = reverse("public:event", kwargs={"office_slug": request.office.slug, "event_id": event.pk})
    return {
        "id": event.pk,
        "url": absolute(request, page),
        "uid": str(event.uid),
        "sequence": event.sequence,
        "title": translated(event, "title"),
        "summary": translated(event, "summary"),
        "description": translated(event, "description"),
        "category": event.category,
        "starts_at": _moment(event, event.starts_at),
        "ends_at": _moment(event, event.ends_at),
        "all_day": event.all_day,
        "place": {
            "name": event.place_name,
            "address": event.address,
            "postcode": event.postcode,
            "city": event.city,
            "geo": {"latitude": coordinate(event.latitude), "longitude": coordinate(event.longitude)},
        },
        "is_free": event.is_free,
        "price_text": translated(event, "price_text"),
        "booking_url": event.booking_url,
        "listing_id": listings.get(event.establishment_id),
        "updated_at": event.updated_at,
    }


@router.get(
    "/events/{int:event_id}",
    response={200: EventOut, 404: Error},
    operation_id="getEvent",
    summary="Un événement publié",
    description="404 s'il n'existe pas ou n'est pas publié.",
)
def get_event(request: HttpRequest, response: HttpResponse, event_id: int):
    if event_id > MAX_ID:
        raise Http404
    event = get_object_or_404(
        publishing.published_events(request.office).select_related("establishment"), pk=event_id
    )
    set_last_modified(response, start_of_today(), event.updated_at)
    return event_data(request, event, _listings_of(request.office, [event]))
