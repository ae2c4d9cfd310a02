"""The public page of a listing: its last approved content (issue 5 builds the directory
around it). Content languages are French, English and Dutch; a missing translation shows the
French text."""

import datetime

from django.utils import timezone
from django.utils.translation import get_language
from django.views.generic import TemplateView

from ensemble.listings import selectors
from ensemble.listings.models import Availability

CONTENT_LANGUAGES = {"fr": "Français", "en": "English", "nl": "Nederlands"}


def _in(obj, field: str, lang: str) -> str:
    return getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_fr", "") or ""


class ListingPageView(TemplateView):
    template_name = "public/listing.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listing = selectors.published_listing(self.request.office, kwargs["listing_id"])
        lang = self.request.GET.get("langue") or (get_language() or "fr")[:2]
        if lang not in CONTENT_LANGUAGES:
            lang = "fr"
        today = timezone.localdate()
        context.update(
            listing=listing,
            establishment=listing.establishment,
            lang=lang,
            languages=CONTENT_LANGUAGES,
            short_description=_in(listing, "short_description", lang),
            long_description=_in(listing, "long_description", lang),
            photos=[(p, _in(p, "alt_text", lang)) for p in selectors.published_photos(listing)],
            prices=[(p, _in(p, "label", lang), p.season_year < today.year) for p in listing.prices.all()],
            amenities=[_in(a, "name", lang) for a in listing.amenities.all()],
            periods=[p for p in listing.opening_periods.all() if p.ends_on >= today],
            availability=[
                (day, Availability.Status(status).label)
                for day, status in sorted(
                    selectors.availability(
                        listing, start=today, end=today + datetime.timedelta(days=13)
                    ).items()
                )
            ],
        )
        return context
