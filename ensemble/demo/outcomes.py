"""Bringing a demo membership to the state its partner spec asks for, only through the membership
services (never by writing a status).

Dates follow the 2022 season: the paper bulletin and the payment arrive between January and May,
notices are given during the year. The services themselves stamp "today" where they decide the
date (acceptance, termination by the office).
"""

import dataclasses
import datetime
from collections.abc import Callable
from decimal import Decimal

from ensemble.accounts.models import User
from ensemble.directory import services as directory_services
from ensemble.memberships import services
from ensemble.memberships.models import Membership, Payment

from . import identities
from .offices import SEASON_YEAR
from .partners import PartnerSpec


@dataclasses.dataclass(frozen=True)
class Actors:
    """Who does what at an office: the partners pôle handles requests, administration cashes."""

    partners: User
    administration: User
    reception: User


def _pay(membership: Membership, spec: PartnerSpec, actors: Actors, amount: Decimal) -> None:
    cheque = spec.payment == Payment.Method.CHEQUE
    services.record_payment(
        membership,
        actor=actors.administration,
        method=spec.payment,
        amount=amount,
        received_on=identities.paid_on(spec.key),
        cheque_number=identities.cheque_number(spec.key) if cheque else "",
        bank=identities.bank_for(spec.key) if cheque else "",
        transfer_reference="" if cheque else f"ADHESION {SEASON_YEAR} {spec.name[:60]}",
    )


def _accept(membership: Membership, spec: PartnerSpec, actors: Actors) -> None:
    services.record_signed_bulletin(
        membership, actor=actors.partners, received_on=identities.signed_on(spec.key)
    )
    services.accept_membership(membership, actor=actors.partners)


def _partly_paid(membership: Membership, spec: PartnerSpec, actors: Actors) -> None:
    _accept(membership, spec, actors)
    _pay(membership, spec, actors, (membership.amount_due / 2).quantize(Decimal("0.01")))


def _activate(membership: Membership, spec: PartnerSpec, actors: Actors) -> None:
    _accept(membership, spec, actors)
    _pay(membership, spec, actors, membership.amount_due)


def _notice_given(membership: Membership, spec: PartnerSpec, actors: Actors) -> None:
    _activate(membership, spec, actors)
    services.give_notice(
        membership,
        actor=actors.partners,
        received_on=datetime.date(SEASON_YEAR, 12, 2),
        reason="Cessation d'activité annoncée par courrier.",
    )


def _notice_ended(membership: Membership, spec: PartnerSpec, actors: Actors) -> None:
    """Notice given in the spring: it runs out in the season, the closing job terminates it."""
    _activate(membership, spec, actors)
    services.give_notice(
        membership,
        actor=actors.partners,
        received_on=identities.paid_on(spec.key) + datetime.timedelta(days=45),
        reason="Vente du fonds de commerce : résiliation par courrier avec préavis de 30 jours.",
    )


def _suspended(membership: Membership, spec: PartnerSpec, actors: Actors) -> None:
    _activate(membership, spec, actors)
    services.suspend_membership(membership, actor=actors.partners, reason=spec.reason)


def _refused(membership: Membership, spec: PartnerSpec, actors: Actors) -> None:
    services.refuse_membership(membership, actor=actors.partners, reason=spec.reason)


def _terminated(membership: Membership, spec: PartnerSpec, actors: Actors) -> None:
    _activate(membership, spec, actors)
    services.terminate_membership(membership, actor=actors.partners, reason=spec.reason)


def _requested(membership: Membership, spec: PartnerSpec, actors: Actors) -> None:
    """The online request stays as it arrived."""


OUTCOMES: dict[str, Callable[[Membership, PartnerSpec, Actors], None]] = {
    "requested": _requested,
    "awaiting_payment": _accept,
    "awaiting_payment_partial": _partly_paid,
    "active": _activate,
    "notice_given": _notice_given,
    "suspended": _suspended,
    "refused": _refused,
    "terminated": _terminated,
    # Brought to their final state by close_due_memberships at the end of the season.
    "expired": _activate,
    "ended_notice": _notice_ended,
}


def bring_to_outcome(membership: Membership, spec: PartnerSpec, actors: Actors) -> None:
    OUTCOMES[spec.outcome](membership, spec, actors)
    for kind, summary, body in spec.notes:
        directory_services.add_timeline_note(
            membership.organisation, kind=kind, summary=summary, body=body, actor=actors.reception
        )
