"""Full-text search of listings: PostgreSQL's French full-text search, accent-insensitive
(`french_unaccent`: unaccent then the French stemmer, set up by migration 0002), ranked with the
listings whose name matches first, then the others, each in name order; on SQLite a portable
fallback matches every word in the folded text.

The searched text is kept on the listing (`search_document`, `search_vector`, `sort_name`) by
`refresh_search`, which the services call after every approved change.
"""

import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet, TextField, Value

from .models import Listing

CONFIG = "french_unaccent"
MAX_QUERY_LENGTH = 200


def fold(text: str) -> str:
    """Lower case without accents: « Église Saint-Éloi » → « eglise saint-eloi »."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _document(listing: Listing) -> tuple[str, str]:
    establishment = listing.establishment
    category = establishment.category
    parts = [
        establishment.city,
        category.name,
        category.name_en,
        category.name_nl,
        *(getattr(listing, f"{base}_{lang}") or "" for base in ("short_description", "long_description")
          for lang in ("fr", "en", "nl")),
        *(a.name_fr or "" for a in listing.amenities.all()),
    ]  # fmt: skip
    return establishment.name, " ".join(p for p in parts if p)


def refresh_search(listing: Listing) -> None:
    """Recompute the listing's sort name and searchable text (and vector on PostgreSQL)."""
    name, rest = _document(listing)
    values = {"sort_name": fold(name)[:200], "search_document": fold(f"{name} {rest}")}
    if connection.vendor == "postgresql":
        values["search_vector"] = SearchVector(
            Value(name, output_field=TextField()), weight="A", config=CONFIG
        ) + SearchVector(Value(rest, output_field=TextField()), weight="B", config=CONFIG)
    Listing.objects.filter(pk=listing.pk).update(**values)


def _query(text: str) -> SearchQuery:
    return SearchQuery(text, config=CONFIG, search_type="websearch")


def clean(text: str) -> str:
    """The searched text as the search uses it: single spaces, at most 200 characters."""
    return " ".join((text or "").split())[:MAX_QUERY_LENGTH]


def matching(queryset: QuerySet[Listing], text: str) -> QuerySet[Listing]:
    """Listings matching every word of `text` (French stemming and no accents on PostgreSQL,
    folded substrings on SQLite), in no particular order."""
    text = clean(text)
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        return queryset.filter(search_vector=_query(text))
    for word in fold(text).split():
        queryset = queryset.filter(search_document__contains=word)
    return queryset


def split_by_name(queryset: QuerySet[Listing], text: str) -> tuple[QuerySet[Listing], QuerySet[Listing]]:
    """(the listings of `queryset` whose name matches `text`, the other matches): search
    results list the first before the second. On PostgreSQL the name match is read from the
    GIN index on the name's vector (migration 0005); a name match is a match, so the first
    part does not test the whole text's vector at all."""
    text = clean(text)
    if connection.vendor == "postgresql":
        query = _query(text)
        queryset = queryset.alias(name_vector=SearchVector("sort_name", config=CONFIG))
        return queryset.filter(name_vector=query), matching(queryset, text).exclude(name_vector=query)
    in_name = Q(*(Q(sort_name__contains=word) for word in fold(text).split()))
    return queryset.filter(in_name), matching(queryset, text).exclude(in_name)
