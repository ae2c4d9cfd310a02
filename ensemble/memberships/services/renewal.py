"""Renewing a membership into the next season, with the same pack and options; and what the
partner does from the espace pro at the end of a season: renew in two clicks, or leave."""

import datetime
from collections.abc import Collection
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.directory import selectors as directory_selectors
from ensemble.directory import services as directory_services

from ..errors import MembershipError
from ..models import Membership, MembershipLine, Offer, Season, TermsDocument
from .join import CGV_MESSAGES, CHARTER_MESSAGES, Evidence, _record_acceptances
from .lifecycle import NOTICE_DAYS, S, _record, give_notice, log_transition

RENEWABLE = (S.ACTIVE, S.SUSPENDED, S.EXPIRED)


def renewal_refusal(
    membership: Membership, *, next_season: Season | None, taken: bool, from_portal: bool = False
) -> str | None:
    """Why `membership` cannot be renewed into `next_season` (its season's year + 1), or None.
    `taken`: the organisation already has a live membership for that season. From the portal
    the season must also be open for joining."""
    if membership.status == S.NOTICE_GIVEN:
        return _("Le partenaire a résilié : l'adhésion ne peut pas être renouvelée.")
    if membership.status not in RENEWABLE:
        return _("Seule une adhésion qui a été active peut être renouvelée.")
    year = membership.season.year + 1
    if next_season is None:
        return _("La saison %(year)s n'est pas encore préparée.") % {"year": year}
    if from_portal and not (next_season.is_open_for_joining and next_season.ends_on >= timezone.localdate()):
        return _("Les adhésions %(year)s ne sont pas encore ouvertes.") % {"year": year}
    if taken:
        return _("Une adhésion %(year)s existe déjà.") % {"year": year}
    return None


def renewal_lines(membership: Membership, next_season: Season) -> tuple[list[MembershipLine], list]:
    """The lines of the renewal, unsaved (same offers matched by code, at next season's prices,
    same quantities), and the offers of `membership` next season no longer proposes."""
    offers = {o.code: o for o in Offer.objects.filter(season=next_season, is_active=True)}
    lines, dropped = [], []
    for line in membership.lines.select_related("offer"):
        offer = offers.get(line.offer.code)
        if offer is None:
            dropped.append(line.offer)
            continue
        price = offer.price_ttc if offer.is_priced else None
        lines.append(MembershipLine(offer=offer, quantity=line.quantity, unit_price_ttc=price))
    return lines, dropped


def _next_season(membership: Membership) -> Season | None:
    return Season.objects.filter(office_id=membership.office_id, year=membership.season.year + 1).first()


def _taken(membership: Membership, season: Season | None) -> bool:
    if season is None:
        return False
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id, season=season)
        .exclude(status__in=[S.REFUSED, S.TERMINATED])
        .exists()
    )


@transaction.atomic
def renew_membership(membership: Membership, *, actor: User | None) -> Membership:
    """Create next season's request from this membership: same offers (matched by code, at next
    season's prices). The new season's charter and CGV are accepted by the partner separately."""
    renewal, dropped = _renew(membership, actor=actor)
    _record_renewal(renewal, membership, dropped, actor=actor)
    return renewal


def _record_renewal(
    renewal: Membership, membership: Membership, dropped: list[Offer], *, actor: User | None, **data
) -> None:
    _record(
        renewal,
        "membership.renewed",
        actor=actor,
        renewed_from=membership.pk,
        previous_season=membership.season.year,
        lines=[[line.offer.code, line.quantity] for line in renewal.lines.select_related("offer")],
        dropped=[offer.code for offer in dropped],
        amount_due=renewal.amount_due,
        **data,
    )


def _renew(membership: Membership, *, actor: User | None) -> tuple[Membership, list[Offer]]:
    """The renewal request and its lines (no audit entry: the public services write it)."""
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("season").get(pk=membership.pk)
    )
    next_season = _next_season(membership)
    refusal = renewal_refusal(membership, next_season=next_season, taken=_taken(membership, next_season))
    if refusal:
        raise MembershipError(refusal)
    lines, dropped = renewal_lines(membership, next_season)
    if not any(line.offer.kind == Offer.Kind.PACK for line in lines):
        raise MembershipError(
            _("Le pack partenaire n'est pas proposé en %(year)s.") % {"year": next_season.year}
        )
    renewal = Membership.objects.create(
        office_id=membership.office_id,
        season=next_season,
        organisation=membership.organisation,
        establishment=membership.establishment,
        payment_method=membership.payment_method,
        applicant=membership.applicant,
        renewed_from=membership,
        amount_due=sum((line.total_ttc for line in lines if line.total_ttc), Decimal("0.00")),
    )
    for line in lines:
        line.membership = renewal
    MembershipLine.objects.bulk_create(lines)
    log_transition(renewal, action="renew", from_status="", reason="", actor=actor)
    return renewal, dropped


# --- From the espace pro ----------------------------------------------------------------------

# Per kind: (not yet published, not accepted, a newer version was published); whole sentences so
# that each translates on its own, translated when raised.
TERMS_MESSAGES = {
    TermsDocument.Kind.CHARTER: (
        gettext_lazy("La saison %(year)s n'a pas encore publié la charte."),
        gettext_lazy("Vous devez accepter la charte %(year)s pour renouveler votre adhésion."),
        CHARTER_MESSAGES[1],
    ),
    TermsDocument.Kind.CGV: (
        gettext_lazy("La saison %(year)s n'a pas encore publié les CGV."),
        gettext_lazy("Vous devez accepter les CGV %(year)s pour renouveler votre adhésion."),
        CGV_MESSAGES[1],
    ),
}


def _require_owner(membership: Membership, actor: User | None, message: str) -> None:
    if not directory_selectors.is_owner(membership.organisation, actor):
        raise MembershipError(message)


def _accepted_next_terms(season: Season, accepted_terms: Collection[int]) -> list[TermsDocument]:
    """The season's current charter and CGV, each of which must be among `accepted_terms` (ids)."""
    accepted = {int(pk) for pk in accepted_terms if pk}
    current = {d.kind: d for d in TermsDocument.objects.filter(season=season, is_current=True)}
    documents = []
    for kind, (unpublished, required, stale_message) in TERMS_MESSAGES.items():
        field = f"accept_{kind}"
        doc = current.get(kind)
        if doc is None:
            raise MembershipError(str(unpublished) % {"year": season.year}, field=field)
        if doc.pk not in accepted:
            stale = TermsDocument.objects.filter(season=season, kind=kind, pk__in=accepted).exists()
            if stale:
                raise MembershipError(str(stale_message), field=field)
            raise MembershipError(str(required) % {"year": season.year}, field=field)
        documents.append(doc)
    return documents


def portal_renewal_season(membership: Membership, *, actor: User | None) -> Season:
    """The season `actor` may renew `membership` into from the espace pro; MembershipError
    saying why not otherwise (not an owner, not renewable, next season not open…)."""
    _require_owner(
        membership, actor, _("Seul un titulaire du compte de l'organisation peut renouveler l'adhésion.")
    )
    next_season = _next_season(membership)
    refusal = renewal_refusal(
        membership, next_season=next_season, taken=_taken(membership, next_season), from_portal=True
    )
    if refusal:
        raise MembershipError(refusal)
    return next_season


@transaction.atomic
def renew_from_portal(
    membership: Membership,
    *,
    actor: User,
    accepted_terms: Collection[int],
    evidence: Evidence,
    language: str = "fr",
) -> Membership:
    """The partner renews from the espace pro: next season's request with the same pack and
    options, and next season's charter and CGV accepted verbatim with the evidence of the act
    (the online bulletin counts as signed, as with the join form). All or nothing."""
    membership = Membership.objects.select_related("season", "organisation").get(pk=membership.pk)
    next_season = portal_renewal_season(membership, actor=actor)
    documents = _accepted_next_terms(next_season, accepted_terms)
    renewal, dropped = _renew(membership, actor=actor)
    renewal.applicant = actor
    renewal.bulletin_signed_on = timezone.localdate()
    renewal.save(update_fields=["applicant", "bulletin_signed_on", "updated_at"])
    _record_acceptances(renewal, documents, actor, evidence, language)  # the page's language
    email = directory_services.email_organisation(
        membership.organisation,
        to=actor.email,
        language=actor.language,
        template="membership_renewal",
        context={"membership": renewal, "lines": list(renewal.lines.select_related("offer"))},
        actor=actor,
    )
    _record_renewal(
        renewal,
        membership,
        dropped,
        actor=actor,
        ip_address=evidence.ip_address,
        from_portal=True,
        terms=[doc.pk for doc in documents],
        email=email.pk if email else None,
    )
    return renewal


def notice_end_date(membership: Membership, *, today: datetime.date | None = None) -> datetime.date:
    """The day a notice given `today` would end the membership (what give_notice computes)."""
    today = today or timezone.localdate()
    return min(today + datetime.timedelta(days=NOTICE_DAYS), membership.season.ends_on)


def check_portal_notice(membership: Membership, *, actor: User | None) -> None:
    """MembershipError unless `actor` may terminate `membership` from the espace pro now."""
    _require_owner(
        membership, actor, _("Seul un titulaire du compte de l'organisation peut résilier l'adhésion.")
    )
    if not membership.can("give_notice"):
        raise MembershipError(
            _("Seule une adhésion active peut être résiliée : celle-ci est « %(status)s ».")
            % {"status": membership.get_status_display()}
        )


@transaction.atomic
def give_notice_from_portal(membership: Membership, *, actor: User, reason: str = "") -> Membership:
    """The partner terminates from the espace pro, today, with the 30 days' notice (CGV art. 4):
    `give_notice` logs it (its one audit entry) and e-mails the partner."""
    membership = Membership.objects.select_related("season", "organisation").get(pk=membership.pk)
    check_portal_notice(membership, actor=actor)
    reason = reason.strip()
    if len(reason) > 2000:
        raise MembershipError(_("%(limit)s caractères au maximum.") % {"limit": 2000}, field="reason")
    return give_notice(membership, actor=actor, reason=reason)
