"""Renewing a membership into the next season, with the same pack and options."""

from django.db import transaction

from ensemble.accounts.models import User
from ensemble.directory import services as directory_services
from ensemble.directory.models import TimelineEntry

from ..errors import MembershipError
from ..models import Membership, MembershipLine, Offer, Season
from .lifecycle import S, log_transition


@transaction.atomic
def renew_membership(membership: Membership, *, actor: User | None) -> Membership:
    """Create next season's request from this membership: same offers (matched by code, at next
    season's prices). The new season's charter and CGV are accepted by the partner separately."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status not in (S.ACTIVE, S.NOTICE_GIVEN, S.SUSPENDED, S.EXPIRED):
        raise MembershipError("Seule une adhésion qui a été active peut être renouvelée.")
    if membership.status == S.NOTICE_GIVEN:
        raise MembershipError("Le partenaire a résilié : l'adhésion ne peut pas être renouvelée.")
    next_season = Season.objects.filter(
        office_id=membership.office_id, year=membership.season.year + 1
    ).first()
    if next_season is None:
        raise MembershipError(f"La saison {membership.season.year + 1} n'est pas encore préparée.")
    if (
        Membership.objects.filter(organisation=membership.organisation, season=next_season)
        .exclude(status__in=[S.REFUSED, S.TERMINATED])
        .exists()
    ):
        raise MembershipError(f"Une adhésion {next_season.year} existe déjà.")
    offers = {o.code: o for o in Offer.objects.filter(season=next_season, is_active=True)}
    renewal = Membership.objects.create(
        office_id=membership.office_id,
        season=next_season,
        organisation=membership.organisation,
        establishment=membership.establishment,
        payment_method=membership.payment_method,
        applicant=membership.applicant,
        renewed_from=membership,
    )
    lines = [
        MembershipLine(
            membership=renewal,
            offer=offers[line.offer.code],
            quantity=line.quantity,
            unit_price_ttc=offers[line.offer.code].price_ttc if offers[line.offer.code].is_priced else None,
        )
        for line in membership.lines.select_related("offer")
        if line.offer.code in offers
    ]
    if not any(line.offer.kind == Offer.Kind.PACK for line in lines):
        raise MembershipError(f"Le pack partenaire n'est pas proposé en {next_season.year}.")
    MembershipLine.objects.bulk_create(lines)
    renewal.amount_due = sum((line.total_ttc for line in lines if line.total_ttc), 0)
    renewal.save(update_fields=["amount_due"])
    log_transition(renewal, action="renew", from_status="", reason="", actor=actor)
    directory_services.record_timeline(
        membership.organisation,
        kind=TimelineEntry.Kind.JOIN,
        summary=f"Renouvellement {membership.season.year} → {next_season.year} demandé",
        actor=actor,
    )
    return renewal
