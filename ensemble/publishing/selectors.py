"""What an office publishes, for every channel (public pages, API, widget, screens, print).

Published listings: those of partners whose membership is live today (active or under notice,
started — from its own first day, `Membership.starts_on`, else its season's — and its season not
over), approved and not withdrawn; plus the places the office
publishes itself (`Listing.is_office_place`), marked as such. Visibility is decided at query
time by a semi-join on the office's live partner organisations (a few thousand rows at most),
so a withdrawal or a membership's end takes effect on the next request.
"""

import base64
import binascii
import datetime
import functools
import json
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.core.models import Office
from ensemble.directory.models import Category
from ensemble.events import selectors as event_selectors
from ensemble.events.models import Event
from ensemble.events.rules import PARIS
from ensemble.listings import search
from ensemble.listings.models import Amenity, Availability, ChangeProposal, Listing, OpeningPeriod, Photo
from ensemble.memberships.models import Membership, MembershipLine, Offer

from .documents import SnapshotListing
from .models import PublicationSnapshot

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_SEARCH_RESULTS = 1000  # search results are ranked: paged by offset, capped (see decisions)


# What search reads, never shown: the vector alone is 1.6 kB a row that psycopg would decode
# for every listing of a page (docs/benchmarks.md).
SEARCH_FIELDS = ("search_document", "search_vector")


class BadFilter(ValueError):
    """A filter value that cannot be understood: the channel answers 400 with this message."""


def started_by(on: datetime.date, *, via: str = "") -> LessThanOrEqual:
    """The membership (through `via`, e.g. "membership__") has started on `on`: its own first day
    (`starts_on`: a membership counted in the next season starts in December), else its season's.
    The same rule as `Membership.service_start`, the snapshots' span (services.live_spans) and the
    listing pages' SQL (`_upcoming_sql`)."""
    return LessThanOrEqual(Coalesce(f"{via}starts_on", f"{via}season__starts_on"), on)


def live_memberships(office: Office, *, on: datetime.date | None = None) -> QuerySet[Membership]:
    """The memberships of `office` that are live on `on` (today)."""
    on = on or timezone.localdate()
    return Membership.objects.filter(
        started_by(on),
        office=office,
        status__in=Membership.LIVE_STATUSES,
        season__ends_on__gte=on,
    )


def live_partner_organisations(office: Office, *, on: datetime.date | None = None) -> QuerySet:
    """Ids of the organisations whose membership is live on `on` (today)."""
    return live_memberships(office, on=on).values("organisation_id")


def published_listings(office: Office) -> QuerySet[Listing]:
    # The listing's own copy of its organisation: no join with the establishments, which
    # PostgreSQL hashed whole to read a page of 21 listings (17-27 ms against 0.3 ms;
    # docs/benchmarks.md). A correlated EXISTS, which it estimates better than an IN.
    live = live_memberships(office).filter(organisation_id=OuterRef("organisation_id"))
    return (
        Listing.objects.filter(office=office, unpublished_at__isnull=True)
        .filter(Q(is_office_place=True) | Q(Exists(live)))
        .defer(*SEARCH_FIELDS)
    )


def highlighted_organisations(office: Office) -> QuerySet:
    """Organisations whose live membership includes an offer the catalogue marks highlighted."""
    on = timezone.localdate()
    return MembershipLine.objects.filter(
        started_by(on, via="membership__"),
        offer__highlighted=True,
        membership__office=office,
        membership__status__in=Membership.LIVE_STATUSES,
        membership__season__ends_on__gte=on,
    ).values("membership__organisation_id")


def highlighted_offer_ids(office: Office) -> list[int]:
    """The office's offers the catalogue marks highlighted, every season (a small table): what
    `highlighted_organisations` depends on besides the memberships."""
    return list(
        Offer.objects.filter(season__office=office, highlighted=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def with_card_data(queryset: QuerySet[Listing]) -> QuerySet[Listing]:
    """What a list of listings shows: establishment, category, first photos, amenities."""
    return queryset.select_related("establishment__category").prefetch_related(
        Prefetch(
            "photos", queryset=Photo.objects.filter(status=Photo.Status.PUBLISHED).order_by("position", "pk")
        ),
        "amenities",
    )


# ---- filters -------------------------------------------------------------------------------


@dataclass
class DirectoryFilters:
    q: str = ""
    category: str = ""
    town: str = ""
    amenities: list[str] = field(default_factory=list)
    open_on: datetime.date | None = None
    available_on: datetime.date | None = None
    accessible: bool = False
    since: datetime.datetime | None = None

    @classmethod
    def from_query(cls, params) -> "DirectoryFilters":
        """From request.GET (or any mapping with getlist); BadFilter with a French message."""
        params = _Params(params)
        return cls(
            q=" ".join(params.get("q", "").split())[:200],
            category=params.get("categorie", params.get("category", "")).strip()[:60],
            town=params.get("ville", params.get("town", "")).strip()[:100],
            amenities=[a.strip()[:60] for a in _list(params, "equipement", "amenity") if a.strip()][:10],
            open_on=_date(params.get("ouvert_le", params.get("open_on", ""))),
            available_on=_date(params.get("disponible_le", params.get("available_on", ""))),
            accessible=params.get("accessible", "") in ("1", "true", "oui", "on"),
            since=_datetime(params.get("since", "")),
        )


class _Params:
    """Query parameters without NUL characters, which PostgreSQL refuses in any text."""

    def __init__(self, params):
        self.params = params

    def get(self, name: str, default: str = "") -> str:
        value = self.params.get(name, default)
        return value.replace("\x00", "") if isinstance(value, str) else default

    def getlist(self, name: str) -> list[str]:
        values = self.params.getlist(name) if hasattr(self.params, "getlist") else self.params.get(name, [])
        return [v.replace("\x00", "") for v in values if isinstance(v, str)]


def _list(params, *names) -> list[str]:
    values = []
    for name in names:
        values += params.getlist(name) if hasattr(params, "getlist") else list(params.get(name, []))
    return values


def _date(value: str) -> datetime.date | None:
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise BadFilter(
            _("Date invalide : « %(value)s » (format attendu : AAAA-MM-JJ).") % {"value": value[:20]}
        ) from None
    if not datetime.date(2000, 1, 1) <= day <= datetime.date(2100, 12, 31):
        raise BadFilter(_("Date hors limites : %(day)s.") % {"day": day.isoformat()})
    return day


def _datetime(value: str) -> datetime.datetime | None:
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadFilter(
            _("Date invalide pour since : « %(value)s » (ISO 8601 attendu).") % {"value": value[:40]}
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts (up to ±23:59),
        # which aborted the request's transaction (a 500 found by the API fuzzing).
        return moment.astimezone(datetime.UTC)
    except OverflowError:
        raise BadFilter(
            _("Date invalide pour since : « %(value)s » (ISO 8601 attendu).") % {"value": value[:40]}
        ) from None


def directory(office: Office, filters: DirectoryFilters) -> QuerySet[Listing]:
    """Published listings matching the filters, in directory order (name); search pages come
    from `search_page`, which puts name matches first. Unknown category or amenity: BadFilter
    (→ 404/400)."""
    queryset = published_listings(office)
    if filters.category:
        queryset = queryset.filter(establishment__category__slug=filters.category)
    if filters.town:
        queryset = queryset.filter(establishment__city__iexact=filters.town)
    for slug in filters.amenities:
        queryset = queryset.filter(amenities__slug=slug, amenities__office=office)
    if filters.accessible:
        accessible = Amenity.objects.filter(
            office=office, group=Amenity.Group.ACCESSIBILITY, listings=OuterRef("pk")
        )
        queryset = queryset.filter(Exists(accessible))
    if filters.open_on:
        queryset = queryset.filter(Exists(_open_periods(filters.open_on)))
    if filters.available_on:
        free = Availability.objects.filter(
            listing=OuterRef("pk"),
            date=filters.available_on,
            status__in=[Availability.Status.AVAILABLE, Availability.Status.FEW_LEFT],
        )
        queryset = queryset.filter(Exists(free))
    if filters.since:
        queryset = queryset.filter(updated_at__gt=filters.since)
    if filters.q:
        queryset = search.matching(queryset, filters.q)
    return queryset.order_by("sort_name", "pk")


def _open_periods(day: datetime.date) -> QuerySet[OpeningPeriod]:
    bit = 1 << day.isoweekday()
    return (
        OpeningPeriod.objects.filter(listing=OuterRef("pk"), starts_on__lte=day, ends_on__gte=day)
        .annotate(closed_that_day=F("closed_mask").bitand(bit))
        .filter(closed_that_day=0)
    )


def check_filters(office: Office, filters: DirectoryFilters, *, known: dict | None = None) -> None:
    """Unknown category or amenity slugs: BadFilter, so the channel says so instead of
    showing an empty list. `known`: the office's category and amenity slugs when the caller
    has them already ({"categories": set, "amenities": set}; the directory page keeps them)."""

    if filters.category:
        if known is not None:
            found = filters.category in known["categories"]
        else:
            found = Category.objects.filter(office=office, slug=filters.category).exists()
        if not found:
            raise BadFilter(_("Catégorie inconnue : « %(slug)s ».") % {"slug": filters.category})
    if filters.amenities:
        if known is not None:
            names = known["amenities"]
        else:
            rows = Amenity.objects.filter(office=office, slug__in=filters.amenities)
            names = set(rows.values_list("slug", flat=True))
        unknown = [slug for slug in filters.amenities if slug not in names]
        if unknown:
            raise BadFilter(_("Équipement ou label inconnu : « %(slug)s ».") % {"slug": unknown[0]})


# ---- pages ---------------------------------------------------------------------------------


@dataclass
class Page:
    items: list
    next_cursor: str = ""
    previous_offset: int | None = None
    next_offset: int | None = None
    # A search the full text did not match: the listings whose name or town look like it
    # (`near`, one page) and the searched words spelt as those ones (« Vouliez-vous dire »).
    near: bool = False
    suggestion: str = ""


def encode_cursor(listing: Listing) -> str:
    raw = json.dumps([listing.sort_name, listing.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(name, str) or not isinstance(pk, int):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadFilter(_("Curseur de pagination invalide.")) from None
    return name, pk


def keyset_page(queryset: QuerySet[Listing], *, after: str = "", size: int = PAGE_SIZE) -> Page:
    """A page of the directory in name order after `after` (a cursor): as fast on the
    thousandth page as on the first (an index range scan on office, sort_name, id)."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    if after:
        name, pk = decode_cursor(after)
        # The redundant `sort_name >= name` lets the database start the index range scan at the
        # cursor; the OR alone made it scan from the office's first row (bench: 358 → 9 ms at 90 %).
        queryset = queryset.filter(sort_name__gte=name).filter(
            Q(sort_name__gt=name) | Q(sort_name=name, pk__gt=pk)
        )
    rows = list(queryset[: size + 1])
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else ""
    return Page(items=rows[:size], next_cursor=next_cursor)


def search_page(queryset: QuerySet[Listing], text: str, *, offset: int = 0, size: int = PAGE_SIZE) -> Page:
    """A page of the listings of `queryset` (the directory, filtered but not searched) that
    match `text`: those whose name matches first, then the others, each in name order; offsets
    stop at MAX_SEARCH_RESULTS. When nothing matches, the first page is the listings whose
    name or town look like `text` (a typo: `search.near`), one page only, with a suggestion.

    Each part is a LIMITed query in name order that stops at the page's last row, however
    common the word: ranking every match read all of them (300 ms for a word in 37 % of
    100,000 listings; docs/benchmarks.md). The page's rows are then read once, by id, with
    what `queryset` prefetches."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    if offset < 0 or offset >= MAX_SEARCH_RESULTS:
        raise BadFilter(
            _("Page hors limites : les résultats s'arrêtent à %(max)s.") % {"max": MAX_SEARCH_RESULTS}
        )
    ids_only = queryset.prefetch_related(None)
    names, others = (part.values_list("pk", flat=True) for part in search.split_by_name(ids_only, text))
    wanted = size + 1  # one more tells whether a next page exists
    ids = list(names[offset : offset + wanted])
    if len(ids) < wanted:
        # Past the name matches: how many were skipped tells where the others start.
        skipped = offset + len(ids) if ids or not offset else names.order_by().count()
        ids += list(others[max(0, offset - skipped) : max(0, offset - skipped) + wanted - len(ids)])
    if not ids and not offset:
        return _near_page(queryset, ids_only, text, size)
    by_id = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)} if ids else {}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    more = len(rows) > size and offset + size < MAX_SEARCH_RESULTS
    return Page(
        items=rows[:size],
        next_offset=offset + size if more else None,
        previous_offset=max(0, offset - size) if offset else None,
    )


def _near_page(queryset: QuerySet[Listing], ids_only: QuerySet[Listing], text: str, size: int) -> Page:
    """The one page of a search nothing matched: the listings that look like it, closest first."""
    found = search.near(ids_only, text, limit=size)
    if not found:
        return Page(items=[])
    by_id = {row.pk: row for row in queryset.order_by().filter(pk__in=[pk for pk, _title in found])}
    rows = [by_id[pk] for pk, _title in found if pk in by_id]
    return Page(items=rows, near=True, suggestion=search.suggest(text, [title for _pk, title in found]))


# ---- one listing ---------------------------------------------------------------------------


def published_detail(office: Office, listing_id: int) -> Listing:
    """A published listing with everything its page shows; 404 otherwise."""
    queryset = published_listings(office).select_related(
        "establishment__category", "establishment__organisation"
    )
    queryset = queryset.prefetch_related(
        "opening_periods",
        "prices",
        "amenities",
        Prefetch(
            "photos", queryset=Photo.objects.filter(status=Photo.Status.PUBLISHED).order_by("position", "pk")
        ),
        Prefetch("proposals", queryset=ChangeProposal.objects.none()),
    )
    return get_object_or_404(queryset, pk=listing_id)


# ---- snapshots -----------------------------------------------------------------------------


def visible_snapshots(
    office: Office, *, language: str = "fr", on: datetime.date | None = None
) -> QuerySet[PublicationSnapshot]:
    """The snapshots of the listings published on `on` (today) in `language`: not tombstones,
    and an office place or a partner whose live memberships span the date (models.py)."""
    on = on or timezone.localdate()
    return PublicationSnapshot.objects.filter(office=office, language=language, is_published=True).filter(
        Q(live_from__isnull=True) | Q(live_from__lte=on, live_until__gte=on)
    )


def published_snapshot(office: Office, listing_id: int, *, language: str = "fr") -> PublicationSnapshot:
    """One published listing's snapshot in `language`: one query by its unique key, the live span
    compared here (the same rule as `visible_snapshots`, cheaper to build); 404 otherwise."""
    on = timezone.localdate()
    # A statement written out, read through raw() (which still converts the columns): building
    # the filter cost 0.4 of the 0.6 ms this read took on each page (docs/benchmarks.md, part 6).
    rows = list(PublicationSnapshot.objects.raw(_snapshot_sql(), [listing_id, language, office.pk]))
    row = rows[0] if rows else None
    if row is None or not is_visible(row, on):
        raise Http404("Fiche non publiée.")
    return row


@functools.cache
def _snapshot_sql() -> str:
    table = PublicationSnapshot._meta.db_table
    columns = "id, office_id, listing_id, language, is_published, live_from, live_until, document, revision, "
    columns += "updated_at"
    # The model's table; every value is a parameter.
    where = "listing_id = %s AND language = %s AND office_id = %s AND is_published"
    return f"SELECT {columns} FROM {table} WHERE {where}"  # noqa: S608


def snapshots_by_listing(
    office: Office, listing_ids: list[int], *, language: str = "fr"
) -> dict[int, PublicationSnapshot]:
    """The published snapshots of these listings, by listing id (one query)."""
    if not listing_ids:
        return {}
    # By the unique (listing, language) index alone, the rule checked here: with the office in the
    # filter SQLite walked the (office, language, updated_at) index over every row (115 ms).
    on = timezone.localdate()
    rows = PublicationSnapshot.objects.filter(listing_id__in=listing_ids, language=language)
    return {row.listing_id: row for row in rows if row.office_id == office.pk and is_visible(row, on)}


def is_visible(row: PublicationSnapshot, on: datetime.date) -> bool:
    """`visible_snapshots`' rule for one row."""
    return row.is_published and (row.live_from is None or row.live_from <= on <= row.live_until)


def snapshot_listings(office: Office, listings, *, language: str = "fr") -> list[SnapshotListing]:
    """These listings (rows with their ids: a page of the directory) read from their snapshots,
    in their order, shaped like prefetched listings (documents.SnapshotListing); one query."""
    snapshots = snapshots_by_listing(office, [listing.pk for listing in listings], language=language)
    return [
        SnapshotListing(
            snapshots[listing.pk].document, language=language, revision=snapshots[listing.pk].revision
        )
        for listing in listings
        if listing.pk in snapshots
    ]


def published_snapshot_listing(office: Office, listing_id: int, *, language: str = "fr") -> SnapshotListing:
    """One published listing read from its snapshot (one query); 404 otherwise."""
    snapshot = published_snapshot(office, listing_id, language=language)
    return SnapshotListing(snapshot.document, language=language, revision=snapshot.revision)


def upcoming_events_near(
    office: Office, *, establishment_id: int, organisation_id: int, limit: int = 5
) -> list[Event]:
    """The next published events at an establishment or by its organisation (the office's own,
    or a partner's whose membership is live today: `published_events`' rule), with the fields a
    listing page shows.

    One statement written out: building this query with the ORM (an OR, a subquery on the live
    memberships) cost 1.3 of its 1.5 ms of CPU on every listing page (docs/benchmarks.md, part 6);
    the rule is the same as `published_events`, which test_publication_snapshots compares it with."""
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    ops = connection.ops
    params = [
        office.pk,
        Event.Status.PUBLISHED,
        ops.adapt_datetimefield_value(midnight),
        establishment_id,
        organisation_id,
        office.pk,
        *Membership.LIVE_STATUSES,
        ops.adapt_datefield_value(today),
        ops.adapt_datefield_value(today),
        limit,
    ]
    return list(Event.objects.raw(_upcoming_sql(), params))


@functools.cache
def _upcoming_sql() -> str:
    event, membership = Event._meta.db_table, Membership._meta.db_table
    season = Membership._meta.get_field("season").related_model._meta.db_table
    statuses = ", ".join(["%s"] * len(Membership.LIVE_STATUSES))
    # Table names come from the models' metadata; every value is a parameter.
    live = (
        f"SELECT m.organisation_id FROM {membership} m JOIN {season} s ON s.id = m.season_id "  # noqa: S608
        f"WHERE m.office_id = %s AND m.status IN ({statuses}) AND COALESCE(m.starts_on, s.starts_on) <= %s "
        "AND s.ends_on >= %s"
    )
    return (
        f"SELECT {UPCOMING_COLUMNS} FROM {event} e "  # noqa: S608
        "WHERE e.office_id = %s AND e.status = %s AND e.ends_at >= %s "
        "AND (e.establishment_id = %s OR e.organisation_id = %s) "
        f"AND (e.organisation_id IS NULL OR e.organisation_id IN ({live})) "
        "ORDER BY e.starts_at, e.id LIMIT %s"
    )


UPCOMING_COLUMNS = ", ".join(
    f"e.{name}"
    for name in ("id", "title_fr", "title_en", "title_nl", "all_day", "starts_at", "ends_at", "place_name",
                 "city", "booking_url")
)  # fmt: skip


# ---- events --------------------------------------------------------------------------------


@dataclass
class AgendaFilters:
    start: datetime.date | None = None
    end: datetime.date | None = None
    category: str = ""
    town: str = ""
    since: datetime.datetime | None = None

    @classmethod
    def from_query(cls, params) -> "AgendaFilters":
        params = _Params(params)
        filters = cls(
            start=_date(params.get("du", params.get("start", ""))),
            end=_date(params.get("au", params.get("end", ""))),
            category=params.get("categorie", params.get("category", "")).strip()[:20],
            town=params.get("ville", params.get("town", "")).strip()[:100],
            since=_datetime(params.get("since", "")),
        )
        if filters.category and filters.category not in Event.Category.values:
            raise BadFilter(_("Catégorie d'événement inconnue : « %(slug)s ».") % {"slug": filters.category})
        if filters.start and filters.end and filters.end < filters.start:
            raise BadFilter(_("La date de fin précède la date de début."))
        return filters


def _of_office_or_live_partners(queryset: QuerySet[Event], office: Office) -> QuerySet[Event]:
    return queryset.filter(
        Q(organisation__isnull=True) | Q(organisation_id__in=live_partner_organisations(office))
    )


def published_events(office: Office) -> QuerySet[Event]:
    """The office's own events and those of partners whose membership is live today."""
    return _of_office_or_live_partners(
        Event.objects.filter(office=office, status=Event.Status.PUBLISHED), office
    )


def announced_events(office: Office) -> QuerySet[Event]:
    """Published events and those cancelled after publication (feeds keep them, cancelled),
    of the office and of live partners."""
    return _of_office_or_live_partners(event_selectors.announced_events(office), office)


def announced_event(office: Office, event_id: int) -> Event:
    """One event's public page and feed; 404 unless the public may see it."""
    return get_object_or_404(
        announced_events(office).select_related("organisation", "establishment"), pk=event_id
    )


def agenda_feed(office: Office, filters: "AgendaFilters") -> QuerySet[Event]:
    """The events of an iCalendar list feed for these filters."""
    return event_selectors.feed(
        announced_events(office),
        start=filters.start,
        end=filters.end,
        category=filters.category,
        town=filters.town,
        since=filters.since,
    )


# The agenda's date shortcuts (the public agenda's « quand »), resolved on the day they are read.
DATE_SHORTCUTS = ("aujourdhui", "ce-week-end", "cette-semaine")


def shortcut_period(name: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days a shortcut names, seen from `today` (Paris): today; this weekend (the Saturday
    and Sunday of this week — from a Sunday, that Sunday alone); this week (today to Sunday)."""
    sunday = today + datetime.timedelta(days=6 - today.weekday())
    if name == "aujourdhui":
        return today, today
    if name == "ce-week-end":
        return max(today, sunday - datetime.timedelta(days=1)), sunday
    if name == "cette-semaine":
        return today, sunday
    raise BadFilter(_("Raccourci de date inconnu : « %(value)s ».") % {"value": name[:20]})


def _paris_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=PARIS)


def agenda(office: Office, filters: AgendaFilters) -> QuerySet[Event]:
    """Published events overlapping [start, end] (from today when no start), by start. Days
    are Paris days; bounds on the columns themselves (not on their date) so that the
    (office, status, starts_at) and (office, status, ends_at) indexes serve them."""
    start = filters.start or timezone.localdate(timezone=PARIS)
    queryset = published_events(office).filter(ends_at__gte=_paris_midnight(start))
    if filters.end:
        queryset = queryset.filter(starts_at__lt=_paris_midnight(filters.end + datetime.timedelta(days=1)))
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.town:
        queryset = queryset.filter(city__iexact=filters.town)
    if filters.since:
        # revised_at: when the public content changed (a partner's waiting change is not one).
        queryset = queryset.filter(revised_at__gt=filters.since)
    return queryset.select_related("establishment").order_by("starts_at", "pk")


def upcoming_events_of(listing: Listing, *, limit: int = 5) -> list[Event]:
    today = timezone.localdate()
    return list(
        published_events(listing.office)
        .filter(
            Q(establishment_id=listing.establishment_id)
            | Q(organisation_id=listing.establishment.organisation_id)
        )
        .filter(ends_at__date__gte=today)
        .order_by("starts_at", "pk")[:limit]
    )
