"""Reads of partners' requests, the image bank and gift codes, always scoped to one office
(and, for the espace pro, to the organisations of one person)."""

import datetime
from collections import defaultdict

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from ensemble.accounts.models import User
from ensemble.core.models import Office
from ensemble.memberships.models import EntitlementKind, Membership, Offer, Season

from .models import CLAIMABLE_KINDS, Claim, GiftCode, MediaBankImage

K = EntitlementKind
OPEN = "open"  # the staff queue's default filter: requested or accepted


# --- The espace pro -----------------------------------------------------------------------------


def _partner_claims(office: Office) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(office=office)
        .select_related("membership__season", "membership__organisation", "requested_by")
        .prefetch_related(
            Prefetch("images", queryset=MediaBankImage.objects.order_by("id")),
            Prefetch("gift_codes", queryset=GiftCode.objects.order_by("id")),
        )
        .order_by("-created_at", "-id")
    )


def claims_of_user(user: User, office: Office) -> QuerySet[Claim]:
    """The requests of the organisations `user` acts for, in `office`, newest first."""
    return _partner_claims(office).filter(membership__organisation__organisationmember__user=user)


def claim_of_user(user: User, office: Office, claim_id: int) -> Claim:
    """One request for the espace pro; DoesNotExist unless it is one of the user's organisations'."""
    return claims_of_user(user, office).get(pk=claim_id)


def live_memberships_of_user(user: User, office: Office) -> QuerySet[Membership]:
    """The live memberships (active or under notice) of `user`'s organisations in `office`, with
    their entitlements and requests: what the "Mes prestations incluses" page lists."""
    claims = (
        Claim.objects.filter(office=office)
        .select_related("requested_by")
        .prefetch_related(
            Prefetch("images", queryset=MediaBankImage.objects.order_by("id")),
            Prefetch("gift_codes", queryset=GiftCode.objects.order_by("id")),
        )
        .order_by("-created_at", "-id")
    )
    return (
        Membership.objects.filter(
            office=office,
            organisation__organisationmember__user=user,
            status__in=Membership.LIVE_STATUSES,
        )
        .select_related("season", "organisation", "establishment")
        .prefetch_related("entitlements", Prefetch("claims", queryset=claims))
        .order_by("organisation__name", "-season__year", "id")
    )


def membership_of_user(user: User, office: Office, membership_id: int) -> Membership:
    """One membership of `user`'s organisations in `office` (any status); DoesNotExist otherwise."""
    return Membership.objects.select_related("organisation", "season").get(
        office=office, organisation__organisationmember__user=user, pk=membership_id
    )


def offers_by_kind(seasons: list[Season]) -> dict[tuple[int, str], list[Offer]]:
    """The active options of `seasons` that grant each claimable kind, keyed by (season id, kind):
    what a partner can order when its pack does not include a request, or it is used up.
    One query whatever the number of seasons."""
    offers = (
        Offer.objects.filter(season__in=seasons, kind=Offer.Kind.OPTION, is_active=True)
        .prefetch_related("entitlements")
        .order_by("position", "id")
    )
    found: dict[tuple[int, str], list[Offer]] = defaultdict(list)
    for offer in offers:
        for rule in offer.entitlements.all():
            if rule.kind in CLAIMABLE_KINDS:
                found[(offer.season_id, rule.kind)].append(offer)
    return found


# --- The back office ----------------------------------------------------------------------------


def claim_queue(office: Office, *, kind: str | None = None, status: str | None = OPEN) -> QuerySet[Claim]:
    """The staff list: one query for the rows, whatever their number. `status` is a Claim
    status, `OPEN` (requested or accepted, the default) or None (all)."""
    qs = Claim.objects.filter(office=office).select_related(
        "membership__organisation", "membership__season", "requested_by"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if status == OPEN:
        qs = qs.filter(status__in=Claim.OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    # Oldest first while they wait; newest first once handled.
    if status == OPEN or status in Claim.OPEN_STATUSES:
        return qs.order_by("created_at", "id")
    return qs.order_by("-created_at", "-id")


def requested_claims(office: Office) -> QuerySet[Claim]:
    """New requests waiting for a first answer, oldest first."""
    return claim_queue(office, status=Claim.Status.REQUESTED)


def banners_to_approve(office: Office) -> QuerySet[Claim]:
    """Reception-screen banners requested (or accepted) and not approved yet, oldest first."""
    return claim_queue(office, kind=K.SCREEN_BANNER, status=OPEN)


def queue_counts(office: Office) -> dict[str, int]:
    """What the dashboard shows: requests waiting for an answer, accepted ones to carry out,
    banners to approve, and all open ones. One query."""
    counts = Claim.objects.filter(office=office, status__in=Claim.OPEN_STATUSES).aggregate(
        open=Count("id"),
        requested=Count("id", filter=Q(status=Claim.Status.REQUESTED)),
        accepted=Count("id", filter=Q(status=Claim.Status.ACCEPTED)),
        banners_to_approve=Count("id", filter=Q(kind=K.SCREEN_BANNER)),
    )
    return {key: value or 0 for key, value in counts.items()}


def claim_detail(office: Office, pk: int) -> Claim:
    """One request with everything its page shows; DoesNotExist outside `office`."""
    return (
        Claim.objects.filter(office=office)
        .select_related(
            "membership__organisation",
            "membership__season",
            "entitlement",
            "requested_by",
            "decided_by",
        )
        .prefetch_related(
            Prefetch("images", queryset=MediaBankImage.objects.order_by("id")),
            Prefetch("gift_codes", queryset=GiftCode.objects.order_by("id")),
        )
        .get(pk=pk)
    )


def active_banners(office: Office, *, on: datetime.date | None = None) -> QuerySet[Claim]:
    """Approved banners on the reception screens on `on` (default today), oldest window first."""
    on = on or timezone.localdate()
    return (
        Claim.objects.filter(
            office=office,
            kind=K.SCREEN_BANNER,
            status=Claim.Status.DONE,
            starts_on__lte=on,
            ends_on__gte=on,
        )
        .select_related("membership__organisation", "membership__establishment")
        .order_by("starts_on", "id")
    )


# --- The image bank -----------------------------------------------------------------------------


def media_bank(office: Office, *, active_only: bool = True, search: str = "") -> QuerySet[MediaBankImage]:
    qs = MediaBankImage.objects.filter(office=office).select_related("uploaded_by")
    if active_only:
        qs = qs.filter(is_active=True)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(tags__icontains=search) | Q(credit__icontains=search))
    return qs.order_by("-created_at", "-id")


def media_image(office: Office, pk: int) -> MediaBankImage:
    """One image of the office's bank (active or withdrawn); DoesNotExist outside `office`."""
    return MediaBankImage.objects.get(office=office, pk=pk)
