"""GET /categories and /amenities: the office's lists the filters use."""

from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from ninja import Router

from ensemble.directory.models import Category
from ensemble.listings.models import Amenity

from .common import set_last_modified, translated
from .schemas import AmenityOut, CategoryOut

router = Router(tags=["Référentiels"])


@router.get(
    "/categories",
    response=list[CategoryOut],
    operation_id="listCategories",
    summary="Catégories de l'annuaire",
)
def list_categories(request: HttpRequest, response: HttpResponse):
    categories = list(Category.objects.filter(office=request.office).order_by("position", "name", "pk"))
    set_last_modified(response, *(category.updated_at for category in categories))
    return [
        {
            "slug": category.slug,
            "name": {"fr": category.name, "en": category.name_en, "nl": category.name_nl},
            "has_availability": category.has_availability,
            "updated_at": category.updated_at,
        }
        for category in categories
    ]


@router.get(
    "/amenities",
    response=list[AmenityOut],
    operation_id="listAmenities",
    summary="Équipements et labels",
)
def list_amenities(request: HttpRequest, response: HttpResponse):
    amenities = Amenity.objects.filter(office=request.office).order_by("group", "position", "name", "pk")
    set_last_modified(response, amenities.aggregate(at=Max("updated_at"))["at"])
    return [
        {
            "slug": amenity.slug,
            "group": amenity.group,
            "name": translated(amenity, "name"),
            "is_active": amenity.is_active,
            "updated_at": amenity.updated_at,
        }
        for amenity in amenities
    ]
