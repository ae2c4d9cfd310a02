"""The reception screens' public side: the full-screen page a desk's browser shows, the JSON
content its script polls, and the banner images. No login: the secret token in the URL opens
one screen of one office; a revoked, unknown or other office's token answers 404.
"""

import datetime

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import get_language, gettext
from django.views.generic import TemplateView, View

from ensemble.core.languages import de_name
from ensemble.core.private_files import serve_private_file
from ensemble.events.models import Event
from ensemble.screens import selectors, services
from ensemble.screens.models import Screen
from ensemble.screens.selectors import ScreenContent

SLIDE_SECONDS = 12
POLL_SECONDS = 5 * 60
EVENTS_PER_SLIDE = 6
SECRET_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "private, no-cache"}


class ScreenMixin:
    """Loads the screen from the URL's token (404 unless active, in this office) and notes it
    was seen (throttled)."""

    screen: Screen

    def dispatch(self, request, *args, **kwargs):
        screen = selectors.active_screen(request.office, kwargs["token"])
        if screen is None:
            raise Http404
        self.screen = screen
        services.record_screen_seen(screen)
        response = super().dispatch(request, *args, **kwargs)
        for header, value in SECRET_HEADERS.items():
            response.headers.setdefault(header, value)
        return response


# ---- slides --------------------------------------------------------------------------------


def _when(event: Event, on: datetime.date) -> str:
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    if start.date() < on:
        return gettext("jusqu'au %(date)s") % {"date": date_format(end, "j F")}
    day = "" if start.date() == on else date_format(start, "l j F")
    if event.all_day:
        return day or gettext("toute la journée")
    hour = time_format(start, "H:i")
    return f"{day}, {hour}" if day else hour


def _event(event: Event, on: datetime.date) -> dict:
    place = ", ".join(part for part in (event.place_name, event.city) if part)
    title = event.title
    if event.status == Event.Status.CANCELLED:
        title = gettext("Annulé : %(title)s") % {"title": title}
    return {"title": title, "when": _when(event, on), "place": place}


def _event_slides(kind: str, title: str, events: list[Event], on: datetime.date) -> list[dict]:
    return [
        {
            "kind": "events",
            "id": f"events-{kind}-{n}",
            "title": title,
            "events": [_event(event, on) for event in events[start : start + EVENTS_PER_SLIDE]],
        }
        for n, start in enumerate(range(0, len(events), EVENTS_PER_SLIDE), start=1)
    ]


def _banner_slide(banner, image_url: str) -> dict:
    establishment = banner.membership.establishment
    partner = establishment.name if establishment else banner.membership.organisation.name
    return {
        "kind": "banner",
        "id": f"banner-{banner.pk}",
        "title": partner,
        "text": banner.text,
        "image": image_url if banner.image else "",
        "width": banner.image_width or 0,
        "height": banner.image_height or 0,
        "alt": gettext("Bandeau %(de_partner)s") % {"de_partner": de_name(partner, get_language() or "fr")},
    }


def build_slides(screen: Screen, token: str, content: ScreenContent) -> list[dict]:
    """The slides in their loop order: banners, today's events, the week's, then messages.
    Every string is ready to show (the script sets them as text, never as HTML)."""
    office = screen.office
    slides = [
        _banner_slide(
            banner,
            reverse(
                "public:screen_banner",
                kwargs={"office_slug": office.slug, "token": token, "banner_id": banner.pk},
            ),
        )
        for banner in content.banners
    ]
    slides += _event_slides("today", gettext("Aujourd'hui"), content.today, content.on)
    slides += _event_slides("week", gettext("Cette semaine"), content.week, content.on)
    slides += [
        {
            "kind": "message",
            "id": f"message-{message.pk}",
            "title": gettext("Information"),
            "text": message.text,
        }
        for message in content.messages
    ]
    if not slides:
        slides.append(
            {
                "kind": "message",
                "id": "welcome",
                "title": office.name,
                "text": gettext("Bienvenue ! Nos conseillers sont à votre écoute."),
            }
        )
    return slides


def screen_data(screen: Screen, token: str) -> dict:
    content = selectors.screen_content(screen)
    return {
        "generated_at": timezone.now().isoformat(),
        "day": content.on.isoformat(),
        "interval": SLIDE_SECONDS,
        "slides": build_slides(screen, token, content),
    }


# ---- views ---------------------------------------------------------------------------------


class ScreenPageView(ScreenMixin, TemplateView):
    """The full-screen page: the slides rendered on the server, and the same content as JSON
    for screen.js, which loops through them and polls for new content."""

    template_name = "public/screen.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        token = kwargs["token"]
        data = screen_data(self.screen, token)
        context.update(
            screen=self.screen,
            office=self.screen.office,
            slides=data["slides"],
            data=data,
            lang=(get_language() or "fr")[:2],
            slide_seconds=SLIDE_SECONDS,
            poll_seconds=POLL_SECONDS,
            content_url=reverse(
                "public:screen_content", kwargs={"office_slug": self.screen.office.slug, "token": token}
            ),
        )
        return context


class ScreenContentView(ScreenMixin, View):
    """What the screen shows now, as JSON (polled every five minutes)."""

    def get(self, request, *args, **kwargs):
        response = JsonResponse(screen_data(self.screen, kwargs["token"]))
        response["Cache-Control"] = "no-store"
        return response


class ScreenBannerImageView(ScreenMixin, View):
    """A partner banner's image, for this screen only while the banner is on the screens: the
    screen's secret URL is the check (the image is a private document the rest of the time)."""

    def get(self, request, *args, **kwargs):
        banner = selectors.banner_for_screen(self.screen, kwargs["banner_id"])
        if banner is None:
            raise Http404
        response = serve_private_file(
            banner.image, filename=f"bandeau-{banner.pk}.jpg", as_attachment=False, content_type="image/jpeg"
        )
        # Kept by the screen's browser for the day, so that it still shows offline.
        response["Cache-Control"] = "private, max-age=86400"
        return response
