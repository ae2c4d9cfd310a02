"""The public directory (annuaire) of an office, its accessibility statement and legal notices.

Browsing pages by keyset (« Suivant » carries a cursor: the thousandth page costs what the first
does); searching pages by capped offsets (results are ranked). A malformed filter answers 400 with
its French message on the form; an unknown category in the URL answers 404. The map draws the
page's results with Leaflet from a JSON data block (not executed, so the strict CSP holds), and the
list works without JavaScript.
"""

import dataclasses
import datetime
from types import SimpleNamespace
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import TemplateView

from ensemble.core.models import Office
from ensemble.directory import selectors as directory_selectors
from ensemble.listings import selectors as listing_selectors
from ensemble.listings.models import Amenity, Listing
from ensemble.publishing import selectors
from ensemble.publishing.selectors import BadFilter, DirectoryFilters

from .jsonld import text_in
from .listing_views import category_name, content_language

PAGE_SIZE = selectors.PAGE_SIZE
COUNT_CAP = 1000  # "plus de 1 000 résultats": the count stops there (a LIMITed count stays cheap)
FEATURED_SIZE = 4
TOWNS_CACHE_SECONDS = 600
STATEMENT_DATE = datetime.date(2026, 11, 30)  # when the accessibility statement was last reviewed
# Filters whose malformed value is tied to a form field (aliases of the API included).
DATE_PARAMS = (
    ("ouvert_le", "ouvert_le"),
    ("open_on", "ouvert_le"),
    ("disponible_le", "disponible_le"),
    ("available_on", "disponible_le"),
)


class DirectoryForm(forms.Form):
    """The filters, for display: the values are read (and refused) by DirectoryFilters."""

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


def towns(office: Office) -> list[str]:
    """The towns that have published listings, for the filter; cached, and refreshed as soon as
    a listing of the office changes (its latest update is part of the key)."""
    stamp = Listing.objects.filter(office=office).aggregate(last=Max("updated_at"))["last"]
    key = f"public-directory-towns:{office.pk}:{stamp.isoformat() if stamp else '-'}"
    found = cache.get(key)
    if found is None:
        found = list(
            selectors.published_listings(office)
            .order_by("establishment__city")
            .values_list("establishment__city", flat=True)
            .distinct()
        )
        cache.set(key, found, TOWNS_CACHE_SECONDS)
    return found


def amenity_groups(office: Office, lang: str, chosen: list[str]) -> list[tuple[str, list]]:
    """The amenities and labels offered, by list: (list name, [(slug, name, checked)])."""
    labels = dict(Amenity.Group.choices)
    groups: dict[str, list] = {}
    for amenity in listing_selectors.amenities(office):
        groups.setdefault(amenity.group, []).append(
            (amenity.slug, text_in(amenity, "name", lang), amenity.slug in chosen)
        )
    return [(labels.get(group, group), items) for group, items in groups.items()]


def read_filters(request, category_slug: str) -> tuple[DirectoryFilters | None, dict]:
    """The filters, or the errors by form field (None: the whole form)."""
    try:
        filters = DirectoryFilters.from_query(request.GET)
    except BadFilter as exc:
        return None, {_date_field_at_fault(request.GET): str(exc)}
    if category_slug:
        filters.category = category_slug
    try:
        selectors.check_filters(request.office, filters)
    except BadFilter as exc:
        category_only = DirectoryFilters(category=filters.category)
        try:
            selectors.check_filters(request.office, category_only)
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


def card(snapshot) -> dict:
    """A directory card from a listing's snapshot in the page's language."""
    document = snapshot.document
    photos = document["photos"]
    first = photos[0] if photos else None
    return {
        "listing": SimpleNamespace(pk=snapshot.listing_id),
        "name": document["name"],
        "category": document["category"]["name"],
        "city": document["address"]["city"],
        "photo": _photo(first) if first else None,
        "alt": first["alt"] if first else "",
        "description": document["short_description"],
        "office_place": document["is_office_place"],
        "geo": document["geo"],
    }


def _photo(item: dict) -> SimpleNamespace:
    return SimpleNamespace(image=SimpleNamespace(url=item["url"]), width=item["width"], height=item["height"])


def cards(office: Office, listings, lang: str) -> list[dict]:
    """The cards of these listings (ids and sort names only), in their order, from one query of
    snapshots; a listing without a snapshot (not yet refreshed) is left out."""
    snapshots = selectors.snapshots_by_listing(office, [listing.pk for listing in listings], language=lang)
    return [card(snapshots[listing.pk]) for listing in listings if listing.pk in snapshots]


def marker(item: dict, office: Office) -> dict | None:
    geo = item["geo"]
    if geo["latitude"] is None or geo["longitude"] is None:
        return None
    listing_id = item["listing"].pk
    return {
        "name": item["name"],
        "category": item["category"],
        "lat": float(geo["latitude"]),
        "lng": float(geo["longitude"]),
        "url": reverse("public:listing", kwargs={"office_slug": office.slug, "listing_id": listing_id}),
    }


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
        categories = list(directory_selectors.categories(office))
        slug = kwargs.get("category_slug", "")
        category = next((c for c in categories if c.slug == slug), None)
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
        filters, errors = read_filters(request, slug)
        data = request.GET.copy()
        if category is not None:
            data["categorie"] = category.slug
        form = DirectoryForm(data, categories=categories, towns=towns(office), lang=lang)
        context = {
            "form": form,
            "category": category,
            "category_title": category_name(category, lang) if category else "",
            "amenity_groups": amenity_groups(office, lang, data.getlist("equipement")),
            "lang": lang,
        }
        if not errors:
            try:
                context.update(self.results(filters, category, lang))
            except BadFilter as exc:
                errors = {None: str(exc)}
        if errors:
            form.show_errors(errors)
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
        else:
            page = selectors.keyset_page(queryset, after=params.get("apres", "").strip(), size=PAGE_SIZE)
            first = not params.get("apres")
        if not page.items and not first:
            raise BadFilter(gettext("Page hors limites : il n'y a pas de résultats au-delà."))
        items = cards(office, page.items, lang)
        # Unordered and LIMITed: the database stops at the cap instead of ranking every match.
        count = selectors.directory(office, filters).order_by().values("pk")[: COUNT_CAP + 1].count()
        return {
            "items": items,
            "count": min(count, COUNT_CAP),
            "count_capped": count > COUNT_CAP,
            "featured": self.featured(category, lang) if first and not filters.q else [],
            "markers": [m for m in (marker(item, office) for item in items) if m],
            "next_url": self.link(apres=page.next_cursor) if page.next_cursor else "",
            "next_page_url": self.page_link(page.next_offset),
            "previous_page_url": self.page_link(page.previous_offset),
            "first_url": self.link() if not first else "",
            "searching": bool(filters.q),
            "map_tile_url": settings.MAP_TILE_URL,
            "map_attribution": settings.MAP_ATTRIBUTION,
        }

    def featured(self, category, lang: str) -> list[dict]:
        """« À la une »: the published listings of partners whose pack the catalogue highlights."""
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
            queryset = queryset.filter(establishment__category=category)
        queryset = queryset.only("pk", "sort_name").order_by("sort_name", "pk")[:FEATURED_SIZE]
        return cards(office, list(queryset), lang)

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
