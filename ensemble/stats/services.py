"""Counting what visitors see and do, per listing and day, without knowing who they are.

`record` adds to the day's counters in one SQL statement per call: an upsert
(INSERT … ON CONFLICT (listing, day, kind) DO UPDATE SET count = count + EXCLUDED.count), valid
on PostgreSQL and SQLite ≥ 3.24. The database applies each increment atomically under the
unique constraint, so concurrent requests never lose one (tests/test_stats.py runs it in real
threads on PostgreSQL). Nothing about the visitor is read or stored, only the number.
"""

import datetime
import logging
from collections import Counter
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.listings.models import Listing

from . import buffering
from .errors import StatsError
from .models import VisibilityCount

logger = logging.getLogger(__name__)
Kind = VisibilityCount.Kind

BATCH = 400  # rows per statement: 2 parameters each, well under SQLite's limit
# Requests that are not a person looking: crawlers, link previews, speculative prefetches.
ROBOT_MARKERS = ("bot", "crawl", "spider", "slurp", "preview", "facebookexternalhit", "headless")


def record(listing_ids: int | Iterable[int], kind: str, *, day: datetime.date | None = None) -> int:
    """Add one to `kind` on `day` (today by default) for each listing id; an id given n times
    adds n, ids of no listing are ignored. One statement per call (per 400 distinct ids), atomic
    by itself; returns the number of counters touched."""
    if kind not in Kind.values:
        raise StatsError(
            _("Mesure de visibilité inconnue : « %(kind)s ».") % {"kind": str(kind)[:40]}, field="kind"
        )
    ids = [listing_ids] if isinstance(listing_ids, int) else listing_ids
    return add_increments(Counter(int(listing_id) for listing_id in ids), kind=kind, day=day)


def add_increments(increments: Counter, *, kind: str, day: datetime.date | None = None) -> int:
    """Add n to `kind` on `day` for each (listing id, n); see `record`."""
    rows = sorted(increments.items())
    day = day or timezone.localdate()
    touched = 0
    for start in range(0, len(rows), BATCH):
        touched += _upsert(rows[start : start + BATCH], kind=kind, day=day)
    return touched


def _upsert(increments: list[tuple[int, int]], *, kind: str, day: datetime.date) -> int:
    quote = connection.ops.quote_name
    table, listings = quote(VisibilityCount._meta.db_table), quote(Listing._meta.db_table)
    count = quote("count")
    values = ", ".join(["(%s, %s)"] * len(increments))
    # The office comes from the listing row; `v` is the (id, increment) list (VALUES names its
    # columns column1, column2 on both databases). The WHERE clause lifts SQLite's parsing
    # ambiguity between a join's ON and the upsert's ON CONFLICT; ordering by id makes
    # concurrent statements lock the same rows in the same order.
    # Only quoted table/column names and placeholders are interpolated: every value is a parameter.
    sql = (
        f"INSERT INTO {table} (office_id, listing_id, day, kind, {count}) "  # noqa: S608
        f"SELECT l.office_id, l.id, %s, %s, v.column2 FROM {listings} AS l "
        f"JOIN (VALUES {values}) AS v ON l.id = v.column1 "
        f"WHERE 1 = 1 ORDER BY l.id "
        f"ON CONFLICT (listing_id, day, kind) DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )
    params: list = [day, kind]
    for listing_id, increment in increments:
        params += [listing_id, increment]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def is_counted(request) -> bool:
    """Whether a request is a person's visit worth counting: not a HEAD, not a prefetch, not a
    known robot. Reads headers only; nothing is kept."""
    if request is None:
        return True
    if request.method not in ("GET", "POST"):
        return False
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    if "prefetch" in purpose.lower():
        return False
    agent = request.headers.get("User-Agent", "").lower()
    return not any(marker in agent for marker in ROBOT_MARKERS)


def record_page_view(listing: Listing | int, *, request=None) -> None:
    """The public detail page of a listing (or listing id) was shown (call it from the page's
    view, with the request to leave robots and prefetches out)."""
    if is_counted(request):
        buffering.add([getattr(listing, "pk", listing)], Kind.PAGE_VIEW)


def record_click(listing: Listing, kind: str, *, request=None) -> None:
    """A visitor followed the listing's phone, e-mail, website or booking link."""
    if kind not in (Kind.CLICK_PHONE, Kind.CLICK_EMAIL, Kind.CLICK_WEBSITE, Kind.CLICK_BOOKING):
        raise StatsError(_("Ce n'est pas un clic : « %(kind)s ».") % {"kind": kind}, field="kind")
    if is_counted(request):
        buffering.add([listing.pk], kind)


def record_api_impressions(listing_ids: Iterable[int], *, request=None) -> None:
    """Listings returned by the open-data API (a page of results or one item). Every client
    counts: the API's readers are programs (the request is accepted for a uniform signature)."""
    buffering.add(listing_ids, Kind.API_IMPRESSION)


def record_widget_impressions(listing_ids: Iterable[int], *, request=None) -> None:
    """Listings shown by the embeddable widget on another site."""
    if is_counted(request):
        buffering.add(listing_ids, Kind.WIDGET_IMPRESSION)
