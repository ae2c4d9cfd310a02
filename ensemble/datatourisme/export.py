"""A published listing as a DATAtourisme object (JSON-LD), for the national platform and the
regional information systems that read its format.

Only the approved, published content goes out (the rows the public pages read). The data's
producer and owner (`hasBeenCreatedBy`, `isOwnedBy`) is the office, as on the platform where
each tourism office publishes its territory; partners' legal entities are not exported.
"""

import datetime
from collections.abc import Callable

from django.utils import timezone

from ensemble.core.models import Office
from ensemble.listings.models import Listing, OpeningPeriod, Photo, Price

from .vocabulary import CATEGORY_CLASSES, CONTEXT, OFFICE_PLACE_CLASSES, PLACE, SOURCE

LANGS = ("fr", "en", "nl")
DAYS = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday", 7: "Sunday"}


def classes(listing: Listing) -> list[str]:
    slug = listing.establishment.category.slug
    if listing.is_office_place and slug == "loisirs":
        return [*OFFICE_PLACE_CLASSES, *PLACE]
    return [*CATEGORY_CLASSES.get(slug, []), *PLACE]


def language_map(values: dict[str, str]) -> dict[str, list[str]]:
    return {lang: [text] for lang, text in values.items() if text}


def _texts(obj, field: str) -> dict[str, str]:
    return {lang: getattr(obj, f"{field}_{lang}", "") or "" for lang in LANGS}


def listing_object(
    listing: Listing,
    *,
    office: Office,
    url: str,
    absolute: Callable[[str], str],
    context: bool = True,
) -> dict:
    """The DATAtourisme object of a listing prefetched by `selectors.exportable_listings`.
    `url` is its @id (the public page); `absolute` makes a path an absolute URL."""
    establishment = listing.establishment
    data: dict = {"@context": CONTEXT} if context else {}
    data.update(
        {
            "@id": url,
            "@type": classes(listing),
            "dc:identifier": str(listing.pk),
            "rdfs:label": {lang: [establishment.name] for lang in LANGS},
        }
    )
    if listing.source == SOURCE and listing.external_id:
        data["owl:sameAs"] = [listing.external_id]
    short = language_map(_texts(listing, "short_description"))
    if short:
        data["rdfs:comment"] = short
    description = _description(listing)
    if description:
        data["hasDescription"] = [description]
    data["isLocatedAt"] = [_place(listing)]
    contact = _contact(establishment)
    if contact:
        data["hasContact"] = [contact]
    if listing.booking_url:
        data["hasBookingContact"] = [
            {"@type": ["foaf:Agent", "Agent"], "foaf:homepage": [listing.booking_url]}
        ]
    offers = _offers(listing.prices.all())
    if offers:
        data["offers"] = offers
    photos = [_representation(photo, absolute) for photo in listing.photos.all()]
    if photos:
        data["hasMainRepresentation"] = photos[:1]
        if photos[1:]:
            data["hasRepresentation"] = photos[1:]
    agent = _office_agent(office, absolute)
    data["hasBeenCreatedBy"] = agent
    data["isOwnedBy"] = [agent]
    data["lastUpdate"] = timezone.localdate(listing.updated_at).isoformat()
    return data


def _description(listing: Listing) -> dict:
    short = language_map(_texts(listing, "short_description"))
    long = language_map(_texts(listing, "long_description"))
    if not short and not long:
        return {}
    description: dict = {"@type": ["Description"]}
    if short:
        description["shortDescription"] = short
    if long:
        description["dc:description"] = long
    return description


def _place(listing: Listing) -> dict:
    establishment = listing.establishment
    place: dict = {
        "@type": ["schema:Place", "Place"],
        "schema:address": [
            {
                "@type": ["schema:PostalAddress", "PostalAddress"],
                "schema:streetAddress": [establishment.address],
                "schema:postalCode": establishment.postcode,
                "schema:addressLocality": establishment.city,
                "hasAddressCity": {"@type": ["City"], "rdfs:label": {"fr": [establishment.city]}},
            }
        ],
    }
    if establishment.latitude is not None and establishment.longitude is not None:
        place["schema:geo"] = {
            "@type": ["schema:GeoCoordinates"],
            "schema:latitude": str(establishment.latitude),
            "schema:longitude": str(establishment.longitude),
        }
    hours = [_opening(period) for period in listing.opening_periods.all()]
    if hours:
        place["schema:openingHoursSpecification"] = hours
    return place


def _opening(period: OpeningPeriod) -> dict:
    spec: dict = {
        "@type": ["schema:OpeningHoursSpecification"],
        "schema:validFrom": datetime.datetime.combine(period.starts_on, datetime.time.min).isoformat(),
        "schema:validThrough": datetime.datetime.combine(
            period.ends_on, datetime.time(23, 59, 59)
        ).isoformat(),
        "schema:dayOfWeek": [
            {"@id": f"schema:{name}"} for day, name in DAYS.items() if day not in period.closed_weekdays
        ],
    }
    if period.opens_at:
        spec["schema:opens"] = period.opens_at.strftime("%H:%M:%S")
    if period.closes_at:
        spec["schema:closes"] = period.closes_at.strftime("%H:%M:%S")
    if period.note:
        spec["additionalInformation"] = {"fr": [period.note]}
    return spec


def _contact(establishment) -> dict:
    contact: dict = {"@type": ["foaf:Agent", "Agent"]}
    if establishment.phone:
        contact["schema:telephone"] = [establishment.phone]
    if establishment.email:
        contact["schema:email"] = [establishment.email]
    if establishment.website:
        contact["foaf:homepage"] = [establishment.website]
    return contact if len(contact) > 1 else {}


def _offers(prices) -> list[dict]:
    specifications = [
        _price(price) for price in sorted(prices, key=lambda p: (-p.season_year, p.position, p.pk))
    ]
    if not specifications:
        return []
    return [{"@type": ["schema:Offer", "Offer"], "schema:priceSpecification": specifications}]


def _price(price: Price) -> dict:
    spec: dict = {
        "@type": ["schema:PriceSpecification"],
        "schema:minPrice": [str(price.amount)],
        "schema:maxPrice": [str(price.amount_max if price.amount_max is not None else price.amount)],
        "schema:priceCurrency": "EUR",
        "schema:validFrom": f"{price.season_year}-01-01T00:00:00",
        "schema:validThrough": f"{price.season_year}-12-31T23:59:59",
    }
    labels = language_map(_texts(price, "label"))
    if labels:
        spec["additionalInformation"] = labels
    return spec


def _representation(photo: Photo, absolute: Callable[[str], str]) -> dict:
    annotation: dict = {"@type": ["ebucore:Annotation", "Annotation"], "credits": [photo.credit]}
    alts = language_map(_texts(photo, "alt_text"))
    if alts:
        annotation["ebucore:title"] = alts
    return {
        "@type": ["ebucore:EditorialObject", "foaf:Image"],
        "ebucore:hasAnnotation": [annotation],
        "ebucore:hasRelatedResource": [
            {
                "@type": ["ebucore:Resource"],
                "ebucore:locator": [absolute(photo.image.url)],
                "ebucore:hasMimeType": [{"@id": "kb:image/jpeg"}],
                "ebucore:width": photo.width,
                "ebucore:height": photo.height,
            }
        ],
    }


def _office_agent(office: Office, absolute: Callable[[str], str]) -> dict:
    agent: dict = {
        "@type": ["schema:Organization", "foaf:Agent", "Agent"],
        "schema:legalName": office.legal_name or office.name,
    }
    if office.email:
        agent["schema:email"] = [office.email]
    agent["foaf:homepage"] = [absolute(f"/{office.slug}/")]
    return agent
