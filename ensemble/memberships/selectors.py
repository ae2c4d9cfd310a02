"""Reads of seasons and memberships, scoped to one office."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from ensemble.core.models import Office

from .models import Membership, Offer, Season, TermsDocument


def seasons(office: Office) -> QuerySet[Season]:
    return Season.objects.filter(office=office).order_by("-year")


def current_season(office: Office) -> Season | None:
    return seasons(office).filter(is_open_for_joining=True).first() or seasons(office).first()


def open_season(office: Office, *, today=None) -> Season | None:
    """The season the join form is for: the newest one open, not over, and on sale (its
    `sales_from` reached: from 1 November the form can offer next year; issue 12, A10)."""
    today = today or timezone.localdate()
    return (
        seasons(office)
        .filter(is_open_for_joining=True, ends_on__gte=today)
        .filter(Q(sales_from__isnull=True) | Q(sales_from__lte=today))
        .first()
    )


def catalogue(season: Season) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(season=season, office_id=season.office_id)
        .prefetch_related("entitlements")
        .order_by("position", "id")
    )


def season_offer(office: Office, season_pk: int, pk: int) -> Offer:
    """One offer of one of `office`'s seasons, with its season and rights; DoesNotExist outside."""
    return (
        Offer.objects.filter(office=office, season__office=office, season_id=season_pk)
        .select_related("season")
        .prefetch_related("entitlements")
        .get(pk=pk)
    )


def current_terms(season: Season) -> dict[str, TermsDocument]:
    return {d.kind: d for d in TermsDocument.objects.filter(season=season, is_current=True)}


def membership_list(
    office: Office,
    *,
    season_id: int | None = None,
    status: str | None = None,
    category_id: int | None = None,
    search: str = "",
) -> QuerySet[Membership]:
    """The staff list: one query for the rows, whatever their number."""
    qs = Membership.objects.filter(office=office).select_related(
        "season", "organisation", "establishment__category"
    )
    if season_id:
        qs = qs.filter(season_id=season_id)
    if status:
        qs = qs.filter(status=status)
    if category_id:
        qs = qs.filter(establishment__category_id=category_id)
    if search:
        qs = qs.filter(Q(organisation__name__icontains=search) | Q(establishment__name__icontains=search))
    return qs.order_by("-created_at", "-id")


def membership_detail(office: Office, pk: int) -> Membership:
    return (
        Membership.objects.filter(office=office)
        .select_related("season", "organisation", "establishment__category", "applicant")
        .prefetch_related(
            "lines__offer",
            "history__actor",
            "entitlements__uses",
            "acceptances",
        )
        .get(pk=pk)
    )


def status_counts(office: Office, season: Season | None) -> dict[str, int]:
    qs = Membership.objects.filter(office=office)
    if season is not None:
        qs = qs.filter(season=season)
    rows = qs.values("status").annotate(n=Count("id"))
    counts = {status: 0 for status in Membership.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def memberships_of_organisation(office: Office, organisation_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(office=office, organisation_id=organisation_id)
        .select_related("season")
        .order_by("-season__year")
    )


def expiring_memberships(office: Office, *, within_days: int = 30, today=None) -> QuerySet[Membership]:
    """Live memberships whose end date falls within `within_days` of `today` (a date; default:
    the local date), soonest first: what the back-office dashboard lists as expiring."""
    from datetime import timedelta

    from django.utils import timezone

    today = today or timezone.localdate()
    return (
        Membership.objects.filter(
            office=office,
            status__in=Membership.LIVE_STATUSES,
            ends_on__gte=today,
            ends_on__lte=today + timedelta(days=within_days),
        )
        .select_related("season", "organisation", "establishment__category")
        .order_by("ends_on", "id")
    )


def season_detail(office: Office, pk: int) -> Season:
    """One season of `office`; DoesNotExist outside it."""
    return seasons(office).get(pk=pk)


def renewal_of(membership: Membership) -> Membership | None:
    """The next season's membership created by renewing `membership`, if any."""
    return (
        Membership.objects.filter(office_id=membership.office_id, renewed_from=membership)
        .select_related("season")
        .first()
    )


# --- The espace pro: a person sees the memberships of the organisations they act for ----------


def partner_memberships(user, office: Office) -> QuerySet[Membership]:
    """The memberships of the organisations `user` acts for, in `office`."""
    return Membership.objects.filter(office=office, organisation__organisationmember__user=user)


def partner_membership(user, office: Office, pk: int) -> Membership:
    """One membership for the portal; DoesNotExist unless it is one of the user's organisations'."""
    return (
        partner_memberships(user, office)
        .select_related("season", "organisation")
        .prefetch_related("lines__offer")
        .get(pk=pk)
    )


def account_memberships(organisation) -> QuerySet[Membership]:
    """An organisation's memberships, newest season first, with their history and the terms
    accepted: a fixed number of queries whatever their number."""
    from .models import MembershipTransition, TermsAcceptance

    return (
        Membership.objects.filter(office_id=organisation.office_id, organisation=organisation)
        .select_related("season")
        .prefetch_related(
            "lines__offer",
            Prefetch("history", queryset=MembershipTransition.objects.order_by("created_at", "id")),
            Prefetch(
                "acceptances",
                queryset=TermsAcceptance.objects.only(
                    "id", "membership", "kind", "version", "title", "accepted_at"
                ),
            ),
        )
        .order_by("-season__year", "-id")
    )


def partner_acceptance(user, office: Office, pk: int):
    """One terms acceptance (with its verbatim text) of the user's organisations in `office`;
    DoesNotExist otherwise."""
    from .models import TermsAcceptance

    return TermsAcceptance.objects.select_related("membership__season", "membership__organisation").get(
        office=office, membership__organisation__organisationmember__user=user, pk=pk
    )
