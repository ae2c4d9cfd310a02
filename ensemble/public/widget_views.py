"""The embeddable widget: a site pastes

    <script src="https://<host>/<office>/widget.js" data-type="listings" data-category="…"
            data-town="…" data-limit="6" data-colour="#0b5d8c" data-background="#ffffff" async>
    </script>

widget.js inserts an <iframe> on /<office>/widget/?type=…, a compact list of the office's
published listings or events, in the host's colours. The colours are checked strictly
(#rrggbb, anything else gives the defaults) and reach the page only through a stylesheet
(/<office>/widget.css?colour=…&background=…) that sets CSS custom properties: the strict CSP
forbids inline styles, and no raw value is ever written into CSS. These views alone may be
framed by other sites (X-Frame-Options exempt, CSP frame-ancestors *).
"""

import functools
import re
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext
from django.views import View
from django.views.decorators.clickjacking import xframe_options_exempt

from ensemble.core import page_cache
from ensemble.core.languages import text_in
from ensemble.events.models import Event
from ensemble.listings.models import Listing
from ensemble.publishing.selectors import (
    AgendaFilters,
    BadFilter,
    DirectoryFilters,
    agenda,
    check_filters,
    directory,
    snapshots_by_listing,
)
from ensemble.stats import services as stats

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_COLOUR = "#0b5a8a"
DEFAULT_BACKGROUND = "#ffffff"
DARK, LIGHT = "#1d2330", "#ffffff"
DEFAULT_LIMIT, MAX_LIMIT = 6, 20
LANGUAGES = ("fr", "en", "nl")
TYPES = ("listings", "events")


# ---- colours -------------------------------------------------------------------------------


def colour(value: str | None, default: str) -> str:
    """`#rrggbb` (lower-cased) or the default: nothing else ever reaches the stylesheet."""
    return value.lower() if value and COLOUR.fullmatch(value) else default


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@functools.lru_cache(maxsize=1024)
def palette(accent: str, background: str) -> dict[str, str]:
    """Text in dark or light ink, whichever reads best on the background; links and headings in
    the host's colour when it keeps a 4.5:1 contrast on that background (WCAG AA), else in the
    ink. `accent` and `background` are already checked."""
    ink = DARK if contrast(DARK, background) >= contrast(LIGHT, background) else LIGHT
    link = accent if contrast(accent, background) >= 4.5 else ink
    return {"accent": link, "background": background, "ink": ink}


def _colours(params) -> tuple[str, str]:
    return (
        colour(params.get("colour") or params.get("color"), DEFAULT_COLOUR),
        colour(params.get("background"), DEFAULT_BACKGROUND),
    )


# ---- framing -------------------------------------------------------------------------------


def frameable_csp() -> str:
    """The site's CSP with frame-ancestors opened to every site (for the widget only)."""
    policy = settings.CONTENT_SECURITY_POLICY
    if "frame-ancestors" in policy:
        return re.sub(r"frame-ancestors[^;]*", "frame-ancestors *", policy)
    return f"{policy}; frame-ancestors *"


def _embeddable(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = frameable_csp()
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


# ---- the script and the stylesheet ---------------------------------------------------------


@functools.cache
def _script() -> bytes:
    path = finders.find("js/widget.js")
    if not path:
        raise Http404
    return Path(path).read_bytes()


class WidgetScriptView(View):
    """/<office>/widget.js: the script a site pastes (the static file, at the office's URL)."""

    def get(self, request, *args, **kwargs):
        response = HttpResponse(_script(), content_type="application/javascript; charset=utf-8")
        response["Cache-Control"] = "public, max-age=3600"
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response


class WidgetStylesheetView(View):
    """/<office>/widget.css?colour=#…&background=#…: the host's colours as custom properties."""

    def get(self, request, *args, **kwargs):
        colours = palette(*_colours(request.GET))
        css = ":root { " + " ".join(f"--widget-{name}: {value};" for name, value in colours.items()) + " }\n"
        response = HttpResponse(css, content_type="text/css; charset=utf-8")
        response["Cache-Control"] = "public, max-age=86400"
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response


# ---- the list ------------------------------------------------------------------------------


def _limit(value: str | None) -> int:
    try:
        limit = int(value or DEFAULT_LIMIT)
    except ValueError:
        return DEFAULT_LIMIT
    return max(1, min(limit, MAX_LIMIT))


def _in(obj, field: str, lang: str) -> str:
    return text_in(obj, field, lang)


def _with_language(url: str, lang: str) -> str:
    return f"{url}?{urlencode({'langue': lang})}" if lang != "fr" else url


def _listing_items(request, listings: list[Listing], lang: str) -> list[dict]:
    """The widget's items from the listings' snapshots in `lang` (one query)."""
    office = request.office
    snapshots = snapshots_by_listing(office, [listing.pk for listing in listings], language=lang)
    items = []
    for listing in listings:
        if listing.pk not in snapshots:
            continue
        document = snapshots[listing.pk].document
        path = reverse("public:listing", kwargs={"office_slug": office.slug, "listing_id": listing.pk})
        items.append(
            {
                "title": document["name"],
                "subtitle": " — ".join(
                    part for part in (document["category"]["name"], document["address"]["city"]) if part
                ),
                "text": document["short_description"],
                "url": request.build_absolute_uri(_with_language(path, lang)),
            }
        )
    return items


def event_url(office, event: Event) -> str:
    return reverse("public:event", kwargs={"office_slug": office.slug, "event_id": event.pk})


def _event_when(event: Event) -> str:
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    if start.date() != end.date():
        return gettext("du %(start)s au %(end)s") % {
            "start": date_format(start, "j F"),
            "end": date_format(end, "j F Y"),
        }
    day = date_format(start, "l j F Y")
    return day if event.all_day else f"{day}, {time_format(start, 'H:i')}"


def _event_items(request, events: list[Event], lang: str) -> list[dict]:
    items = []
    for event in events:
        url = request.build_absolute_uri(_with_language(event_url(request.office, event), lang))
        items.append(
            {
                "title": _in(event, "title", lang),
                "subtitle": " — ".join(
                    part for part in (_event_when(event), event.place_name, event.city) if part
                ),
                "text": _in(event, "summary", lang),
                "url": url,
            }
        )
    return items


@method_decorator(xframe_options_exempt, name="dispatch")
class WidgetView(View):
    """/<office>/widget/?type=listings|events&category=…&town=…&limit=…&colour=…&background=…"""

    def get(self, request, *args, **kwargs):
        params = request.GET
        lang = params.get("langue", params.get("lang", "fr"))
        lang = lang if lang in LANGUAGES else "fr"
        kind = params.get("type", "listings") or "listings"
        accent, background = _colours(params)
        context = {
            "office": request.office,
            "lang": lang,
            "kind": kind,
            "home_url": request.build_absolute_uri(
                reverse("public:home", kwargs={"office_slug": request.office.slug})
            ),
            "stylesheet": reverse("public:widget_css", kwargs={"office_slug": request.office.slug})
            + "?"
            + urlencode({"colour": accent, "background": background}),
        }
        with translation.override(lang):
            try:
                context["items"] = self._items(request, kind, lang, _limit(params.get("limit")))
                status = 200
            except BadFilter as exc:
                context.update(items=[], error=str(exc))
                status = 400
            html = render_to_string("public/widget.html", context, request=request)
        return _embeddable(HttpResponse(html, status=status))

    def _items(self, request, kind: str, lang: str, limit: int) -> list[dict]:
        office = request.office
        if kind == "events":
            events = list(agenda(office, AgendaFilters.from_query(request.GET))[:limit])
            return _event_items(request, events, lang)
        if kind != "listings":
            raise BadFilter(
                gettext("Type de widget inconnu : « %(type)s » (listings ou events).") % {"type": kind[:20]}
            )
        filters = DirectoryFilters.from_query(request.GET)
        filters.q = ""  # the widget lists; it does not search
        check_filters(office, filters)
        listings = list(directory(office, filters).only("pk", "sort_name")[:limit])
        ids = [listing.pk for listing in listings]
        page_cache.on_serve(request, functools.partial(stats.record_widget_impressions, ids))
        return _listing_items(request, listings, lang)
