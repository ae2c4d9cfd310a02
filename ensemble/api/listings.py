"""GET /listings and /listings/{id}: the office's published places, as the public pages show them."""

import datetime
from functools import partial
from typing import Annotated

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router

from ensemble.core import page_cache
from ensemble.listings.models import Availability, Listing, Photo, price_is_outdated
from ensemble.publishing import selectors as publishing
from ensemble.publishing.documents import SnapshotListing
from ensemble.publishing.selectors import BadFilter, DirectoryFilters
from ensemble.stats import services as stats_services

from . import selectors
from .common import (
    DATE,
    DATE_TIME,
    MAX_ID,
    absolute,
    coordinate,
    decode,
    encode,
    is_id,
    is_int,
    is_text,
    page_url,
    set_last_modified,
    start_of_today,
    translated,
)
from .schemas import Error, ListingDetail, ListingPage

router = Router(tags=["Fiches"])
AMENITIES = Query([], description="Équipement ou label (voir /amenities) ; répétable.")
AVAILABILITY_DAYS = 30

FILTERS_HELP = (
    "Les filtres sont ceux de l'annuaire public. `since` (ISO 8601, par exemple "
    "2022-12-01T00:00:00+01:00) ne renvoie que les fiches modifiées après ce moment (contenu, "
    "établissement, adhésion, disponibilités) et, en première page, `removed` : les fiches "
    "modifiées depuis qui ne sont plus publiées. Pagination par curseur : suivez `next`."
)


@router.get(
    "/listings",
    response={200: ListingPage, 400: Error},
    operation_id="listListings",
    summary="Fiches publiées",
    description=FILTERS_HELP,
)
def list_listings(
    request: HttpRequest,
    response: HttpResponse,
    q: str = Query("", description="Recherche plein texte (sans accents ni majuscules)."),
    category: str = Query("", description="Identifiant de catégorie (voir /categories)."),
    town: str = Query("", description="Commune, sans tenir compte des majuscules."),
    amenity: list[str] = AMENITIES,
    open_on: Annotated[str, DATE] = Query("", description="Ouvert ce jour-là (AAAA-MM-JJ)."),
    available_on: Annotated[str, DATE] = Query("", description="Disponible cette nuit-là (AAAA-MM-JJ)."),
    accessible: bool = Query(False, description="Avec au moins un équipement d'accessibilité."),
    since: Annotated[str, DATE_TIME] = Query("", description="Modifiées après ce moment (ISO 8601)."),
    cursor: str = Query("", description="Le curseur d'une page (donné par `next`)."),
    limit: int = Query(20, ge=1, le=100, description="Fiches par page (100 au plus)."),
):
    office = request.office
    filters = DirectoryFilters.from_query(request.GET)
    since_moment, filters.since = filters.since, None
    publishing.check_filters(office, filters)
    search, filters.q = filters.q, ""  # search pages apply the search themselves
    queryset = publishing.directory(office, filters)
    if since_moment:
        queryset = selectors.changed_listings(office, queryset, since_moment)
    rows, next_cursor = listing_page(queryset.only("pk", "sort_name"), cursor, limit, search=search)
    rows = publishing.snapshot_listings(office, rows)  # the items' content, from their snapshots
    page_cache.on_serve(request, partial(stats_services.record_api_impressions, [row.pk for row in rows]))
    highlighted = _highlighted(office, rows)
    set_last_modified(
        response,
        start_of_today(),
        selectors.listings_changed_at(office),
        *(row.establishment.updated_at for row in rows),
        selectors.availability_changed_at(office, filters.available_on) if filters.available_on else None,
    )
    return {
        "items": [_summary(request, row, highlighted) for row in rows],
        "next": page_url(request, next_cursor) if next_cursor else None,
        "removed": selectors.removed_listing_ids(office, since_moment)
        if since_moment and not cursor
        else None,
    }


def listing_page(queryset, cursor: str, limit: int, *, search: str = "") -> tuple[list[Listing], str]:
    """Keyset pages in name order; offset pages (capped) for search results (name matches first)."""
    payload = decode(cursor) if cursor else None
    if search:
        if payload is not None and not (len(payload) == 2 and payload[0] == "o" and is_int(payload[1])):
            raise BadFilter("Curseur de pagination invalide.")
        page = publishing.search_page(queryset, search, offset=payload[1] if payload else 0, size=limit)
        return page.items, encode(["o", page.next_offset]) if page.next_offset is not None else ""
    after = ""
    if payload is not None:
        if not (len(payload) == 3 and payload[0] == "k" and is_text(payload[1]) and is_id(payload[2])):
            raise BadFilter("Curseur de pagination invalide.")
        after = publishing.encode_cursor(Listing(sort_name=payload[1], pk=payload[2]))
    page = publishing.keyset_page(queryset, after=after, size=limit)
    last = page.items[-1] if page.next_cursor else None
    return page.items, encode(["k", last.sort_name, last.pk]) if last else ""


def _highlighted(office, rows: list[Listing]) -> set[int]:
    organisations = {row.establishment.organisation_id for row in rows}
    if not organisations:
        return set()
    return set(
        publishing.highlighted_organisations(office)
        .filter(membership__organisation_id__in=organisations)
        .values_list("membership__organisation_id", flat=True)
    )


def _photo(request: HttpRequest, photo: Photo) -> dict:
    return {
        "url": absolute(request, photo.image.url),
        "width": photo.width,
        "height": photo.height,
        "credit": photo.credit,
        "alt": translated(photo, "alt_text"),
    }


def _address(establishment) -> dict:
    return {"street": establishment.address, "postcode": establishment.postcode, "city": establishment.city}


def _geo(establishment) -> dict:
    return {"latitude": coordinate(establishment.latitude), "longitude": coordinate(establishment.longitude)}


def public_url(request: HttpRequest, listing: Listing) -> str:
    path = reverse("public:listing", kwargs={"office_slug": request.office.slug, "listing_id": listing.pk})
    return absolute(request, path)


def _summary(request: HttpRequest, listing: Listing, highlighted: set[int]) -> dict:
    establishment = listing.establishment
    photos = list(listing.photos.all())
    return {
        "id": listing.pk,
        "name": establishment.name,
        "names": {
            "fr": establishment.name,
            "en": getattr(listing, "name_en", "") or "",
            "nl": getattr(listing, "name_nl", "") or "",
        },
        "url": public_url(request, listing),
        "category": establishment.category.slug,
        "is_office_place": listing.is_office_place,
        "highlighted": establishment.organisation_id in highlighted,
        "address": _address(establishment),
        "geo": _geo(establishment),
        "short_description": translated(listing, "short_description"),
        "amenities": [amenity.slug for amenity in listing.amenities.all()],
        "photo": _photo(request, photos[0]) if photos else None,
        "updated_at": listing.updated_at,
    }


@router.get(
    "/listings/{int:listing_id}",
    response={200: ListingDetail, 404: Error},
    operation_id="getListing",
    summary="Une fiche publiée",
    description="Tout le contenu publié d'une fiche ; 404 si elle n'existe pas ou n'est pas publiée.",
)
def get_listing(request: HttpRequest, response: HttpResponse, listing_id: int):
    if listing_id > MAX_ID:
        raise Http404
    # The French snapshot carries every language's texts; what depends on the day (availability,
    # the highlighted packs of live memberships) is read beside it.
    snapshot = publishing.published_snapshot(request.office, listing_id)
    listing = SnapshotListing(snapshot.document, revision=snapshot.revision)
    page_cache.on_serve(request, partial(stats_services.record_api_impressions, [listing.pk]))
    availability = _availability(listing)
    set_last_modified(
        response,
        start_of_today(),
        snapshot.updated_at,  # any change of its content, establishment, amenities or membership
        listing.updated_at,
        listing.establishment.updated_at,
        listing.establishment.category.updated_at,
        *(amenity.updated_at for amenity in listing.amenities.all()),
        *(day.updated_at for day in availability),
    )
    return _detail(request, listing, availability)


def _availability(listing: Listing | SnapshotListing) -> list[Availability]:
    if not listing.establishment.category.has_availability:
        return []
    today = timezone.localdate()
    window = (today, today + datetime.timedelta(days=AVAILABILITY_DAYS - 1))
    return list(Availability.objects.filter(listing_id=listing.pk, date__range=window).order_by("date"))


def _detail(request: HttpRequest, listing: SnapshotListing, availability: list[Availability]) -> dict:
    establishment = listing.establishment
    category = establishment.category
    today = timezone.localdate()
    highlighted = _highlighted(request.office, [listing])
    jsonld = reverse(
        "api-v1:datatourisme_listing",
        kwargs={"office_slug": request.office.slug, "listing_id": listing.pk},
    )
    return {
        **_summary(request, listing, highlighted),
        "datatourisme": absolute(request, jsonld),
        "category": {
            "slug": category.slug,
            "name": {"fr": category.name, "en": category.name_en, "nl": category.name_nl},
            "has_availability": category.has_availability,
            "updated_at": category.updated_at,
        },
        "contact": {
            "phone": establishment.phone,
            "email": establishment.email,
            "website": establishment.website,
            "booking_url": listing.booking_url,
            "extra_phones": listing.extra_phones,
            "extra_emails": listing.extra_emails,
            "extra_websites": listing.extra_websites,
        },
        "long_description": translated(listing, "long_description"),
        "capacity": {
            "rooms": listing.rooms,
            "beds": listing.beds,
            "covers": listing.covers,
            "group_size": listing.group_size,
        },
        "amenities": [
            {
                "slug": amenity.slug,
                "group": amenity.group,
                "name": translated(amenity, "name"),
                "is_active": amenity.is_active,
                "updated_at": amenity.updated_at,
            }
            for amenity in listing.amenities.all()
        ],
        "photos": [_photo(request, photo) for photo in listing.photos.all()],
        "opening_periods": [
            {
                "starts_on": period.starts_on,
                "ends_on": period.ends_on,
                "opens_at": period.opens_at.strftime("%H:%M") if period.opens_at else None,
                "closes_at": period.closes_at.strftime("%H:%M") if period.closes_at else None,
                "closed_weekdays": list(period.closed_weekdays),
                "note": translated(period, "note"),
            }
            for period in listing.opening_periods.all()
        ],
        "prices": [
            {
                "label": translated(price, "label"),
                "amount": str(price.amount),
                "amount_max": str(price.amount_max) if price.amount_max is not None else None,
                "currency": "EUR",
                "season": price.season_year,
                "valid_from": price.valid_from,
                "valid_through": price.valid_through,
                "outdated": price_is_outdated(price, today),
            }
            for price in sorted(listing.prices.all(), key=lambda p: (-p.season_year, p.position, p.pk))
        ],
        "availability": [{"date": day.date, "status": day.status} for day in availability],
    }
