"""Reads for incremental sync (`since=`), built on the publishing rule.

A published listing counts as changed since a moment when its publication snapshot changed after
it (its content, establishment, amenities, or whether it is published: the snapshot is rewritten,
with a new revision, in the transaction of each such change; publishing/models.py) or its
availability did. A listing whose snapshot changed and that is no longer published is reported as
removed: withdrawn (a tombstone), membership ended or suspended, no longer an office place.
Events likewise: their public content (`Event.revised_at`) or their partner's membership
changed; cancelled or refused ones are removed.
"""

import datetime

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from ensemble.core.models import Office
from ensemble.events.models import Event
from ensemble.listings.models import Availability, Listing
from ensemble.memberships.models import Membership
from ensemble.publishing.models import PublicationSnapshot
from ensemble.publishing.selectors import published_events, visible_snapshots


def _snapshot_changed_since(since: datetime.datetime) -> Exists:
    return Exists(
        PublicationSnapshot.objects.filter(listing=OuterRef("pk"), language="fr", updated_at__gt=since)
    )


def changed_listings(
    office: Office, queryset: QuerySet[Listing], since: datetime.datetime
) -> QuerySet[Listing]:
    """The published listings of `queryset` whose snapshot (content, establishment, amenities,
    visibility) or availability changed after `since`."""
    availability = Availability.objects.filter(listing=OuterRef("pk"), updated_at__gt=since)
    return queryset.filter(Q(_snapshot_changed_since(since)) | Q(Exists(availability)))


def removed_listing_ids(office: Office, since: datetime.datetime) -> list[int]:
    """Listings whose snapshot changed after `since` and that are not published now: a
    tombstone (withdrawn, membership ended or suspended, no longer an office place) or a
    partner whose live seasons are over."""
    visible = visible_snapshots(office, language="fr").values("pk")
    return list(
        PublicationSnapshot.objects.filter(office=office, language="fr", updated_at__gt=since)
        .exclude(pk__in=visible)
        .order_by("listing_id")
        .values_list("listing_id", flat=True)
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
    """The last change of any published listing of the office (a withdrawal, a membership's end
    included: each rewrites the listing's snapshot)."""
    return PublicationSnapshot.objects.filter(office=office, language="fr").aggregate(at=Max("updated_at"))[
        "at"
    ]


def availability_changed_at(office: Office, day: datetime.date) -> datetime.datetime | None:
    return Availability.objects.filter(office=office, date=day).aggregate(at=Max("updated_at"))["at"]


def events_changed_at(office: Office) -> datetime.datetime | None:
    """The last change of any event or membership of the office (a cancellation included)."""
    event = Event.objects.filter(office=office).aggregate(at=Max("updated_at"))["at"]
    membership = Membership.objects.filter(office=office).aggregate(at=Max("updated_at"))["at"]
    return max((stamp for stamp in (event, membership) if stamp), default=None)
