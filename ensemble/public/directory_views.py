"""The public directory (annuaire) of an office, its accessibility statement and legal notices.

Browsing pages by keyset (« Suivant » carries a cursor: the thousandth page costs what the first
does); searching pages by capped offsets (results are ranked). A malformed filter answers 400 with
its French message on the form; an unknown category in the URL answers 404. The map draws the
page's results with Leaflet from a JSON data block (not executed, so the strict CSP holds), and the
list works without JavaScript.
"""

import dataclasses
import datetime
import hashlib
from types import SimpleNamespace
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy
from django.views.generic import TemplateView

from ensemble.core import page_cache
from ensemble.core.languages import text_in, texts_in
from ensemble.core.models import Office
from ensemble.directory import selectors as directory_selectors
from ensemble.listings import selectors as listing_selectors
from ensemble.listings.models import Amenity
from ensemble.publishing import selectors
from ensemble.publishing.selectors import BadFilter, DirectoryFilters

from .listing_views import category_name, content_language

PAGE_SIZE = selectors.PAGE_SIZE
COUNT_CAP = 1000  # "plus de 1 000 résultats": the count stops there (a LIMITed count stays cheap)
FEATURED_SIZE = 4
FILTERS_CACHE_SECONDS = 600  # a safety net: the content version already keys the entry
STATEMENT_DATE = datetime.date(2026, 11, 30)  # when the accessibility statement was last reviewed
# Filters whose malformed value is tied to a form field (aliases of the API included).
DATE_PARAMS = (
    ("ouvert_le", "ouvert_le"),
    ("open_on", "ouvert_le"),
    ("disponible_le", "disponible_le"),
    ("available_on", "disponible_le"),
)


class DirectoryForm(forms.Form):
    """The filters as a Django form: the reference `filter_fields` renders the same HTML as, by
    hand (tests compare them). The values are read (and refused) by DirectoryFilters."""

    q = forms.CharField(
        label=gettext_lazy("Rechercher"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": 200}),
    )
    categorie = forms.CharField(label=gettext_lazy("Catégorie"), required=False, widget=forms.Select)
    ville = forms.CharField(label=gettext_lazy("Commune"), required=False, widget=forms.Select)
    ouvert_le = forms.CharField(
        label=gettext_lazy("Ouvert le"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    disponible_le = forms.CharField(
        label=gettext_lazy("Disponible le"),
        required=False,
        help_text=gettext_lazy("Hébergements : une nuit libre à cette date."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    accessible = forms.BooleanField(label=gettext_lazy("Accessible (handicap)"), required=False)

    def __init__(self, *args, categories, towns, lang, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        everything = [("", gettext("Toutes"))]
        choices = [(c.slug, category_name(c, lang)) for c in categories]
        self.fields["categorie"].widget.choices = everything + choices
        self.fields["ville"].widget.choices = everything + [(town, town) for town in towns]
        self.describe()

    def describe(self) -> None:
        """Tie each field to its help text and error message (aria-describedby)."""
        for name, field in self.fields.items():
            bound = self[name]
            described = [f"{bound.auto_id}_error"] if self._errors and name in self._errors else []
            if field.help_text:
                described.append(f"{bound.auto_id}_helptext")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
            else:
                field.widget.attrs.pop("aria-describedby", None)

    def show_errors(self, errors: dict[str | None, str]) -> None:
        """The selectors' messages on their fields (the amenities' one is shown by their fieldset)."""
        self.is_valid()
        for name, message in errors.items():
            if name is None or name in self.fields:
                self.add_error(name, message)
        self.describe()


# The filters as the template writes them out (directory_filters.html): Django's widgets went
# through the form renderer, a template per field and per option, a sixth of the page's CPU.
# DirectoryForm stays the reference: tests render both and compare the HTML.
TEXT_FIELDS = (
    ("q", "search", gettext_lazy("Rechercher"), ""),
    ("ouvert_le", "date", gettext_lazy("Ouvert le"), ""),
    (
        "disponible_le",
        "date",
        gettext_lazy("Disponible le"),
        gettext_lazy("Hébergements : une nuit libre à cette date."),
    ),
)


def filter_fields(data, choices: dict, errors: dict) -> list[dict]:
    """The filter fields, in order, with their values from `data` (request.GET, the category of
    the URL included), options and the error message tied to each (`errors`: by field name)."""
    everything = ("", gettext("Toutes"))
    categories = [everything] + [(slug, name) for _pk, slug, name in choices["categories"]]
    towns = [everything] + [(town, town) for town in choices["towns"]]
    q, open_on, available_on = (
        _field(name, kind, label, help_text, data, errors) for name, kind, label, help_text in TEXT_FIELDS
    )
    q["maxlength"] = 200
    accessible = _field("accessible", "checkbox", gettext_lazy("Accessible (handicap)"), "", data, errors)
    value = data.get("accessible")
    accessible["checked"] = bool(value) and value.lower() != "false"  # CheckboxInput's reading
    return [
        q,
        _select("categorie", gettext_lazy("Catégorie"), categories, data, errors),
        _select("ville", gettext_lazy("Commune"), towns, data, errors),
        open_on,
        available_on,
        accessible,
    ]


def _field(name: str, kind: str, label, help_text, data, errors: dict) -> dict:
    auto_id = f"id_{name}"
    error = errors.get(name)
    described = ([f"{auto_id}_error"] if error else []) + ([f"{auto_id}_helptext"] if help_text else [])
    return {
        "name": name,
        "id": auto_id,
        "kind": kind,
        "label": label,
        "help_text": help_text,
        "value": data.get(name) or "",
        "error": error,
        "describedby": " ".join(described),
    }


def _select(name: str, label, options: list[tuple[str, str]], data, errors: dict) -> dict:
    field = _field(name, "select", label, "", data, errors)
    # Select's reading: no value is "" (« Toutes » selected); only the first option that matches.
    # Written here rather than by a template loop: a hundred towns cost a template node each.
    value = data.get(name) or ""
    rows = []
    for key, text in options:
        rows.append(
            f'<option value="{escape(key)}"{" selected" if key == value else ""}>{escape(text)}</option>'
        )
        if key == value:
            value = None
    field["options"] = mark_safe("\n".join(rows))  # noqa: S308 — every value escaped above
    return field


def content_stamp(office: Office) -> str:
    """What the directory's cache keys hold (read once a request): the office's content version
    (page_cache: every change an office publishes gives it a new one), the day (a membership
    that starts or ends) and the code. What is kept under it is as exact as the page cache's
    answers are."""
    version = page_cache.office_version(office.pk)
    return f"{office.pk}:{version}:{page_cache.local_date()}:{page_cache.code_version()}"


def versioned_key(kind: str, stamp: str, *parts: str) -> str:
    return ":".join((kind, stamp, *parts))


def filter_choices(office: Office, lang: str, stamp: str) -> dict:
    """What the filters offer, in `lang`: categories [(pk, slug, name)], towns with published
    listings, active amenities by list [(list name, [(slug, name)])] and every amenity slug (the
    check of `?equipement=` knows the inactive ones too). Kept under `versioned_key`: built from
    four queries and their model rows, it cost a fifth of the page's CPU on each request
    (docs/benchmarks.md, part 6)."""
    # The amenity lists' names are UI text: the active language is part of the key.
    key = versioned_key("public-directory-filters", stamp, lang, get_language() or "")
    found = cache.get(key)
    if found is None:
        found = _filter_choices(office, lang)
        cache.set(key, found, FILTERS_CACHE_SECONDS)
    return found


def _filter_choices(office: Office, lang: str) -> dict:
    labels = dict(Amenity.Group.choices)
    groups: dict[str, list] = {}
    slugs = []
    for amenity in listing_selectors.amenities(office, active_only=False):
        slugs.append(amenity.slug)
        if amenity.is_active:
            groups.setdefault(amenity.group, []).append((amenity.slug, text_in(amenity, "name", lang)))
    towns = (
        selectors.published_listings(office)
        .order_by("establishment__city")
        .values_list("establishment__city", flat=True)
        .distinct()
    )
    return {
        "categories": [
            (c.pk, c.slug, category_name(c, lang)) for c in directory_selectors.categories(office)
        ],
        "towns": list(towns),
        "amenity_groups": [(str(labels.get(group, group)), items) for group, items in groups.items()],
        "amenity_slugs": slugs,
    }


def amenity_groups(choices: dict, chosen: list[str], *, refused: bool) -> list[tuple[str, str]]:
    """The amenities and labels offered, by list: (list name, its checkboxes' HTML), written
    here like the filters' options; `refused`: the amenities' error message describes them."""
    described = ' aria-describedby="id_equipement"' if refused else ""
    groups = []
    for group, items in choices["amenity_groups"]:
        boxes = "\n".join(_amenity_box(slug, name, slug in chosen, described) for slug, name in items)
        groups.append((group, mark_safe(boxes)))  # noqa: S308 — every value escaped by _amenity_box
    return groups


def _amenity_box(slug: str, name: str, checked: bool, described: str) -> str:
    slug, box = escape(slug), " checked" if checked else ""
    return (
        f'<div class="choice"><input type="checkbox" name="equipement" value="{slug}" id="equipement-{slug}"'
        f'{box}{described}> <label for="equipement-{slug}">{escape(name)}</label></div>'
    )


def read_filters(request, category_slug: str, choices: dict) -> tuple[DirectoryFilters | None, dict]:
    """The filters, or the errors by form field (None: the whole form)."""
    try:
        filters = DirectoryFilters.from_query(request.GET)
    except BadFilter as exc:
        return None, {_date_field_at_fault(request.GET): str(exc)}
    if category_slug:
        filters.category = category_slug
    known = {
        "categories": {slug for _pk, slug, _name in choices["categories"]},
        "amenities": set(choices["amenity_slugs"]),
    }
    try:
        selectors.check_filters(request.office, filters, known=known)
    except BadFilter as exc:
        category_only = DirectoryFilters(category=filters.category)
        try:
            selectors.check_filters(request.office, category_only, known=known)
        except BadFilter:
            return None, {"categorie": str(exc)}
        return None, {"equipement": str(exc)}
    return filters, {}


def _date_field_at_fault(params) -> str | None:
    for param, field in DATE_PARAMS:
        try:
            DirectoryFilters.from_query({param: params.get(param, "")})
        except BadFilter:
            return field
    return None


def page_number(params) -> int:
    raw = params.get("page", "1").strip() or "1"
    if not raw.isdigit() or int(raw) < 1:
        raise BadFilter(gettext("Numéro de page invalide : « %(value)s ».") % {"value": raw[:20]})
    return int(raw)


class ListingUrls:
    """The public pages of an office's listings: `reverse()` once, then the id put in its place
    (24 cards and 20 map markers: 44 reversals a page cost 8 % of its CPU)."""

    SENTINEL = 987654321

    def __init__(self, office: Office):
        url = reverse("public:listing", kwargs={"office_slug": office.slug, "listing_id": self.SENTINEL})
        self.prefix, self.suffix = url.split(str(self.SENTINEL))

    def __call__(self, listing_id: int) -> str:
        return f"{self.prefix}{int(listing_id)}{self.suffix}"


def card(snapshot, urls: ListingUrls) -> dict:
    """A directory card from a listing's snapshot in the page's language."""
    document = snapshot.document
    photos = document["photos"]
    first = photos[0] if photos else None
    return {
        "listing": SimpleNamespace(pk=snapshot.listing_id),
        "url": urls(snapshot.listing_id),
        "name": document["name"],
        "category": document["category"]["name"],
        "city": document["address"]["city"],
        "photo": _photo(first) if first else None,
        "alt": first["alt"] if first else "",
        "description": document["short_description"],
        # The language the description is written in (a fallback one is marked on the card).
        "description_lang": texts_in(document["i18n"]["short_description"], snapshot.language).lang,
        "page_lang": snapshot.language,
        "office_place": document["is_office_place"],
        "geo": document["geo"],
    }


def _photo(item: dict) -> SimpleNamespace:
    return SimpleNamespace(image=SimpleNamespace(url=item["url"]), width=item["width"], height=item["height"])


def card_html(item: dict, badge: str) -> str:
    """A card's markup (public/_listing_card.html's until part 6): written here, as the filters'
    options are, since including a template per card was a quarter of the page's CPU; every value escaped.
    `badge`: the office-place mark, in the page's language (the cards of « À la une » are kept
    in the cache, this text is not)."""
    photo, url = item["photo"], escape(item["url"])
    parts = ['<li class="card listing-card">']
    if photo:
        parts.append(
            f'<img src="{escape(photo.image.url)}" alt="{escape(item["alt"])}" width="{escape(photo.width)}" '
            f'height="{escape(photo.height)}" loading="lazy">'
        )
    parts.append(f'<h3><a href="{url}">{escape(item["name"])}</a></h3>')
    parts.append(f'<p class="muted">{escape(item["category"])} — {escape(item["city"])}</p>')
    if item["office_place"]:
        parts.append(f'<p><span class="badge office-place">{escape(badge)}</span></p>')
    if item["description"]:
        lang = item.get("description_lang", "")
        marked = f' lang="{escape(lang)}"' if lang and lang != item.get("page_lang", lang) else ""
        parts.append(f'<p class="card-text"{marked}>{escape(item["description"])}</p>')
    parts.append("</li>")
    return mark_safe("\n".join(parts))  # noqa: S308 — every value escaped above


def cards(office: Office, listings, lang: str, urls: ListingUrls) -> list[dict]:
    """The cards of these listings (ids and sort names only), in their order, from one query of
    snapshots; a listing without a snapshot (not yet refreshed) is left out."""
    snapshots = selectors.snapshots_by_listing(office, [listing.pk for listing in listings], language=lang)
    return [card(snapshots[listing.pk], urls) for listing in listings if listing.pk in snapshots]


def marker(item: dict) -> dict | None:
    geo = item["geo"]
    if geo["latitude"] is None or geo["longitude"] is None:
        return None
    return {
        "name": item["name"],
        "category": item["category"],
        "lat": float(geo["latitude"]),
        "lng": float(geo["longitude"]),
        "url": item["url"],
    }


def result_count(office: Office, filters: DirectoryFilters, stamp: str) -> int:
    """How many published listings match (up to COUNT_CAP + 1), kept under `versioned_key`:
    unordered and LIMITed, the count still read a
    thousand rows on a large office (a few ms of SQLite's CPU on each page)."""
    fingerprint = hashlib.sha256(repr(dataclasses.astuple(filters)).encode()).hexdigest()[:24]
    key = versioned_key("public-directory-count", stamp, fingerprint)
    found = cache.get(key)
    if found is None:
        # Unordered and LIMITed: the database stops at the cap instead of ranking every match.
        found = selectors.directory(office, filters).order_by().values("pk")[: COUNT_CAP + 1].count()
        cache.set(key, found, FILTERS_CACHE_SECONDS)
    return found


def map_policy() -> str:
    """The site's CSP with the tile server's origin allowed for images (a relative tile URL
    needs nothing more)."""
    policy = settings.CONTENT_SECURITY_POLICY
    parts = urlsplit(settings.MAP_TILE_URL or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        origin = f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"
        policy = policy.replace("img-src 'self'", f"img-src 'self' {origin}", 1)
    return policy


class DirectoryView(TemplateView):
    template_name = "public/directory.html"

    def get(self, request, *args, **kwargs):
        office = request.office
        lang = content_language(request)
        self.stamp = content_stamp(office)
        choices = filter_choices(office, lang, self.stamp)
        slug = kwargs.get("category_slug", "")
        category = next(
            (SimpleNamespace(pk=pk, slug=s, name=name) for pk, s, name in choices["categories"] if s == slug),
            None,
        )
        if slug and category is None:
            return TemplateResponse(
                request,
                "public/directory_404.html",
                {
                    "message": gettext("Cette catégorie n'existe pas dans l'annuaire : « %(slug)s ».")
                    % {"slug": slug[:60]}
                },
                status=404,
            )
        filters, errors = read_filters(request, slug, choices)
        data = request.GET.copy()
        if category is not None:
            data["categorie"] = category.slug
        context = {
            "category": category,
            "category_title": category.name if category else "",
            "amenity_groups": amenity_groups(
                choices, data.getlist("equipement"), refused="equipement" in errors
            ),
            "lang": lang,
        }
        if not errors:
            try:
                context.update(self.results(filters, category, lang))
            except BadFilter as exc:
                errors = {None: str(exc)}
        context["fields"] = filter_fields(data, choices, errors)
        if errors:
            context["errors"] = errors
            return self.render_to_response(self.get_context_data(**context), status=400)
        response = self.render_to_response(self.get_context_data(**context))
        response.headers["Content-Security-Policy"] = map_policy()
        return response

    def results(self, filters: DirectoryFilters, category, lang: str) -> dict:
        office = self.request.office
        params = self.request.GET
        unsearched = dataclasses.replace(filters, q="")  # search_page applies the search itself
        # Ids and names only: the cards come from the snapshots (cards()).
        queryset = selectors.directory(office, unsearched if filters.q else filters).only("pk", "sort_name")
        if filters.q:
            number = page_number(params)
            page = selectors.search_page(queryset, filters.q, offset=(number - 1) * PAGE_SIZE, size=PAGE_SIZE)
            first = number == 1
            last = page.next_offset is None
        else:
            page = selectors.keyset_page(queryset, after=params.get("apres", "").strip(), size=PAGE_SIZE)
            first = not params.get("apres")
            last = not page.next_cursor
        if not page.items and not first:
            raise BadFilter(gettext("Page hors limites : il n'y a pas de résultats au-delà."))
        urls = ListingUrls(office)
        items = cards(office, page.items, lang, urls)
        # The whole list on one page: its rows are the count.
        count = len(page.items) if first and last else result_count(office, filters, self.stamp)
        badge = gettext("Lieu géré par l'office")
        featured = self.featured(category, lang, urls) if first and not filters.q else []
        return {
            "items": items,
            "item_cards": [card_html(item, badge) for item in items],
            "featured_cards": [card_html(item, badge) for item in featured],
            "count": min(count, COUNT_CAP),
            "count_capped": count > COUNT_CAP,
            "markers": [m for m in (marker(item) for item in items) if m],
            "next_url": self.link(apres=page.next_cursor) if page.next_cursor else "",
            "next_page_url": self.page_link(page.next_offset),
            "previous_page_url": self.page_link(page.previous_offset),
            "first_url": self.link() if not first else "",
            "searching": bool(filters.q),
            # Nothing matched the search: what looks like it (issue 13, item 7), and its spelling.
            "near": getattr(page, "near", False),
            "suggestion": getattr(page, "suggestion", ""),
            "suggestion_url": self.link(q=page.suggestion) if getattr(page, "suggestion", "") else "",
            "map_tile_url": settings.MAP_TILE_URL,
            "map_attribution": settings.MAP_ATTRIBUTION,
        }

    def featured(self, category, lang: str, urls: "ListingUrls") -> list[dict]:
        """« À la une »: the published listings of partners whose pack the catalogue highlights;
        kept under `versioned_key` and the catalogue's highlighted offers (a flag set in the
        admin, which bumps no content version): on 100,000 listings its three queries were a third
        of the page's CPU (docs/benchmarks.md, part 6)."""
        office = self.request.office
        offers = ",".join(str(pk) for pk in selectors.highlighted_offer_ids(office))
        key = versioned_key(
            "public-directory-featured", self.stamp, lang, str(category.pk if category else ""), offers
        )
        found = cache.get(key)
        if found is None:
            found = self._featured(category, lang, urls)
            cache.set(key, found, FILTERS_CACHE_SECONDS)
        return found

    def _featured(self, category, lang: str, urls: "ListingUrls") -> list[dict]:
        office = self.request.office
        # The few highlighted organisations first, as a list: as a subquery the planner took
        # them for 7 rows and scanned every listing (76-141 ms on 100,000; docs/benchmarks.md).
        highlighted = list(
            selectors.highlighted_organisations(office)
            .values_list("membership__organisation_id", flat=True)
            .order_by()  # DISTINCT on the organisation alone, not on the lines' default order
            .distinct()
        )
        if not highlighted:
            return []
        queryset = selectors.published_listings(office).filter(establishment__organisation_id__in=highlighted)
        if category is not None:
            queryset = queryset.filter(establishment__category_id=category.pk)
        queryset = queryset.only("pk", "sort_name").order_by("sort_name", "pk")[:FEATURED_SIZE]
        return cards(office, list(queryset), lang, urls)

    def page_link(self, offset: int | None) -> str:
        return "" if offset is None else self.link(page=offset // PAGE_SIZE + 1)

    def link(self, **changes) -> str:
        params = self.request.GET.copy()
        for name in ("apres", "page"):
            params.pop(name, None)
        for name, value in changes.items():
            params[name] = value
        query = params.urlencode()
        return f"{self.request.path}?{query}" if query else self.request.path


class AccessibilityView(TemplateView):
    """The RGAA 4.1 accessibility statement (déclaration d'accessibilité). The automated checks
    it cites are the browser tests (axe-core, WCAG 2.1 A/AA) that CI runs on these pages."""

    template_name = "public/accessibility.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statement_date"] = STATEMENT_DATE
        return context


class LegalNoticesView(TemplateView):
    """The legal notices (mentions légales): the office's identity, the host, cookies."""

    template_name = "public/legal.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hosting_provider"] = settings.HOSTING_PROVIDER
        context["map_tile_host"] = urlsplit(settings.MAP_TILE_URL or "").netloc.replace("{s}.", "")
        return context
