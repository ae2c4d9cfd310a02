"""What the print guide and its exports read: the office's published listings (partners and
office places, `publishing.selectors.published_listings`), grouped by category then town.

A guide may hold a whole region (thousands of listings), so it is read in two passes:
1. `plan_guide`: one query for the order — ids with their category and town only (small
   tuples), sorted in Python by category position, then town and name without accents or case;
   it also gives the table of contents (categories and counts).
2. `guide_chunks`: the listings themselves, `CHUNK_SIZE` at a time, each chunk read from the
   publication snapshots in the guide's language (two queries a chunk: which are still
   published, and their snapshots), so memory and the number of queries depend on the number
   of chunks, never on a listing.
"""

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.db.models import QuerySet

from ensemble.core import links
from ensemble.core.models import Office
from ensemble.directory.models import Category
from ensemble.listings.models import Listing, Photo
from ensemble.listings.search import fold
from ensemble.publishing.documents import SnapshotListing
from ensemble.publishing.selectors import published_listings, snapshot_listings

from .models import GuideEdition

CHUNK_SIZE = 200
LANGUAGES = ("fr", "en", "nl")


# ---- editions ------------------------------------------------------------------------------


def editions(office: Office) -> QuerySet[GuideEdition]:
    return (
        GuideEdition.objects.filter(office=office)
        .select_related("created_by")
        .prefetch_related("categories")
        .order_by("-created_at", "-id")
    )


def edition_detail(office: Office, edition_id: int) -> GuideEdition:
    """An edition of this office (GuideEdition.DoesNotExist otherwise)."""
    return GuideEdition.objects.select_related("office").get(office=office, pk=edition_id)


# ---- the plan: order and table of contents --------------------------------------------------


@dataclasses.dataclass
class Section:
    """A category of the guide, as the table of contents lists it."""

    category_id: int
    slug: str
    name: str
    anchor: str
    count: int = 0


@dataclasses.dataclass
class GuidePlan:
    office: Office
    language: str
    ids: list[int]
    sections: list[Section]

    @property
    def total(self) -> int:
        return len(self.ids)


def category_name(category: Category, language: str) -> str:
    """The category's name in `language` (French when it has none)."""
    if language == "en" and category.name_en:
        return category.name_en
    if language == "nl" and category.name_nl:
        return category.name_nl
    return category.name


def guide_listings(office: Office, categories: Iterable[Category] | None = None) -> QuerySet[Listing]:
    queryset = published_listings(office)
    category_ids = [c.pk for c in categories or ()]
    if category_ids:
        queryset = queryset.filter(establishment__category_id__in=category_ids)
    return queryset


def plan_guide(
    office: Office, *, language: str = "fr", categories: Iterable[Category] | None = None
) -> GuidePlan:
    """The guide's order (category, town, name) and table of contents, in two queries."""
    rows = guide_listings(office, categories).values_list(
        "pk",
        "establishment__category_id",
        "establishment__city",
        "sort_name",
        "establishment__name",
    )
    by_id = {c.pk: c for c in Category.objects.filter(office=office)}

    def key(row):
        pk, category_id, city, sort_name, name = row
        category = by_id[category_id]
        return (category.position, fold(category.name), category_id, fold(city.strip()),
                sort_name or fold(name), pk)  # fmt: skip

    ordered = sorted(rows, key=key)
    sections: dict[int, Section] = {}
    for _, category_id, *_rest in ordered:
        if category_id not in sections:
            category = by_id[category_id]
            sections[category_id] = Section(
                category_id=category_id,
                slug=category.slug,
                name=category_name(category, language),
                anchor=f"categorie-{category.slug}",
            )
        sections[category_id].count += 1
    return GuidePlan(
        office=office, language=language, ids=[row[0] for row in ordered], sections=list(sections.values())
    )


# ---- the entries ---------------------------------------------------------------------------


@dataclasses.dataclass
class GuideEntry:
    """One listing as the guide prints it and the exports list it."""

    listing_id: int
    name: str
    category_id: int
    category: str
    town: str
    town_key: str
    descriptions: dict[str, str]
    description: str
    address: str
    postcode: str
    phone: str
    email: str
    website: str
    public_url: str
    photo: Photo | None
    photo_url: str
    photo_credit: str
    latitude: Decimal | None
    longitude: Decimal | None
    amenities: list[str]
    is_office_place: bool


def public_url(office: Office, listing_id: int) -> str:
    return links.office_url(office, "public:listing", listing_id=listing_id)


def _descriptions(listing: Listing) -> dict[str, str]:
    return {lang: (getattr(listing, f"short_description_{lang}") or "").strip() for lang in LANGUAGES}


def entry_of(listing: Listing | SnapshotListing, *, office: Office, language: str) -> GuideEntry:
    establishment = listing.establishment
    descriptions = _descriptions(listing)
    photos = list(listing.photos.all())  # published ones, in order (with_card_data)
    photo = photos[0] if photos else None
    city = " ".join(establishment.city.split())
    return GuideEntry(
        listing_id=listing.pk,
        name=establishment.name,
        category_id=establishment.category_id,
        category=category_name(establishment.category, language),
        town=city,
        town_key=fold(city),
        descriptions=descriptions,
        description=descriptions.get(language) or descriptions["fr"],
        address=establishment.address,
        postcode=establishment.postcode,
        phone=establishment.phone_display if establishment.phone else "",
        email=establishment.email,
        website=establishment.website,
        public_url=public_url(office, listing.pk),
        photo=photo,
        photo_url=links.absolute_url(office, photo.image.url) if photo else "",
        photo_credit=photo.credit if photo else "",
        latitude=establishment.latitude,
        longitude=establishment.longitude,
        amenities=[getattr(a, f"name_{language}") or a.name_fr or a.name for a in listing.amenities.all()],
        is_office_place=listing.is_office_place,
    )


def guide_chunks(plan: GuidePlan, *, size: int | None = None) -> Iterator[list[GuideEntry]]:
    """The plan's entries, `size` (CHUNK_SIZE) at a time, in the plan's order. A listing
    withdrawn since the plan was made is left out."""
    size = size or CHUNK_SIZE
    for start in range(0, len(plan.ids), size):
        ids: Sequence[int] = plan.ids[start : start + size]
        # Still published (ids only), then their snapshots in the guide's language: one query each.
        still = published_listings(plan.office).filter(pk__in=ids).only("pk")
        loaded = {
            listing.pk: listing
            for listing in snapshot_listings(plan.office, list(still), language=plan.language)
        }
        yield [entry_of(loaded[pk], office=plan.office, language=plan.language) for pk in ids if pk in loaded]


def guide_entries(plan: GuidePlan, *, size: int | None = None) -> Iterator[GuideEntry]:
    for chunk in guide_chunks(plan, size=size):
        yield from chunk
