"""The public page of a listing: its last approved content, if the listing is published (a live
partner's approved listing, or a place the office publishes itself).

Content languages are French, English and Dutch: the active language (or `?langue=`), with the
French text where a translation is missing. The page embeds its schema.org JSON-LD (jsonld.py).
"""

import datetime
from functools import partial

from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language, gettext
from django.views.generic import TemplateView

from ensemble.core import page_cache
from ensemble.core.languages import text_in, texts_in
from ensemble.listings import selectors as listing_selectors
from ensemble.listings.models import Availability, Listing, price_is_outdated
from ensemble.publishing import selectors
from ensemble.publishing.documents import SnapshotListing
from ensemble.stats import services as stats_services

from . import jsonld

CONTENT_LANGUAGES = {"fr": "Français", "en": "English", "nl": "Nederlands"}
AVAILABILITY_DAYS = 14


def content_language(request) -> str:
    """`?langue=` when it names a content language, else the active language, else French."""
    lang = request.GET.get("langue") or (get_language() or "fr")[:2]
    return lang if lang in CONTENT_LANGUAGES else "fr"


def closing_days(period) -> str:
    """« lundi, mardi » — the weekly closing days in words, in the active language."""
    return ", ".join(str(WEEKDAYS[int(day) - 1]) for day in sorted(period.closed_weekdays or []))


class ListingPageView(TemplateView):
    """One snapshot row (the listing as published, in the page's language), then what depends
    on the day: the next nights' availability and the upcoming events."""

    template_name = "public/listing.html"

    def get(self, request, *args, **kwargs):
        lang = content_language(request)
        try:
            snapshot = selectors.published_snapshot(request.office, kwargs["listing_id"], language=lang)
        except Http404:
            return TemplateResponse(
                request,
                "public/directory_404.html",
                {"message": gettext("Cette fiche n'existe pas ou n'est plus publiée.")},
                status=404,
            )
        self.lang = lang
        self.listing = SnapshotListing(snapshot.document, language=lang, revision=snapshot.revision)
        page_cache.on_serve(request, partial(stats_services.record_page_view, self.listing.pk))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listing, lang, document = self.listing, self.lang, self.listing.document
        today = timezone.localdate()
        photos = listing.photos.all()
        url = self.request.build_absolute_uri(self.request.path)
        data = jsonld.listing_jsonld(
            listing, lang=lang, url=url, absolute=self.request.build_absolute_uri, photos=photos, today=today
        )
        establishment = listing.establishment
        events = selectors.upcoming_events_near(
            self.request.office,
            establishment_id=establishment.pk,
            organisation_id=establishment.organisation_id,
        )
        context.update(
            listing=listing,
            establishment=establishment,
            category_name=document["category"]["name"],
            lang=lang,
            languages=CONTENT_LANGUAGES,
            short_description=texts_in(document["i18n"]["short_description"], lang),
            long_description=texts_in(document["i18n"]["long_description"], lang),
            photos=[(photo, photo.alt) for photo in photos],
            periods=[
                (period, closing_days(period), text_in(period, "note", lang))
                for period in listing.opening_periods.all()
                if period.ends_on >= today
            ],
            prices=[
                (price, text_in(price, "label", lang), price_is_outdated(price, today))
                for price in listing.prices.all()
            ],
            amenities=[texts_in(amenity["names"], lang) for amenity in document["amenities"]],
            capacity=capacity(listing),
            listing_name=document["name"],
            more_contacts=more_contacts(listing),
            availability=availability(listing, today),
            events=[(event, text_in(event, "title", lang)) for event in events],
            jsonld=jsonld.script_content(data),
        )
        return context


def more_contacts(listing: SnapshotListing) -> list[tuple[str, str, str]]:
    """The phones, e-mails and websites beyond the main ones: (kind, link, text)."""
    phones = zip(listing.extra_phones, listing.extra_phones_display, strict=False)
    return [
        *(("phone", f"tel:{phone}", shown) for phone, shown in phones),
        *(("email", f"mailto:{email}", email) for email in listing.extra_emails),
        *(("website", url, url.split("://", 1)[-1].rstrip("/")) for url in listing.extra_websites),
    ]


def category_name(category, lang: str) -> str:
    return text_in(category, "name", lang)


def capacity(listing: Listing | SnapshotListing) -> list[tuple[str, int]]:
    rows = (
        (gettext("Chambres"), listing.rooms),
        (gettext("Lits"), listing.beds),
        (gettext("Couverts"), listing.covers),
        (gettext("Taille de groupe maximale"), listing.group_size),
    )
    return [(label, value) for label, value in rows if value]


def availability(
    listing: Listing | SnapshotListing, today: datetime.date
) -> list[tuple[datetime.date, str, str]]:
    """The next 14 nights of an accommodation: (night, status, label); empty for other categories
    and when none of them is known."""
    if not listing.establishment.category.has_availability:
        return []
    end = today + datetime.timedelta(days=AVAILABILITY_DAYS - 1)
    known = listing_selectors.availability(Listing(pk=listing.pk), start=today, end=end)
    if not known:
        return []  # the partner keeps no availability: no table of blanks
    nights = []
    for offset in range(AVAILABILITY_DAYS):
        night = today + datetime.timedelta(days=offset)
        status = known.get(night, "")
        label = Availability.Status(status).label if status else gettext("Non renseigné")
        nights.append((night, status or "unknown", label))
    return nights
