"""Reads of the agenda, scoped to one office (and in the espace pro, to a person's
organisations). The public agenda's rule (published events, by date range, category and town)
is `publishing.selectors.agenda`; what is here serves moderation, the espace pro, one event's
page and the iCalendar feeds, which also carry cancelled events (STATUS:CANCELLED)."""

import datetime

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ensemble.accounts.models import User
from ensemble.core.models import Office
from ensemble.directory.models import Establishment
from ensemble.directory.selectors import organisations_of_user

from .models import Event
from .rules import MAX_DURATION, PARIS

S = Event.Status
ANNOUNCED = (S.PUBLISHED, S.CANCELLED)
WAITING = Q(status=S.PROPOSED) | Q(change_submitted_at__isnull=False)
FEED_LIMIT = 500  # events in one iCalendar list feed


# ---- the espace pro ------------------------------------------------------------------------


def events_of_user(user: User, office: Office) -> QuerySet[Event]:
    """The events of the person's organisations in the office, latest first."""
    return (
        Event.objects.filter(office=office, organisation__in=organisations_of_user(user, office))
        .select_related("organisation", "establishment")
        .order_by("-starts_at", "-pk")
    )


def event_of_user(user: User, office: Office, event_id: int) -> Event:
    """One of the person's events, or 404: another partner's id is not found, not forbidden."""
    return get_object_or_404(events_of_user(user, office), pk=event_id)


def establishments_of_user(user: User, office: Office) -> QuerySet[Establishment]:
    return (
        Establishment.objects.filter(office=office, organisation__in=organisations_of_user(user, office))
        .select_related("organisation")
        .order_by("organisation__name", "name", "pk")
    )


# ---- the back office -----------------------------------------------------------------------


def moderation_queue(office: Office) -> QuerySet[Event]:
    """Proposed events and published events with a partner's change waiting, oldest first."""
    return (
        Event.objects.filter(office=office)
        .filter(WAITING)
        .select_related("organisation", "establishment", "submitted_by")
        .annotate(waiting_since=Coalesce("change_submitted_at", "created_at"))
        .order_by("waiting_since", "pk")
    )


def pending_count(office: Office) -> int:
    """What waits for the office's decision (for the dashboard and the menu)."""
    return Event.objects.filter(office=office).filter(WAITING).count()


def office_events(
    office: Office,
    *,
    status: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[Event]:
    """Every event of the office, by start, optionally of one status ("waiting": what waits
    for a decision) and overlapping [start, end]."""
    queryset = Event.objects.filter(office=office)
    if status == "waiting":
        queryset = queryset.filter(WAITING)
    elif status:
        queryset = queryset.filter(status=status)
    if start:
        queryset = queryset.filter(ends_at__gte=_midnight(start))
    if end:
        queryset = queryset.filter(starts_at__lt=_midnight(end + datetime.timedelta(days=1)))
    return queryset.select_related("organisation", "establishment").order_by("starts_at", "pk")


def event_detail(office: Office, pk: int) -> Event:
    return get_object_or_404(
        Event.objects.filter(office=office).select_related(
            "organisation", "establishment", "submitted_by", "decided_by"
        ),
        pk=pk,
    )


def establishments(office: Office) -> QuerySet[Establishment]:
    return Establishment.objects.filter(office=office).select_related("organisation").order_by("name", "pk")


def establishment_names(office: Office, ids) -> dict[int, str]:
    ids = [pk for pk in ids if pk]
    if not ids:
        return {}
    return dict(Establishment.objects.filter(office=office, pk__in=ids).values_list("pk", "name"))


# ---- the public side and the feeds ---------------------------------------------------------


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=PARIS)


def announced_events(office: Office) -> QuerySet[Event]:
    """Published events and those cancelled after publication."""
    return Event.objects.filter(office=office, status__in=ANNOUNCED)


def start_bound(queryset: QuerySet[Event], day: datetime.date) -> QuerySet[Event]:
    """A lower bound on the start of the events still running on `day`: no event lasts more
    than MAX_DURATION, so the database walks the (office, status, starts_at) index from a
    year before instead of from the first event ever. Changes no result."""
    return queryset.filter(starts_at__gte=_midnight(day) - MAX_DURATION)


def starting_from(queryset: QuerySet[Event], day: datetime.date) -> QuerySet[Event]:
    """Events still running on `day` (ending that day or later, Paris time)."""
    return start_bound(queryset.filter(ends_at__gte=_midnight(day)), day)


def feed(
    announced: QuerySet[Event],
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    category: str = "",
    town: str = "",
    since: datetime.datetime | None = None,
) -> QuerySet[Event]:
    """The events of an iCalendar list feed: the agenda's filters (as publishing.agenda
    applies them) over `announced` (published and cancelled events the public may see; see
    publishing.selectors.agenda_feed), by start, at most FEED_LIMIT."""
    queryset = starting_from(announced, start or timezone.localdate())
    if end:
        queryset = queryset.filter(starts_at__lt=_midnight(end + datetime.timedelta(days=1)))
    if category:
        queryset = queryset.filter(category=category)
    if town:
        queryset = queryset.filter(city__iexact=town)
    if since:
        queryset = queryset.filter(revised_at__gt=since)
    return queryset.select_related("organisation").order_by("starts_at", "pk")[:FEED_LIMIT]


def agenda_towns(office: Office, *, limit: int = 300) -> list[str]:
    """The towns of the upcoming published events, for the agenda's town filter."""
    rows = (
        starting_from(Event.objects.filter(office=office, status=S.PUBLISHED), timezone.localdate())
        .order_by()
        .values_list("city", flat=True)
        .distinct()
    )
    return sorted({city for city in rows[: limit * 4] if city}, key=str.casefold)[:limit]


def page_after(queryset: QuerySet[Event], *, starts_at: datetime.datetime, pk: int) -> QuerySet[Event]:
    """Keyset: the events after (starts_at, pk) in agenda order."""
    return queryset.filter(Q(starts_at__gt=starts_at) | Q(starts_at=starts_at, pk__gt=pk))
