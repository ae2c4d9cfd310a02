"""Reads of the visibility counts: a listing's year month by month, an office's year per
listing, the export. Each is one query whatever the number of listings and days."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Min, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ensemble.accounts.models import User
from ensemble.core.models import Office
from ensemble.directory.models import Organisation
from ensemble.directory.selectors import organisations_of_user
from ensemble.listings.models import Listing

from .errors import StatsError
from .models import VisibilityCount

Kind = VisibilityCount.Kind
KINDS: list[str] = list(Kind.values)
FIRST_YEAR = 2000


def check_year(year: int) -> int:
    """A year a report can show: from 2000 to the current year."""
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise StatsError(f"Année hors limites : {year}.", field="year")
    return year


def _in_year(year: int) -> Q:
    return Q(day__gte=datetime.date(year, 1, 1), day__lte=datetime.date(year, 12, 31))


def years(first_day: datetime.date | None) -> list[int]:
    """The years a report offers: from the first counted day's to the current one, newest first."""
    today = timezone.localdate()
    first = first_day.year if first_day else today.year
    return list(range(today.year, max(first, FIRST_YEAR) - 1, -1))


def first_day(counts: QuerySet[VisibilityCount]) -> datetime.date | None:
    return counts.aggregate(first=Min("day"))["first"]


# ---- whose listings -----------------------------------------------------------------------


def listings_of_user(user: User, office: Office) -> QuerySet[Listing]:
    """The listings of the person's organisations in this office (published or not: past
    counts stay theirs), by name."""
    return (
        Listing.objects.filter(
            office=office, establishment__organisation__in=organisations_of_user(user, office)
        )
        .select_related("establishment__organisation")
        .order_by("establishment__name", "pk")
    )


def listing_of_user(user: User, office: Office, listing_id: int) -> Listing:
    """One of the person's listings; 404 for anyone else's."""
    return get_object_or_404(listings_of_user(user, office), pk=listing_id)


def office_listing(office: Office, listing_id: int) -> Listing:
    return get_object_or_404(
        Listing.objects.filter(office=office).select_related("establishment__organisation"), pk=listing_id
    )


def organisation_listings(office: Office, organisation_id: int) -> tuple[Organisation, list[Listing]]:
    organisation = get_object_or_404(Organisation.objects.filter(office=office), pk=organisation_id)
    listings = (
        Listing.objects.filter(office=office, establishment__organisation=organisation)
        .select_related("establishment__organisation")
        .order_by("establishment__name", "pk")
    )
    return organisation, list(listings)


def counts_of_listings(listings: Iterable[Listing]) -> QuerySet[VisibilityCount]:
    return VisibilityCount.objects.filter(listing__in=[listing.pk for listing in listings])


# ---- one listing's year, month by month ---------------------------------------------------


@dataclass
class MonthRow:
    month: datetime.date  # the first day of the month
    counts: list[int]  # in KINDS order

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class ListingReport:
    listing: Listing
    year: int
    months: list[MonthRow] = field(default_factory=list)

    @property
    def totals(self) -> list[int]:
        return [sum(row.counts[i] for row in self.months) for i in range(len(KINDS))]

    @property
    def total(self) -> int:
        return sum(self.totals)


def monthly_counts(listings: list[Listing], year: int) -> dict[tuple[int, int, str], int]:
    """{(listing id, month, kind): count} for the year; one query."""
    rows = (
        VisibilityCount.objects.filter(_in_year(year), listing__in=[listing.pk for listing in listings])
        .annotate(month=ExtractMonth("day"))
        .values("listing_id", "month", "kind")
        .annotate(total=Sum("count"))
        .order_by()
    )
    return {(row["listing_id"], row["month"], row["kind"]): row["total"] for row in rows}


def listing_reports(listings: list[Listing], year: int) -> list[ListingReport]:
    """Each listing's year: twelve months × every kind (zeros included); one query."""
    counts = monthly_counts(listings, year)
    reports = []
    for listing in listings:
        months = [
            MonthRow(
                month=datetime.date(year, month, 1),
                counts=[counts.get((listing.pk, month, kind), 0) for kind in KINDS],
            )
            for month in range(1, 13)
        ]
        reports.append(ListingReport(listing=listing, year=year, months=months))
    return reports


def yearly_totals(listings: list[Listing], year: int) -> dict[int, list[int]]:
    """{listing id: [count per kind, in KINDS order]} for the year; one query."""
    found: dict[int, list[int]] = defaultdict(lambda: [0] * len(KINDS))
    rows = (
        VisibilityCount.objects.filter(_in_year(year), listing__in=[listing.pk for listing in listings])
        .values("listing_id", "kind")
        .annotate(total=Sum("count"))
        .order_by()
    )
    for row in rows:
        found[row["listing_id"]][KINDS.index(row["kind"])] = row["total"]
    return {listing.pk: found[listing.pk] for listing in listings}


# ---- the office's year --------------------------------------------------------------------


def office_year(office: Office, year: int) -> QuerySet:
    """One row per listing counted this year: its name, organisation, a column per kind and
    the total, by name. One query (paginate it)."""
    sums = {kind: Sum("count", filter=Q(kind=kind)) for kind in KINDS}
    return (
        VisibilityCount.objects.filter(_in_year(year), office=office)
        .values(
            "listing_id",
            "listing__establishment__name",
            "listing__establishment__organisation_id",
            "listing__establishment__organisation__name",
        )
        .annotate(total=Sum("count"), **sums)
        .order_by("listing__establishment__name", "listing_id")
    )


def office_first_day(office: Office) -> datetime.date | None:
    return first_day(VisibilityCount.objects.filter(office=office))


def export_rows(office: Office, year: int) -> Iterator[dict]:
    """Every (listing, kind, month) count of the office's year, for the CSV export: one query,
    streamed."""
    rows = (
        VisibilityCount.objects.filter(_in_year(year), office=office)
        .annotate(month=ExtractMonth("day"))
        .values(
            "listing_id",
            "listing__establishment__name",
            "listing__establishment__organisation__name",
            "kind",
            "month",
        )
        .annotate(total=Sum("count"))
        .order_by("listing__establishment__name", "listing_id", "kind", "month")
    )
    return rows.iterator(chunk_size=2000)
