"""The public agenda of an office: the list (date range, category, town), each event's page
with its schema.org Event JSON-LD, and the iCalendar feeds (one event, any filtered list).

The list is `publishing.selectors.agenda` (published events only), paged by keyset on
(starts_at, id): « Suivant » carries a cursor, so a deep page costs what the first does. A
malformed filter or cursor answers 400 with its French message on the form. An event's page and
feeds also show an event cancelled after publication, marked as such (STATUS:CANCELLED), so
that calendars which had it learn of the cancellation. Dates are shown in Paris time; texts in
the content language (`?langue=` or the active language), with the fallback order of
`core.languages` where a translation is missing.

Dates first: « quand » names a shortcut (today, this weekend, this week) resolved on the day the
page is read (Paris), so a bookmarked « Ce week-end » stays this weekend; typed dates (du/au) win
over it. The list never shows an event already over: a range partly past starts today, a range
wholly past says so and lists nothing (docs/decisions.md, « Agenda dates first »).
"""

import base64
import binascii
import dataclasses
import datetime
import json

from django import forms
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from ensemble.core.languages import text_in
from ensemble.events import ical
from ensemble.events import selectors as event_selectors
from ensemble.events.models import Event
from ensemble.events.rules import PARIS
from ensemble.publishing import selectors
from ensemble.publishing.selectors import AgendaFilters, BadFilter

from .listing_views import CONTENT_LANGUAGES, content_language

PAGE_SIZE = 20
FILTER_FIELDS = ("du", "au", "categorie")
DATE_PARAMS = ("du", "au", "quand", "apres")
SHORTCUT_LABELS = {
    "aujourdhui": gettext_lazy("Aujourd'hui"),
    "ce-week-end": gettext_lazy("Ce week-end"),
    "cette-semaine": gettext_lazy("Cette semaine"),
}
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


# ---- the list ------------------------------------------------------------------------------


class AgendaForm(forms.Form):
    """The filters, for display: the values are read (and refused) by AgendaFilters."""

    du = forms.CharField(
        label=gettext_lazy("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    au = forms.CharField(
        label=gettext_lazy("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    categorie = forms.CharField(label=gettext_lazy("Catégorie"), required=False, widget=forms.Select)
    ville = forms.CharField(label=gettext_lazy("Commune"), required=False, widget=forms.Select)

    def __init__(self, *args, towns: list[str], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        everything = [("", gettext("Toutes"))]
        self.fields["categorie"].widget.choices = everything + list(Event.Category.choices)
        chosen = (self.data.get("ville") or "").strip()
        if chosen and chosen not in towns:
            towns = [*towns, chosen]
        self.fields["ville"].widget.choices = everything + [(town, town) for town in towns]

    def show_errors(self, errors: dict[str | None, str]) -> None:
        self.is_valid()
        for name, message in errors.items():
            self.add_error(name, message)
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"
                self.fields[name].widget.attrs["aria-invalid"] = "true"


def read_filters(params) -> tuple[AgendaFilters | None, dict[str | None, str]]:
    """The filters, or the error on the form field at fault (the end date when only the range
    is wrong)."""
    try:
        return AgendaFilters.from_query(params), {}
    except BadFilter as error:
        for name in FILTER_FIELDS:
            try:
                AgendaFilters.from_query({name: params.get(name, "")})
            except BadFilter:
                return None, {name: str(error)}
        try:
            AgendaFilters.from_query({"du": params.get("du", ""), "au": params.get("au", "")})
        except BadFilter:
            return None, {"au": str(error)}  # the range is the wrong way round
        return None, {None: str(error)}


def paris_today() -> datetime.date:
    return timezone.localdate(timezone=PARIS)


def with_shortcut(filters: AgendaFilters, params) -> tuple[AgendaFilters, str]:
    """The filters with the period « quand » names, and that name; typed dates win over it
    (the form keeps the shortcut in a hidden field so that a category chosen keeps the period)."""
    name = (params.get("quand") or "").strip()
    if not name or filters.start or filters.end:
        return filters, ""
    start, end = selectors.shortcut_period(name, paris_today())
    return dataclasses.replace(filters, start=start, end=end), name


def encode_cursor(event: Event) -> str:
    raw = json.dumps([event.starts_at.isoformat(), event.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        starts_at = datetime.datetime.fromisoformat(moment)
        if not isinstance(pk, int) or timezone.is_naive(starts_at):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadFilter(gettext("Curseur de pagination invalide.")) from None
    return starts_at, pk


def row(event: Event, lang: str) -> dict:
    return {
        "event": event,
        "title": text_in(event, "title", lang),
        "summary": text_in(event, "summary", lang),
        "price": text_in(event, "price_text", lang),
    }


class AgendaView(TemplateView):
    template_name = "public/agenda.html"

    def get(self, request, *args, **kwargs):
        lang = content_language(request)
        form = AgendaForm(request.GET, towns=event_selectors.agenda_towns(request.office))
        context = {"form": form, "lang": lang, "languages": CONTENT_LANGUAGES}
        filters, errors = read_filters(request.GET)
        shortcut = ""
        if not errors:
            try:
                filters, shortcut = with_shortcut(filters, request.GET)
                context.update(self.results(filters, lang))
            except BadFilter as error:
                errors = {None: str(error)}
        dated = bool(request.GET.get("du") or request.GET.get("au"))
        context.update(shortcut=shortcut, shortcuts=self.shortcut_links(shortcut, dated=dated))
        if errors:
            form.show_errors(errors)
            context["errors"] = errors
            return self.render_to_response(self.get_context_data(**context), status=400)
        return self.render_to_response(self.get_context_data(**context))

    def results(self, filters: AgendaFilters, lang: str) -> dict:
        office = self.request.office
        cursor = self.request.GET.get("apres", "").strip()
        after = decode_cursor(cursor)
        today = paris_today()
        period = {"start": filters.start, "end": filters.end} if filters.start or filters.end else {}
        if filters.end and filters.end < today:
            # Its events are over: nothing to list, and no query to run.
            return {"rows": [], "past": True, "period": period, "feed_url": self.feed_link()}
        filters = dataclasses.replace(filters, start=max(filters.start or today, today))
        queryset = selectors.agenda(office, filters)
        queryset = event_selectors.start_bound(queryset, filters.start)
        if after:
            queryset = event_selectors.page_after(queryset, starts_at=after[0], pk=after[1])
        events = list(queryset[: PAGE_SIZE + 1])
        if not events and after:
            raise BadFilter(gettext("Page hors limites : il n'y a pas d'événement au-delà."))
        more = len(events) > PAGE_SIZE
        events = events[:PAGE_SIZE]
        return {
            "rows": [row(event, lang) for event in events],
            "next_url": self.link(apres=encode_cursor(events[-1])) if more else "",
            "first_url": self.link() if after else "",
            "feed_url": self.feed_link(),
            "period": period,
        }

    def shortcut_links(self, active: str, *, dated: bool) -> list[dict]:
        """« Toutes les dates » and each shortcut, keeping the other filters; the current one
        marked (none when dates were typed: the form shows them)."""
        links = [
            {
                "label": gettext("Toutes les dates"),
                "url": self.period_link(),
                "current": not (active or dated),
            }
        ]
        for name in selectors.DATE_SHORTCUTS:
            label = SHORTCUT_LABELS[name]
            links.append({"label": label, "url": self.period_link(quand=name), "current": name == active})
        return links

    def period_link(self, **changes) -> str:
        params = self.request.GET.copy()
        for name in DATE_PARAMS:
            params.pop(name, None)
        params.update(changes)
        query = params.urlencode()
        return f"{self.request.path}?{query}" if query else self.request.path

    def link(self, **changes) -> str:
        params = self.request.GET.copy()
        params.pop("apres", None)
        for name, value in changes.items():
            params[name] = value
        query = params.urlencode()
        return f"{self.request.path}?{query}" if query else self.request.path

    def feed_link(self) -> str:
        params = self.request.GET.copy()
        params.pop("apres", None)
        url = reverse("public:agenda_ics", kwargs={"office_slug": self.request.office.slug})
        query = params.urlencode()
        return f"{url}?{query}" if query else url


# ---- one event -----------------------------------------------------------------------------


def not_found(request) -> TemplateResponse:
    return TemplateResponse(
        request,
        "public/agenda_404.html",
        {"message": gettext("Cet événement n'existe pas ou n'est pas publié.")},
        status=404,
    )


def _iso(event: Event, moment: datetime.datetime) -> str:
    local = timezone.localtime(moment, ical.PARIS)
    return local.date().isoformat() if event.all_day else local.isoformat(timespec="minutes")


def _place(event: Event) -> dict:
    place = {
        "@type": "Place",
        "name": event.place_name or event.city,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": event.address,
            "postalCode": event.postcode,
            "addressLocality": event.city,
            "addressCountry": "FR",
        },
    }
    if event.latitude is not None and event.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(event.latitude),
            "longitude": float(event.longitude),
        }
    return place


def event_jsonld(event: Event, *, lang: str, url: str, organiser: str) -> dict:
    """schema.org Event, from the published content."""
    cancelled = event.status == Event.Status.CANCELLED
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": url,
        "url": url,
        "name": text_in(event, "title", lang),
        "inLanguage": lang,
        "startDate": _iso(event, event.starts_at),
        "endDate": _iso(event, event.ends_at),
        "eventStatus": "https://schema.org/" + ("EventCancelled" if cancelled else "EventScheduled"),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": _place(event),
        "isAccessibleForFree": event.is_free,
    }
    description = text_in(event, "description", lang) or text_in(event, "summary", lang)
    if description:
        data["description"] = description
    data["organizer"] = {"@type": "Organization", "name": organiser}
    offer = {"@type": "Offer", "url": event.booking_url or url}
    if event.is_free:
        offer.update(price="0", priceCurrency="EUR")
    price = text_in(event, "price_text", lang)
    if price:
        offer["description"] = price
    if event.is_free or price or event.booking_url:
        data["offers"] = offer
    return data


def script_content(data: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> element: nothing in it can close it."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_ESCAPES))  # noqa: S308 — escaped


class EventPageView(TemplateView):
    template_name = "public/event.html"

    def get(self, request, *args, **kwargs):
        try:
            self.event = selectors.announced_event(request.office, kwargs["event_id"])
        except Http404:
            return not_found(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event, lang = self.event, content_language(self.request)
        url = self.request.build_absolute_uri(self.request.path)
        organiser = event.organisation.name if event.organisation_id else self.request.office.name
        listing_id = None
        if event.establishment_id:
            listing_id = (
                selectors.published_listings(self.request.office)
                .filter(establishment_id=event.establishment_id)
                .values_list("pk", flat=True)
                .first()
            )
        context.update(
            event=event,
            lang=lang,
            languages=CONTENT_LANGUAGES,
            title=text_in(event, "title", lang),
            summary=text_in(event, "summary", lang),
            description=text_in(event, "description", lang),
            price=text_in(event, "price_text", lang),
            location=ical.location_of(event),
            cancelled=event.status == Event.Status.CANCELLED,
            listing_id=listing_id,
            organiser=organiser,
            jsonld=script_content(event_jsonld(event, lang=lang, url=url, organiser=organiser)),
        )
        return context


# ---- iCalendar feeds -----------------------------------------------------------------------


def ics_response(body: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


def event_url_maker(request):
    office_slug = request.office.slug

    def url_of(event: Event) -> str:
        return request.build_absolute_uri(
            reverse("public:event", kwargs={"office_slug": office_slug, "event_id": event.pk})
        )

    return url_of


class EventIcsView(View):
    def get(self, request, *args, **kwargs):
        try:
            event = selectors.announced_event(request.office, kwargs["event_id"])
        except Http404:
            return not_found(request)
        lang = content_language(request)
        body = ical.calendar(
            [event], name=text_in(event, "title", lang), url_of=event_url_maker(request), lang=lang
        )
        return ics_response(body, filename=f"evenement-{event.pk}.ics")


class AgendaIcsView(View):
    """The agenda's filters as a feed a calendar subscribes to (published and cancelled events,
    from the start date — today by default — at most FEED_LIMIT)."""

    def get(self, request, *args, **kwargs):
        try:
            filters, _shortcut = with_shortcut(AgendaFilters.from_query(request.GET), request.GET)
        except BadFilter as error:
            return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
        lang = content_language(request)
        events = selectors.agenda_feed(request.office, filters)
        name = gettext("Agenda — %(office)s") % {"office": request.office.name}
        body = ical.calendar(events, name=name, url_of=event_url_maker(request), lang=lang)
        return ics_response(body, filename="agenda.ics")
