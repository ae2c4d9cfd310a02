"""The document of a publication snapshot, and the read-only listing it gives back.

One document per listing and content language. It holds, flat and JSON-native (no Decimal, no
date objects, so a stored document compares equal to a freshly built one):

- the texts resolved in its language, in the fallback order of `core.languages` where a
  translation is missing (`name`,
  `short_description`, `category.name`, each amenity's, photo's and price's, each opening
  period's `note`): what a page in that language shows;
- the raw texts of every language (`i18n`, and `names`/`alts`/`labels`/`notes` on the nested
  items),
  empty where there is no translation: what the API and the DATAtourisme export publish;
- everything else a channel reads: address, geo, contact, capacity, amenities, photos (URL,
  size, credit), opening periods, prices, the establishment and organisation ids.

`SnapshotListing` wraps a document in the attribute shape of a `Listing` prefetched with its
establishment, category, photos, amenities, periods and prices (`listing.establishment.name`,
`listing.photos.all()`, `listing.short_description_en`…), so the renderers that took a listing
(JSON-LD, DATAtourisme, the print guide, the API) read a snapshot unchanged.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils.dateparse import parse_datetime

from ensemble.core.languages import text_in, texts_in
from ensemble.directory.validators import display_phone
from ensemble.listings.models import Listing

from .models import LANGUAGES

VERSION = 1
TRANSLATED = ("short_description", "long_description")


def _in(obj, field: str, lang: str) -> str:
    return text_in(obj, field, lang)  # the fallback order every reader uses


def _raw(obj, field: str) -> dict[str, str]:
    return {lang: getattr(obj, f"{field}_{lang}", "") or "" for lang in LANGUAGES}


def _stamp(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _coordinate(value) -> str | None:
    return str(value) if value is not None else None


def build_document(listing: Listing, lang: str) -> dict:
    """The document of `listing` in `lang`. `listing` is prefetched as by
    `services.snapshot_source` (published photos only, in order)."""
    establishment = listing.establishment
    category = establishment.category
    return {
        "v": VERSION,
        "id": listing.pk,
        "establishment_id": establishment.pk,
        "organisation_id": listing.organisation_id,
        "name": texts_in(_names(listing), lang),
        "names": _names(listing),
        "sort_name": listing.sort_name,
        "is_office_place": listing.is_office_place,
        "source": listing.source,
        "external_id": listing.external_id,
        "short_description": _in(listing, "short_description", lang),
        "long_description": _in(listing, "long_description", lang),
        "i18n": {field: _raw(listing, field) for field in TRANSLATED},
        "other_languages": listing.other_languages or {},
        "category": {
            "id": category.pk,
            "slug": category.slug,
            "name": _in(category, "name", lang),
            "names": {"fr": category.name, "en": category.name_en, "nl": category.name_nl},
            "position": category.position,
            "has_availability": category.has_availability,
            "updated_at": _stamp(category.updated_at),
        },
        "address": {
            "street": establishment.address,
            "postcode": establishment.postcode,
            "city": establishment.city,
        },
        "geo": {
            "latitude": _coordinate(establishment.latitude),
            "longitude": _coordinate(establishment.longitude),
        },
        "contact": {
            "phone": establishment.phone,
            "phone_display": establishment.phone_display if establishment.phone else "",
            "email": establishment.email,
            "website": establishment.website,
            "booking_url": listing.booking_url,
            "extra_phones": [
                {"phone": phone, "display": display_phone(phone)} for phone in listing.extra_phones or []
            ],
            "extra_emails": list(listing.extra_emails or []),
            "extra_websites": list(listing.extra_websites or []),
        },
        "capacity": {
            "rooms": listing.rooms,
            "beds": listing.beds,
            "covers": listing.covers,
            "group_size": listing.group_size,
        },
        "amenities": [
            {
                "id": amenity.pk,
                "slug": amenity.slug,
                "group": amenity.group,
                "name": _in(amenity, "name", lang),
                "names": _raw(amenity, "name"),
                "is_active": amenity.is_active,
                "updated_at": _stamp(amenity.updated_at),
            }
            for amenity in listing.amenities.all()
        ],
        "photos": [
            {
                "id": photo.pk,
                "name": photo.image.name,
                "url": photo.image.url,
                "width": photo.width,
                "height": photo.height,
                "credit": photo.credit,
                "alt": _in(photo, "alt_text", lang),
                "alts": _raw(photo, "alt_text"),
            }
            for photo in listing.photos.all()
        ],
        "opening_periods": [
            {
                "starts_on": period.starts_on.isoformat(),
                "ends_on": period.ends_on.isoformat(),
                "opens_at": period.opens_at.strftime("%H:%M") if period.opens_at else None,
                "closes_at": period.closes_at.strftime("%H:%M") if period.closes_at else None,
                "closed_weekdays": sorted(int(day) for day in period.closed_weekdays or []),
                "note": _in(period, "note", lang),
                "notes": _raw(period, "note"),
            }
            for period in listing.opening_periods.all()
        ],
        "prices": [
            {
                "id": price.pk,
                "label": _in(price, "label", lang),
                "labels": _raw(price, "label"),
                "amount": str(price.amount),
                "amount_max": str(price.amount_max) if price.amount_max is not None else None,
                "season": price.season_year,
                "valid_from": price.valid_from.isoformat() if price.valid_from else None,
                "valid_through": price.valid_through.isoformat() if price.valid_through else None,
                "position": price.position,
            }
            for price in sorted(listing.prices.all(), key=lambda p: (-p.season_year, p.position, p.pk))
        ],
        "updated_at": _stamp(listing.updated_at),
        "establishment_updated_at": _stamp(establishment.updated_at),
    }


def _names(listing: Listing) -> dict[str, str]:
    """The name in each language ("" where the French one stands)."""
    return {"fr": listing.establishment.name, "en": listing.name_en or "", "nl": listing.name_nl or ""}


# ---- reading ---------------------------------------------------------------------------------


class _Many:
    """`.all()` over a list, as a prefetched relation answers it."""

    def __init__(self, items: list):
        self._items = items

    def all(self) -> list:
        return self._items

    def __iter__(self):
        return iter(self._items)


def _translated(values: dict[str, str], field: str) -> dict[str, str]:
    return {f"{field}_{lang}": values.get(lang, "") for lang in LANGUAGES} | {field: values.get("fr", "")}


def _time(value: str | None) -> datetime.time | None:
    return datetime.time.fromisoformat(value) if value else None


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


class SnapshotListing:
    """A published listing read from its snapshot, shaped like a prefetched `Listing`."""

    def __init__(self, document: dict, *, language: str = "fr", revision: int = 0):
        self.document = document
        self.language = language
        self.revision = revision
        self.pk = self.id = document["id"]
        self.organisation_id = document["organisation_id"]
        self.sort_name = document["sort_name"]
        self.is_office_place = document["is_office_place"]
        self.source = document["source"]
        self.external_id = document["external_id"]
        self.booking_url = document["contact"]["booking_url"]
        names = document.get("names") or {"fr": document["name"]}
        self.name_en, self.name_nl = names.get("en", ""), names.get("nl", "")
        self.other_languages = document.get("other_languages", {})
        contact = document["contact"]
        self.extra_phones = [item["phone"] for item in contact.get("extra_phones", [])]
        self.extra_phones_display = [item["display"] for item in contact.get("extra_phones", [])]
        self.extra_emails = contact.get("extra_emails", [])
        self.extra_websites = contact.get("extra_websites", [])
        for field in TRANSLATED:
            for key, value in _translated(document["i18n"][field], field).items():
                setattr(self, key, value)
        for key, value in document["capacity"].items():
            setattr(self, key, value)
        self.updated_at = parse_datetime(document["updated_at"])
        self.establishment = _establishment(document)
        self.amenities = _Many([_amenity(item) for item in document["amenities"]])
        self.photos = _Many([_photo(item) for item in document["photos"]])
        self.opening_periods = _Many([_period(item) for item in document["opening_periods"]])
        self.prices = _Many([_price(item) for item in document["prices"]])

    @property
    def is_published(self) -> bool:
        return True


def _establishment(document: dict) -> SimpleNamespace:
    category = document["category"]
    names = category["names"]
    address, geo, contact = document["address"], document["geo"], document["contact"]
    return SimpleNamespace(
        pk=document["establishment_id"],
        id=document["establishment_id"],
        organisation_id=document["organisation_id"],
        name=(document.get("names") or {}).get("fr") or document["name"],
        category_id=category["id"],
        category=SimpleNamespace(
            pk=category["id"],
            id=category["id"],
            slug=category["slug"],
            name=names["fr"],
            name_en=names["en"],
            name_nl=names["nl"],
            position=category["position"],
            has_availability=category["has_availability"],
            updated_at=parse_datetime(category["updated_at"]) if category["updated_at"] else None,
        ),
        address=address["street"],
        postcode=address["postcode"],
        city=address["city"],
        latitude=_decimal(geo["latitude"]),
        longitude=_decimal(geo["longitude"]),
        phone=contact["phone"],
        phone_display=contact["phone_display"],
        email=contact["email"],
        website=contact["website"],
        updated_at=parse_datetime(document["establishment_updated_at"]),
    )


def _amenity(item: dict) -> SimpleNamespace:
    return SimpleNamespace(
        pk=item["id"],
        slug=item["slug"],
        group=item["group"],
        is_active=item["is_active"],
        updated_at=parse_datetime(item["updated_at"]) if item["updated_at"] else None,
        **_translated(item["names"], "name"),
    )


def _photo(item: dict) -> SimpleNamespace:
    return SimpleNamespace(
        pk=item["id"],
        image=SimpleNamespace(name=item["name"], url=item["url"]),
        width=item["width"],
        height=item["height"],
        credit=item["credit"],
        alt=item["alt"],
        **_translated(item["alts"], "alt_text"),
    )


def _period(item: dict) -> SimpleNamespace:
    return SimpleNamespace(
        starts_on=datetime.date.fromisoformat(item["starts_on"]),
        ends_on=datetime.date.fromisoformat(item["ends_on"]),
        opens_at=_time(item["opens_at"]),
        closes_at=_time(item["closes_at"]),
        closed_weekdays=item["closed_weekdays"],
        # A snapshot written before the notes were translated has its French note only.
        **_translated(item.get("notes") or {"fr": item.get("note", "")}, "note"),
    )


def _price(item: dict) -> SimpleNamespace:
    return SimpleNamespace(
        pk=item["id"],
        amount=Decimal(item["amount"]),
        amount_max=_decimal(item["amount_max"]),
        season_year=item["season"],
        valid_from=_day(item.get("valid_from")),
        valid_through=_day(item.get("valid_through")),
        position=item["position"],
        **_translated(item["labels"], "label"),
    )
