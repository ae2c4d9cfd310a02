"""Reads of the update campaigns, always scoped: to an office (back office) or to a person's
organisations in an office (espace pro)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ensemble.accounts.models import User
from ensemble.core.models import Office, OutboundEmail
from ensemble.directory import selectors as directory_selectors
from ensemble.listings.models import Listing

from .models import CampaignTarget, TargetState, UpdateCampaign

S = UpdateCampaign.Status

# Each state as a filter on targets (see TargetState for the precedence).
STATE_FILTERS = {
    TargetState.CONFIRMED: Q(confirmed_at__isnull=False),
    TargetState.PENDING: Q(confirmed_at__isnull=True, flagged_at__isnull=True, unpublished_at__isnull=True),
    TargetState.FLAGGED: Q(confirmed_at__isnull=True, flagged_at__isnull=False, unpublished_at__isnull=True),
    TargetState.UNPUBLISHED: Q(confirmed_at__isnull=True, unpublished_at__isnull=False),
}


# ---- campaigns -----------------------------------------------------------------------------


def campaigns(office: Office) -> QuerySet[UpdateCampaign]:
    """The office's campaigns, newest first, with their numbers of targets and confirmations."""
    return (
        UpdateCampaign.objects.filter(office=office)
        .select_related("launched_by")
        .annotate(
            target_count=Count("targets"),
            confirmed_count=Count("targets", filter=Q(targets__confirmed_at__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )


def campaign_detail(office: Office, campaign_id: int) -> UpdateCampaign:
    """One campaign of the office; DoesNotExist for another office's id."""
    return (
        UpdateCampaign.objects.filter(office=office)
        .select_related("created_by", "launched_by", "closed_by")
        .prefetch_related("categories")
        .get(pk=campaign_id)
    )


def covered_listings(campaign: UpdateCampaign) -> QuerySet[Listing]:
    """The listings a campaign asks about: every published listing of the office, or of the
    campaign's categories when it has some."""
    listings = Listing.objects.filter(office_id=campaign.office_id, unpublished_at__isnull=True)
    if campaign.pk and campaign.categories.exists():
        listings = listings.filter(establishment__category__in=campaign.categories.all())
    return listings.select_related("establishment__organisation", "establishment__category").order_by("pk")


# ---- the completion dashboard --------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    """The numbers of one category (or of the whole campaign) — states are exclusive."""

    label: str
    total: int
    confirmed: int
    pending: int
    flagged: int
    unpublished: int

    @property
    def percent(self) -> int:
        return round(100 * self.confirmed / self.total) if self.total else 0


def _counts() -> dict:
    return {state.value: Count("id", filter=condition) for state, condition in STATE_FILTERS.items()}


def completion_by_category(campaign: UpdateCampaign) -> list[Completion]:
    """One row per directory category, in one aggregated query."""
    rows = (
        CampaignTarget.objects.filter(campaign=campaign)
        .values(
            "listing__establishment__category_id",
            "listing__establishment__category__name",
            "listing__establishment__category__position",
        )
        .annotate(total=Count("id"), **_counts())
        .order_by("listing__establishment__category__position", "listing__establishment__category__name")
    )
    return [
        Completion(
            label=row["listing__establishment__category__name"],
            total=row["total"],
            **{state.value: row[state.value] for state in TargetState},
        )
        for row in rows
    ]


def completion_total(rows: list[Completion], *, label: str) -> Completion:
    """The whole campaign, added up from its categories (no query)."""
    fields = ("total", *(state.value for state in TargetState))
    return Completion(label=label, **{name: sum(getattr(r, name) for r in rows) for name in fields})


# ---- targets -------------------------------------------------------------------------------

_REMINDER_LEFT = Q(reminders__email__status__in=OutboundEmail.LEFT_STATUSES)


def targets(
    campaign: UpdateCampaign, *, state: str | None = None, search: str = ""
) -> QuerySet[CampaignTarget]:
    """The campaign's targets for the staff list and its export, filtered by state and by the
    establishment's or organisation's name; each with its number of reminders."""
    qs = CampaignTarget.objects.filter(campaign=campaign)
    if state in STATE_FILTERS:
        qs = qs.filter(STATE_FILTERS[state])
    if search:
        qs = qs.filter(
            Q(listing__establishment__name__icontains=search)
            | Q(listing__establishment__organisation__name__icontains=search)
        )
    return (
        qs.select_related(
            "listing__establishment__organisation", "listing__establishment__category", "confirmed_by"
        )
        .annotate(
            # A reminder counts once its e-mail has left (a mail server down must not look "reminded").
            reminder_count=Count("reminders", filter=_REMINDER_LEFT),
            last_reminder_at=Max("reminders__email__sent_at", filter=_REMINDER_LEFT),
        )
        .order_by("listing__establishment__name", "pk")
    )


def unpublishable_targets(campaign: UpdateCampaign) -> QuerySet[CampaignTarget]:
    """Flagged, still unconfirmed, and still published: what "Retirer les fiches non
    confirmées" would unpublish once the grace period is over."""
    return CampaignTarget.objects.filter(
        campaign=campaign,
        flagged_at__isnull=False,
        confirmed_at__isnull=True,
        unpublished_at__isnull=True,
        listing__unpublished_at__isnull=True,
    )


def can_unpublish(campaign: UpdateCampaign, *, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return campaign.status == S.LAUNCHED and today >= campaign.unpublish_from


def campaign_counts(office: Office) -> dict[str, int]:
    """For the back-office dashboard, in two queries: campaigns running, their listings still
    awaiting a confirmation, those flagged (past the deadline) and those that may be unpublished
    now (grace period over)."""
    today = timezone.localdate()
    running = CampaignTarget.objects.filter(office=office, campaign__status=S.LAUNCHED)
    unconfirmed = Q(confirmed_at__isnull=True, unpublished_at__isnull=True)
    flagged = unconfirmed & Q(flagged_at__isnull=False)
    # Date arithmetic on a column (deadline + grace_days) differs per database: done in Python.
    overdue_ids = [
        c.pk
        for c in UpdateCampaign.objects.filter(office=office, status=S.LAUNCHED).only(
            "deadline", "grace_days", "status"
        )
        if today >= c.unpublish_from
    ]
    numbers = running.aggregate(
        campaigns=Count("campaign", distinct=True),
        awaiting=Count("id", filter=unconfirmed),
        flagged=Count("id", filter=flagged),
        to_unpublish=Count(
            "id", filter=flagged & Q(campaign_id__in=overdue_ids, listing__unpublished_at__isnull=True)
        ),
    )
    return {key: value or 0 for key, value in numbers.items()}


# ---- espace pro ----------------------------------------------------------------------------


def _targets_of_user(user: User, office: Office) -> QuerySet[CampaignTarget]:
    organisations = directory_selectors.organisations_of_user(user, office)
    return CampaignTarget.objects.filter(
        office=office, listing__establishment__organisation__in=organisations
    ).select_related("campaign", "listing__establishment__organisation", "listing__establishment__category")


def target_of_user(user: User, office: Office, target_id: int) -> CampaignTarget:
    """A target of one of the person's listings in this office, or 404 (another partner's target
    is not found, not forbidden)."""
    return get_object_or_404(_targets_of_user(user, office), pk=target_id)


def open_targets_of_user(user: User, office: Office) -> QuerySet[CampaignTarget]:
    """The person's listings that a running campaign still asks them to confirm (for the
    espace pro's home page)."""
    return (
        _targets_of_user(user, office)
        .filter(campaign__status=S.LAUNCHED, confirmed_at__isnull=True, unpublished_at__isnull=True)
        .order_by("campaign__deadline", "listing__establishment__name", "pk")
    )
