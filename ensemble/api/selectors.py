"""Reads for incremental sync (`since=`), built on the publishing rule.

A published listing counts as changed since a moment when its content (listing row), its
establishment (name, address, contact, category), its organisation's memberships (which decide
whether a partner is published) or its availability changed after it. A listing touched that way
and no longer published is reported as removed: withdrawn (`Listing.unpublished_at`), membership
ended or suspended, no longer an office place. Events likewise: their public content
(`Event.revised_at`) or their partner's membership changed; cancelled or refused ones are removed.
"""

import datetime

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from ensemble.core.models import Office
from ensemble.events.models import Event
from ensemble.listings.models import Availability, Listing
from ensemble.memberships.models import Membership
from ensemble.publishing.selectors import published_events, published_listings


def _touched_since(office: Office, since: datetime.datetime) -> Q:
    memberships = Membership.objects.filter(office=office, updated_at__gt=since).values("organisation_id")
    availability = Availability.objects.filter(listing=OuterRef("pk"), updated_at__gt=since)
    return (
        Q(updated_at__gt=since)
        | Q(unpublished_at__gt=since)
        | Q(establishment__updated_at__gt=since)
        | Q(establishment__organisation_id__in=memberships)
        | Q(Exists(availability))
    )


def changed_listings(
    office: Office, queryset: QuerySet[Listing], since: datetime.datetime
) -> QuerySet[Listing]:
    """The published listings of `queryset` that changed after `since`."""
    return queryset.filter(_touched_since(office, since))


def removed_listing_ids(office: Office, since: datetime.datetime) -> list[int]:
    """Listings changed after `since` that are not published now (withdrawn, membership over)."""
    return list(
        Listing.objects.filter(office=office)
        .filter(_touched_since(office, since))
        .exclude(pk__in=published_listings(office).values("pk"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _event_touched_since(office: Office, since: datetime.datetime) -> Q:
    memberships = Membership.objects.filter(office=office, updated_at__gt=since).values("organisation_id")
    return Q(updated_at__gt=since) | Q(revised_at__gt=since) | Q(organisation_id__in=memberships)


def changed_events(office: Office, queryset: QuerySet[Event], since: datetime.datetime) -> QuerySet[Event]:
    """The published events of `queryset` whose public content changed after `since`
    (`revised_at`), or whose organiser's membership changed (which decides whether a partner's
    events are published)."""
    memberships = Membership.objects.filter(office=office, updated_at__gt=since).values("organisation_id")
    return queryset.filter(Q(revised_at__gt=since) | Q(organisation_id__in=memberships))


def removed_event_ids(office: Office, since: datetime.datetime) -> list[int]:
    """Events changed after `since` that are not published now (cancelled, refused, their
    partner's membership over)."""
    return list(
        Event.objects.filter(office=office)
        .filter(_event_touched_since(office, since))
        .exclude(pk__in=published_events(office).values("pk"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def listings_changed_at(office: Office) -> datetime.datetime | None:
    """The last change of any listing or membership of the office (a withdrawal included)."""
    listing = Listing.objects.filter(office=office).aggregate(at=Max("updated_at"))["at"]
    membership = Membership.objects.filter(office=office).aggregate(at=Max("updated_at"))["at"]
    return max((stamp for stamp in (listing, membership) if stamp), default=None)


def availability_changed_at(office: Office, day: datetime.date) -> datetime.datetime | None:
    return Availability.objects.filter(office=office, date=day).aggregate(at=Max("updated_at"))["at"]


def events_changed_at(office: Office) -> datetime.datetime | None:
    """The last change of any event or membership of the office (a cancellation included)."""
    event = Event.objects.filter(office=office).aggregate(at=Max("updated_at"))["at"]
    membership = Membership.objects.filter(office=office).aggregate(at=Max("updated_at"))["at"]
    return max((stamp for stamp in (event, membership) if stamp), default=None)
