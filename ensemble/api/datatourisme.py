"""GET /datatourisme/listings and /datatourisme/listings/{id}.jsonld: the published listings as
DATAtourisme objects (JSON-LD), for the national platform and regional systems; likewise
/datatourisme/events and /datatourisme/events/{id}.jsonld for the agenda's events."""

import json
from typing import Annotated

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router

from ensemble.datatourisme import export
from ensemble.datatourisme import selectors as datatourisme
from ensemble.datatourisme.vocabulary import CONTEXT
from ensemble.publishing import selectors as publishing
from ensemble.publishing.selectors import DirectoryFilters

from .common import DATE_TIME, MAX_ID, absolute, page_url, set_last_modified, start_of_today
from .listings import listing_page, public_url
from .schemas import Error
from .selectors import changed_listings, listings_changed_at

router = Router(tags=["DATAtourisme"])
JSONLD = "application/ld+json"
HYDRA = "http://www.w3.org/ns/hydra/core#"
JSONLD_RESPONSE = {
    "200": {"description": "Objet(s) DATAtourisme", "content": {JSONLD: {"schema": {"type": "object"}}}}
}


def _jsonld(data: dict) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type=f"{JSONLD}; charset=utf-8")


@router.get(
    "/datatourisme/listings/{int:listing_id}.jsonld",
    response={404: Error},
    operation_id="getListingDatatourisme",
    summary="Une fiche au format DATAtourisme",
    description=(
        "L'objet DATAtourisme (JSON-LD, ontologie https://www.datatourisme.fr/ontology/core#) "
        "d'une fiche publiée."
    ),
    openapi_extra={"responses": JSONLD_RESPONSE},
    url_name="datatourisme_listing",
)
def get_listing_jsonld(request: HttpRequest, listing_id: int):
    if listing_id > MAX_ID:
        raise Http404
    listing = datatourisme.exportable_listing(request.office, listing_id)
    response = _jsonld(_object(request, listing, extra=export.category_classes(request.office)))
    set_last_modified(response, start_of_today(), listing.updated_at, listing.establishment.updated_at)
    return response


@router.get(
    "/datatourisme/listings",
    response={400: Error},
    operation_id="listListingsDatatourisme",
    summary="Les fiches publiées au format DATAtourisme",
    description=(
        "Une collection Hydra (`hydra:member`) d'objets DATAtourisme, par pages (`hydra:next`). "
        "Mêmes filtres que /listings, dont `since`."
    ),
    openapi_extra={"responses": JSONLD_RESPONSE},
)
def list_listings_jsonld(
    request: HttpRequest,
    category: str = Query("", description="Identifiant de catégorie (voir /categories)."),
    town: str = Query("", description="Commune."),
    since: Annotated[str, DATE_TIME] = Query("", description="Modifiées après ce moment (ISO 8601)."),
    cursor: str = Query("", description="Le curseur d'une page (donné par `hydra:next`)."),
    limit: int = Query(20, ge=1, le=100, description="Objets par page (100 au plus)."),
):
    office = request.office
    filters = DirectoryFilters.from_query(request.GET)
    since_moment, filters.since = filters.since, None
    filters.q = ""  # no ranking here: plain name order, keyset pages
    publishing.check_filters(office, filters)
    queryset = publishing.directory(office, filters)
    if since_moment:
        queryset = changed_listings(office, queryset, since_moment)
    rows, next_cursor = listing_page(queryset.only("pk", "sort_name"), cursor, limit)
    rows = datatourisme.exportable_listings(office, rows)
    extra = export.category_classes(office)
    collection: dict = {
        "@context": {**CONTEXT, "hydra": HYDRA},
        "@id": request.build_absolute_uri(),
        "@type": "hydra:Collection",
        "hydra:member": [_object(request, listing, context=False, extra=extra) for listing in rows],
    }
    if next_cursor:
        collection["hydra:view"] = {
            "@id": request.build_absolute_uri(),
            "hydra:next": {"@id": page_url(request, next_cursor)},
        }
    response = _jsonld(collection)
    set_last_modified(
        response, start_of_today(), listings_changed_at(office), *(r.establishment.updated_at for r in rows)
    )
    return response


def _object(request: HttpRequest, listing, *, context: bool = True, extra=None) -> dict:
    return export.listing_object(
        listing,
        office=request.office,
        url=public_url(request, listing),
        absolute=lambda path: absolute(request, path),
        context=context,
        extra_classes=extra,
    )


# ---- events ------------------------------------------------------------------------------------


@router.get(
    "/datatourisme/events/{int:event_id}.jsonld",
    response={404: Error},
    operation_id="getEventDatatourisme",
    summary="Un événement au format DATAtourisme",
    description="L'objet DATAtourisme (EntertainmentAndEvent, JSON-LD) d'un événement publié.",
    openapi_extra={"responses": JSONLD_RESPONSE},
)
def get_event_jsonld(request: HttpRequest, event_id: int):
    if event_id > MAX_ID:
        raise Http404
    event = datatourisme.exportable_event(request.office, event_id)
    response = _jsonld(_event(request, event))
    set_last_modified(response, start_of_today(), event.updated_at)
    return response


@router.get(
    "/datatourisme/events",
    response={400: Error},
    operation_id="listEventsDatatourisme",
    summary="Les événements publiés au format DATAtourisme",
    description=(
        "Une collection Hydra (`hydra:member`) des événements publiés à venir ou en cours, par "
        "pages (`hydra:next`)."
    ),
    openapi_extra={"responses": JSONLD_RESPONSE},
)
def list_events_jsonld(
    request: HttpRequest,
    after: int = Query(0, ge=0, le=MAX_ID, description="Le curseur d'une page (donné par `hydra:next`)."),
    limit: int = Query(20, ge=1, le=100, description="Objets par page (100 au plus)."),
):
    rows = list(datatourisme.exportable_events(request.office).filter(pk__gt=after)[: limit + 1])
    more, rows = len(rows) > limit, rows[:limit]
    collection: dict = {
        "@context": {**CONTEXT, "hydra": HYDRA},
        "@id": request.build_absolute_uri(),
        "@type": "hydra:Collection",
        "hydra:member": [_event(request, event, context=False) for event in rows],
    }
    if more:
        query = request.GET.copy()
        query["after"] = str(rows[-1].pk)
        collection["hydra:view"] = {
            "@id": request.build_absolute_uri(),
            "hydra:next": {"@id": request.build_absolute_uri(f"{request.path}?{query.urlencode()}")},
        }
    return _jsonld(collection)


def _event(request: HttpRequest, event, *, context: bool = True) -> dict:
    page = reverse("public:event", kwargs={"office_slug": request.office.slug, "event_id": event.pk})
    return export.event_object(
        event,
        office=request.office,
        url=absolute(request, page),
        absolute=lambda path: absolute(request, path),
        context=context,
    )
