"""iCalendar (RFC 5545) feeds of the agenda, written with the `icalendar` library.

One VCALENDAR per feed (one event, or a filtered list): METHOD:PUBLISH, a VTIMEZONE for
Europe/Paris covering the feed's years, and one VEVENT per event with a stable UID
("<event.uid>@<site host>"), SEQUENCE = event.sequence (it grows with each published change),
DTSTAMP and LAST-MODIFIED = when the public content last changed, DTSTART/DTEND in Paris time
(VALUE=DATE for all-day events, DTEND exclusive), STATUS CONFIRMED or CANCELLED. icalendar
writes CRLF line endings and folds lines at 75 octets.
"""

import datetime
import functools
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from ensemble.core.languages import text_in

from .models import Event

TZID = "Europe/Paris"
PARIS = ZoneInfo(TZID)
PRODID = "-//Ensemble//Agenda des offices de tourisme//FR"
CONTENT_TYPE = "text/calendar; charset=utf-8"
REFRESH = datetime.timedelta(hours=6)


def site_host() -> str:
    """The host that makes UIDs unique worldwide: the deployment's, not the request's, so a UID
    does not change with the address a feed was fetched from."""
    return urlsplit(settings.SITE_URL).hostname or "ensemble.localhost"


def uid_of(event: Event) -> str:
    return f"{event.uid}@{site_host()}"


@functools.lru_cache(maxsize=32)
def _timezone(first_year: int, last_year: int) -> bytes:
    """Europe/Paris's VTIMEZONE for those years (computing it takes a while: cached)."""
    component = icalendar.Timezone.from_tzid(
        TZID, first_date=datetime.date(first_year, 1, 1), last_date=datetime.date(last_year + 1, 1, 1)
    )
    return component.to_ical()


def _vtimezone(events: list[Event]) -> icalendar.Timezone:
    today = timezone.localdate()
    years = [timezone.localtime(e.starts_at, PARIS).year for e in events] or [today.year]
    years += [timezone.localtime(e.ends_at, PARIS).year for e in events]
    return icalendar.Timezone.from_ical(_timezone(min(years), max(years)))


def _text(event: Event, field: str, lang: str) -> str:
    return text_in(event, field, lang)


def _description(event: Event, lang: str) -> str:
    parts = [_text(event, "summary", lang), _text(event, "description", lang)]
    price = _text(event, "price_text", lang)
    if event.is_free:
        parts.append(gettext("Gratuit") + (f" ({price})" if price else ""))
    elif price:
        parts.append(gettext("Tarifs : %(price)s") % {"price": price})
    if event.booking_url:
        parts.append(gettext("Réservation : %(url)s") % {"url": event.booking_url})
    return "\n\n".join(part for part in parts if part)


def location_of(event: Event) -> str:
    town = " ".join(part for part in (event.postcode, event.city) if part)
    return ", ".join(part for part in (event.place_name, event.address, town) if part)


def _dates(component: icalendar.Event, event: Event) -> None:
    start = timezone.localtime(event.starts_at, PARIS)
    end = timezone.localtime(event.ends_at, PARIS)
    if event.all_day:
        component.add("dtstart", start.date())
        component.add("dtend", end.date() + datetime.timedelta(days=1))
    else:
        component.add("dtstart", start)
        component.add("dtend", max(end, start + datetime.timedelta(minutes=1)))


def vevent(event: Event, *, url: str, lang: str) -> icalendar.Event:
    component = icalendar.Event()
    component.add("uid", uid_of(event))
    revised = event.revised_at or event.updated_at
    component.add("dtstamp", revised.astimezone(datetime.UTC))
    component.add("last-modified", revised.astimezone(datetime.UTC))
    component.add("created", event.created_at.astimezone(datetime.UTC))
    component.add("sequence", event.sequence)
    _dates(component, event)
    component.add("summary", _text(event, "title", lang))
    description = _description(event, lang)
    if description:
        component.add("description", description)
    location = location_of(event)
    if location:
        component.add("location", location)
    if event.latitude is not None and event.longitude is not None:
        component.add("geo", (float(event.latitude), float(event.longitude)))
    component.add("url", url)
    component.add("categories", [str(event.get_category_display())])
    cancelled = event.status == Event.Status.CANCELLED
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    component.add("transp", "TRANSPARENT" if event.all_day else "OPAQUE")
    component.add("class", "PUBLIC")
    return component


def calendar(
    events: Iterable[Event], *, name: str, url_of: Callable[[Event], str], lang: str = "fr"
) -> bytes:
    """The feed as bytes (UTF-8, CRLF, folded)."""
    events = list(events)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    cal.add_component(_vtimezone(events))
    with translation.override(lang):
        for event in events:
            cal.add_component(vevent(event, url=url_of(event), lang=lang))
    return cal.to_ical()
