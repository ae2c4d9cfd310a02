"""Full-text search of listings: PostgreSQL's French full-text search, accent-insensitive
(`french_unaccent`: unaccent then the French stemmer, set up by migration 0002), ranked with the
listings whose name matches first, then the others, each in name order; on SQLite a portable
fallback matches every word in the folded text.

The searched text is kept on the listing (`search_document`, `search_vector`, `sort_name`) by
`refresh_search`, which the services call after every approved change.

A search the full text does not match falls back on `near` (issue 13, item 7): the listings whose
folded name and town (`search_title`) look like the searched words — pg_trgm's word similarity
through a GIN trigram index on PostgreSQL, difflib over the queryset's titles (bounded) on SQLite —
and `suggest` turns the searched words into the closest words of those titles (« Vouliez-vous
dire »).
"""

import difflib
import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramWordSimilarity
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
    values = {
        "sort_name": fold(name)[:200],
        "search_title": fold(f"{name} {listing.establishment.city}")[:300],
        "search_document": fold(f"{name} {rest}"),
    }
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


# ---- the forgiving search ---------------------------------------------------------------

MIN_NEAR_LETTERS = 3  # shorter searches (« a », « ?? ») look like everything: no fallback
MAX_NEAR_WORDS = 8  # a 200-character search compares its first words only
MAX_NEAR_CANDIDATES = 5000  # SQLite: the titles compared in Python at most
NEAR_CUTOFF = 0.75  # SQLite: difflib ratio a searched word needs with a title's word
WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The folded words of `text`, punctuation dropped: « Sant-Omer ! » → ["sant", "omer"]."""
    return WORD.findall(fold(text))[:MAX_NEAR_WORDS]


def near(queryset: QuerySet[Listing], text: str, *, limit: int) -> list[tuple[int, str]]:
    """(id, search_title) of at most `limit` listings of `queryset` whose name or town looks
    like `text`, the closest first (then in name order); [] for a search of fewer than three
    letters or digits. One query."""
    searched = words(clean(text))
    if sum(len(w) for w in searched) < MIN_NEAR_LETTERS:
        return []
    query = " ".join(searched)
    if connection.vendor == "postgresql":
        # `search_title %> query` (word similarity ≥ pg_trgm.word_similarity_threshold, 0.6) is
        # what the GIN trigram index answers; the score only orders the few rows it finds.
        rows = (
            queryset.filter(search_title__trigram_word_similar=query)
            .annotate(closeness=TrigramWordSimilarity(Value(query), "search_title"))
            .order_by("-closeness", "sort_name", "pk")
            .values_list("pk", "search_title")[:limit]
        )
        return list(rows)
    candidates = queryset.order_by("sort_name", "pk").values_list("pk", "search_title")[:MAX_NEAR_CANDIDATES]
    scored = [(score, pk, title) for pk, title in candidates if (score := _closeness(searched, title))]
    scored.sort(key=lambda row: -row[0])  # stable: name order among equals
    return [(pk, title) for _score, pk, title in scored[:limit]]


def _closeness(searched: list[str], title: str) -> float:
    """The mean over the searched words of their best difflib ratio with a word of `title`;
    0 when one searched word has no close word there."""
    title_words = WORD.findall(title)
    if not title_words:
        return 0.0
    total = 0.0
    for word in searched:
        best = max(difflib.SequenceMatcher(None, word, other).ratio() for other in title_words)
        if best < NEAR_CUTOFF and len(word) > 2:
            return 0.0
        total += best
    return total / len(searched)


def suggest(text: str, titles: list[str]) -> str:
    """The search `text` with each word replaced by the closest word of `titles` (the titles
    `near` found, closest first); "" when that changes nothing."""
    searched = words(clean(text))
    vocabulary = list(dict.fromkeys(w for title in titles for w in WORD.findall(title)))
    fixed = []
    for word in searched:
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.6) if len(word) > 2 else []
        fixed.append(close[0] if close else word)
    suggestion = " ".join(fixed)
    return "" if not titles or suggestion == " ".join(searched) else suggestion
