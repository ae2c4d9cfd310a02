"""A published listing as a DATAtourisme object (JSON-LD), for the national platform and the
regional information systems that read its format.

Only the approved, published content goes out (the rows the public pages read). The data's
producer and owner (`hasBeenCreatedBy`, `isOwnedBy`) is the office, as on the platform where
each tourism office publishes its territory; partners' legal entities are not exported.

Everything the importer reads comes back out, so that an export imports back whole: the name
and texts in every language (FR/EN/NL and the others kept), every phone, e-mail and website,
prices with their own period, amenities (`hasFeature`), the category (as classes), the
coordinates; and the agenda's events as `EntertainmentAndEvent` objects (`event_object`).
"""

import datetime
from collections.abc import Callable

from django.utils import timezone

from ensemble.core.models import Office
from ensemble.events.models import Event
from ensemble.listings.models import Listing, OpeningPeriod, Photo, Price

from . import ontology
from .models import ClassMapping
from .vocabulary import CATEGORY_CLASSES, CONTEXT, EVENT_CLASSES, OFFICE_PLACE_CLASSES, PLACE, SOURCE

LANGS = ("fr", "en", "nl")
DAYS = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday", 7: "Sunday"}


def category_classes(office: Office) -> dict[str, list[str]]:
    """The classes of each category the defaults do not type: those the office's table maps to
    it (a class and its ancestors), so that an import reads the category back."""
    found: dict[str, list[str]] = {}
    rows = (
        ClassMapping.objects.filter(office=office).select_related("category").order_by("datatourisme_class")
    )
    for row in rows:
        if row.category.slug not in CATEGORY_CLASSES:
            chain = [name for name in ontology.chain(row.datatourisme_class) if name not in ontology.GENERIC]
            found.setdefault(row.category.slug, [name for name in chain if name not in PLACE])
    return found


def classes(listing: Listing, extra: dict[str, list[str]] | None = None) -> list[str]:
    slug = listing.establishment.category.slug
    if listing.is_office_place and slug == "loisirs":
        return [*OFFICE_PLACE_CLASSES, *PLACE]
    return [*CATEGORY_CLASSES.get(slug, (extra or {}).get(slug, [])), *PLACE]


def language_map(values: dict[str, str]) -> dict[str, list[str]]:
    return {lang: [text] for lang, text in values.items() if text}


def _texts(obj, field: str) -> dict[str, str]:
    return {lang: getattr(obj, f"{field}_{lang}", "") or "" for lang in LANGS}


def _with_others(values: dict[str, str], others: dict, field: str) -> dict[str, list[str]]:
    """FR/EN/NL, then the languages the office does not publish (kept from an import)."""
    found = language_map(values)
    for lang, texts in sorted((others or {}).items()):
        if texts.get(field):
            found[lang] = [texts[field]]
    return found


def _names(listing: Listing) -> dict[str, str]:
    name = listing.establishment.name
    return {
        "fr": name,
        "en": getattr(listing, "name_en", "") or name,
        "nl": getattr(listing, "name_nl", "") or name,
    }


def listing_object(
    listing: Listing,
    *,
    office: Office,
    url: str,
    absolute: Callable[[str], str],
    context: bool = True,
    extra_classes: dict[str, list[str]] | None = None,
) -> dict:
    """The DATAtourisme object of a listing prefetched by `selectors.exportable_listings`.
    `url` is its @id (the public page); `absolute` makes a path an absolute URL;
    `extra_classes`: `category_classes(office)`, for the office's own categories."""
    establishment = listing.establishment
    others = getattr(listing, "other_languages", None) or {}
    data: dict = {"@context": CONTEXT} if context else {}
    data.update(
        {
            "@id": url,
            "@type": classes(listing, extra_classes),
            "dc:identifier": str(listing.pk),
            "rdfs:label": _with_others(_names(listing), others, "name"),
        }
    )
    if listing.source == SOURCE and listing.external_id:
        data["owl:sameAs"] = [listing.external_id]
    short = _with_others(_texts(listing, "short_description"), others, "short_description")
    if short:
        data["rdfs:comment"] = short
    description = _description(listing, others)
    if description:
        data["hasDescription"] = [description]
    data["isLocatedAt"] = [_place(listing)]
    contact = _contact(establishment, listing)
    if contact:
        data["hasContact"] = [contact]
    if listing.booking_url:
        data["hasBookingContact"] = [
            {"@type": ["foaf:Agent", "Agent"], "foaf:homepage": [listing.booking_url]}
        ]
    offers = _offers(listing.prices.all())
    if offers:
        data["offers"] = offers
    features = [_feature(amenity, office, absolute) for amenity in listing.amenities.all()]
    if features:
        data["hasFeature"] = [
            {"@type": ["schema:PropertyValue", "FeatureSpecification"], "features": features}
        ]
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


def _description(listing: Listing, others: dict) -> dict:
    short = _with_others(_texts(listing, "short_description"), others, "short_description")
    long = _with_others(_texts(listing, "long_description"), others, "long_description")
    if not short and not long:
        return {}
    description: dict = {"@type": ["Description"]}
    if short:
        description["shortDescription"] = short
    if long:
        description["dc:description"] = long
    return description


def _place(listing: Listing) -> dict:
    place = _location(listing.establishment)
    hours = [_opening(period) for period in listing.opening_periods.all()]
    if hours:
        place["schema:openingHoursSpecification"] = hours
    return place


def _location(where) -> dict:
    """A place's or an event's isLocatedAt (an establishment, or an event with its own place)."""
    address: dict = {"@type": ["schema:PostalAddress", "PostalAddress"]}
    if where.address:  # an imported place may have none (marked incomplete)
        address["schema:streetAddress"] = [where.address]
    address.update(
        {
            "schema:postalCode": where.postcode,
            "schema:addressLocality": where.city,
            "hasAddressCity": {"@type": ["City"], "rdfs:label": {"fr": [where.city]}},
        }
    )
    place: dict = {"@type": ["schema:Place", "Place"], "schema:address": [address]}
    if where.latitude is not None and where.longitude is not None:
        place["schema:geo"] = {
            "@type": ["schema:GeoCoordinates"],
            "schema:latitude": str(where.latitude),
            "schema:longitude": str(where.longitude),
        }
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
    notes = {lang: [note] for lang in ("fr", "en", "nl") if (note := getattr(period, f"note_{lang}", ""))}
    if notes:
        spec["additionalInformation"] = notes
    return spec


def _contact(establishment, listing) -> dict:
    """Every phone, e-mail and website: the establishment's, then the listing's others."""
    contact: dict = {"@type": ["foaf:Agent", "Agent"]}
    for key, main, others in (
        ("schema:telephone", establishment.phone, getattr(listing, "extra_phones", [])),
        ("schema:email", establishment.email, getattr(listing, "extra_emails", [])),
        ("foaf:homepage", establishment.website, getattr(listing, "extra_websites", [])),
    ):
        found = [value for value in (main, *others) if value]
        if found:
            contact[key] = found
    return contact if len(contact) > 1 else {}


def _offers(prices) -> list[dict]:
    specifications = [
        _price(price)
        for price in sorted(prices, key=lambda p: (p.position, p.pk))  # the office's order
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
        "schema:validFrom": f"{price.valid_from or datetime.date(price.season_year, 1, 1)}T00:00:00",
        "schema:validThrough": f"{price.valid_through or datetime.date(price.season_year, 12, 31)}T23:59:59",
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


def _feature(amenity, office: Office, absolute: Callable[[str], str]) -> dict:
    """An amenity as a DATAtourisme feature: its identifier is the office's amenity (read back
    by its slug, `importer.feature_key`), its label in each language."""
    return {
        "@id": absolute(f"/{office.slug}/api/v1/amenities#{amenity.slug}"),
        "@type": ["Amenity"],
        "rdfs:label": language_map(_texts(amenity, "name")),
    }


# ---- events -----------------------------------------------------------------------------------


def _event_classes(event: Event) -> list[str]:
    return [
        *EVENT_CLASSES.get(event.category, []),
        "schema:Event",
        "EntertainmentAndEvent",
        "PointOfInterest",
    ]


def _period(event: Event) -> dict:
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    period: dict = {
        "@type": ["Period"],
        "startDate": start.date().isoformat(),
        "endDate": end.date().isoformat(),
    }
    if not event.all_day:
        period["startTime"] = start.strftime("%H:%M:%S")
        period["endTime"] = end.strftime("%H:%M:%S")
    return period


def event_object(
    event: Event, *, office: Office, url: str, absolute: Callable[[str], str], context: bool = True
) -> dict:
    """The DATAtourisme object of a published event of the agenda. `url` is its @id."""
    data: dict = {"@context": CONTEXT} if context else {}
    titles = _texts(event, "title")
    data.update(
        {
            "@id": url,
            "@type": _event_classes(event),
            "dc:identifier": str(event.uid),
            "rdfs:label": language_map({lang: titles[lang] or titles["fr"] for lang in LANGS}),
        }
    )
    summary, description = language_map(_texts(event, "summary")), language_map(_texts(event, "description"))
    if summary:
        data["rdfs:comment"] = summary
    if summary or description:
        text: dict = {"@type": ["Description"]}
        if summary:
            text["shortDescription"] = summary
        if description:
            text["dc:description"] = description
        data["hasDescription"] = [text]
    location = _location(event)
    if event.place_name:
        location["rdfs:label"] = {"fr": [event.place_name]}
    data["isLocatedAt"] = [location]
    data["takesPlaceAt"] = [_period(event)]
    if event.booking_url:
        data["hasBookingContact"] = [{"@type": ["foaf:Agent", "Agent"], "foaf:homepage": [event.booking_url]}]
    if event.is_free:
        data["offers"] = [
            {
                "@type": ["schema:Offer", "Offer"],
                "schema:priceSpecification": [
                    {
                        "@type": ["schema:PriceSpecification"],
                        "schema:minPrice": ["0.00"],
                        "schema:priceCurrency": "EUR",
                    }
                ],
            }
        ]
    if event.price_text:
        data["TextPriceSpecification"] = {"fr": [event.price_text]}
    agent = _office_agent(office, absolute)
    data["hasBeenCreatedBy"] = agent
    data["isOwnedBy"] = [agent]
    data["lastUpdate"] = timezone.localdate(event.revised_at or event.updated_at).isoformat()
    return data
