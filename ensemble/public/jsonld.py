"""schema.org JSON-LD for a listing's public page, read by search engines and structured-data
extractors. Built from the published content only, in one content language (the fallback order
of `core.languages` where a translation is missing).

The type follows the category (accommodation → LodgingBusiness, or Hotel, Campground,
BedAndBreakfast when the name says so; restaurants → Restaurant; bars → BarOrPub; leisure →
TouristAttraction; producers → Store; anything else → LocalBusiness), for the office's own
places too (an office lodging is a LodgingBusiness, not a TouristAttraction).
"""

import datetime
import json
from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

from ensemble.core.languages import text_in, texts_in
from ensemble.core.money import format_money
from ensemble.listings.models import Listing, Photo, price_is_outdated
from ensemble.listings.search import fold

SCHEMA = "https://schema.org"
DAYS = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday", 7: "Sunday"}
CATEGORY_TYPES = {
    "hebergement": "LodgingBusiness",
    "restauration": "Restaurant",
    "bars": "BarOrPub",
    "loisirs": "TouristAttraction",
    "terroir": "Store",
}
# Words of a lodging's name that tell a more precise type (folded: lower case, no accents).
LODGING_WORDS = (
    ("hotel", "Hotel"),
    ("camping", "Campground"),
    ("chambre d'hote", "BedAndBreakfast"),
    ("chambres d'hotes", "BedAndBreakfast"),
    ("b&b", "BedAndBreakfast"),
)
# Inside <script>, "<", ">" and "&" are escaped so that no text can close the element.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def schema_type(listing: Listing) -> str:
    establishment = listing.establishment
    kind = CATEGORY_TYPES.get(establishment.category.slug, "LocalBusiness")
    if kind == "LodgingBusiness":
        name = fold(establishment.name)
        for word, precise in LODGING_WORDS:
            if word in name:
                return precise
    return kind


def listing_jsonld(
    listing: Listing,
    *,
    lang: str,
    url: str,
    absolute: Callable[[str], str],
    photos: list[Photo],
    today: datetime.date,
) -> dict:
    """The JSON-LD object of a published listing (prefetched as by published_detail)."""
    establishment = listing.establishment
    data: dict = {
        "@context": SCHEMA,
        "@type": schema_type(listing),
        "@id": url,
        "url": url,
        # The English or Dutch name where the partner gave one (else the French one).
        "name": str(
            texts_in(
                {
                    "fr": establishment.name,
                    "en": getattr(listing, "name_en", ""),
                    "nl": getattr(listing, "name_nl", ""),
                },
                lang,
            )
        ),
        "address": _address(establishment),
    }
    optional = {
        "description": (
            text_in(listing, "short_description", lang) or text_in(listing, "long_description", lang)
        ),
        "geo": _geo(establishment),
        "telephone": _several(establishment.phone, getattr(listing, "extra_phones", [])),
        "email": _several(establishment.email, getattr(listing, "extra_emails", [])),
        "sameAs": _several(establishment.website, getattr(listing, "extra_websites", [])),
        "image": [_image(photo, lang, absolute) for photo in photos],
        "openingHoursSpecification": [
            _opening(period) for period in listing.opening_periods.all() if period.ends_on >= today
        ],
        "amenityFeature": [_feature(amenity, lang) for amenity in listing.amenities.all()],
        "potentialAction": _reserve(listing.booking_url),
    }
    data.update({key: value for key, value in optional.items() if value})
    data.update(_offers(listing, lang, today))
    return data


def _several(main: str, others: list[str]):
    """One value as itself, several as a list (schema.org takes both)."""
    found = [value for value in (main, *others) if value]
    return found[0] if len(found) == 1 else found


def _address(establishment) -> dict:
    return {
        "@type": "PostalAddress",
        "streetAddress": establishment.address,
        "postalCode": establishment.postcode,
        "addressLocality": establishment.city,
        "addressCountry": "FR",
    }


def _geo(establishment) -> dict | None:
    if establishment.latitude is None or establishment.longitude is None:
        return None
    return {
        "@type": "GeoCoordinates",
        "latitude": float(establishment.latitude),
        "longitude": float(establishment.longitude),
    }


def _image(photo: Photo, lang: str, absolute: Callable[[str], str]) -> dict:
    image = {
        "@type": "ImageObject",
        "contentUrl": absolute(photo.image.url),
        "url": absolute(photo.image.url),
        "creditText": photo.credit,
        "copyrightNotice": f"© {photo.credit}",
        "creator": {"@type": "Person", "name": photo.credit},
        "width": photo.width,
        "height": photo.height,
    }
    caption = text_in(photo, "alt_text", lang)
    if caption:
        image["caption"] = caption
    return image


def _opening(period) -> dict:
    closed = {int(day) for day in period.closed_weekdays or []}
    spec = {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": [f"{SCHEMA}/{name}" for day, name in DAYS.items() if day not in closed],
        "validFrom": period.starts_on.isoformat(),
        "validThrough": period.ends_on.isoformat(),
    }
    if period.opens_at:
        spec["opens"] = period.opens_at.strftime("%H:%M")
    if period.closes_at:
        spec["closes"] = period.closes_at.strftime("%H:%M")
    return spec


def _feature(amenity, lang: str) -> dict:
    return {"@type": "LocationFeatureSpecification", "name": text_in(amenity, "name", lang), "value": True}


def _reserve(booking_url: str) -> dict | None:
    if not booking_url:
        return None
    return {
        "@type": "ReserveAction",
        "target": {"@type": "EntryPoint", "urlTemplate": booking_url},
    }


def _offers(listing: Listing, lang: str, today: datetime.date) -> dict:
    """The current season's prices (a past season's are not offered any more) as offers, and
    their range."""
    prices = [p for p in listing.prices.all() if not price_is_outdated(p, today)]
    if not prices:
        return {}
    offers = [_offer(price, lang) for price in prices]
    low = min(p.amount for p in prices)
    high = max(p.amount_max or p.amount for p in prices)
    ends = [format_money(amount, lang, short=True) for amount in dict.fromkeys((low, high))]
    return {"makesOffer": offers, "priceRange": " – ".join(ends)}  # as the page's language writes it


def _offer(price, lang: str) -> dict:
    offer = {
        "@type": "Offer",
        "name": text_in(price, "label", lang),
        "priceCurrency": "EUR",
        "validFrom": (price.valid_from or datetime.date(price.season_year, 1, 1)).isoformat(),
        "validThrough": (price.valid_through or datetime.date(price.season_year, 12, 31)).isoformat(),
    }
    if price.amount_max is None:
        offer["price"] = str(price.amount)
    else:
        offer["priceSpecification"] = {
            "@type": "PriceSpecification",
            "minPrice": str(price.amount),
            "maxPrice": str(price.amount_max),
            "priceCurrency": "EUR",
        }
    return offer


def script_content(data: dict) -> SafeString:
    """The JSON text to put between <script type="application/ld+json"> and </script>."""
    return mark_safe(json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_ESCAPES))  # noqa: S308
