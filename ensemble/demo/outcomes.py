"""Bringing a demo membership to the state its partner spec asks for, only through the membership
services (never by writing a status), each step on its own day (`clock.on`)."""

import dataclasses
from collections.abc import Callable
from decimal import Decimal

from ensemble.accounts.models import User
from ensemble.billing import services as billing_services
from ensemble.billing.payments import Payment
from ensemble.directory import services as directory_services
from ensemble.memberships import services
from ensemble.memberships.models import Membership

from . import identities
from .clock import on
from .identities import Dates
from .offices import DEMO_DAY
from .partners import PartnerSpec


@dataclasses.dataclass(frozen=True)
class Actors:
    """Who does what at an office: the partners pôle handles requests, administration cashes."""

    partners: User
    administration: User
    reception: User


@dataclasses.dataclass(frozen=True)
class Step:
    membership: Membership
    spec: PartnerSpec
    dates: Dates
    actors: Actors


def _pay(step: Step, amount: Decimal) -> None:
    spec, cheque = step.spec, step.spec.payment == Payment.Method.CHEQUE
    with on(step.dates.paid, hour=15):
        billing_services.record_membership_payment(
            step.membership,
            actor=step.actors.administration,
            method=spec.payment,
            amount=amount,
            received_on=step.dates.paid,
            cheque_number=identities.cheque_number(spec.key) if cheque else "",
            bank=identities.bank_for(spec.key) if cheque else "",
            transfer_reference="" if cheque else f"ADHESION {spec.name[:60]}",
        )


def _accept(step: Step) -> None:
    with on(step.dates.accepted):
        billing_services.accept_and_invoice(step.membership, actor=step.actors.partners)


def _partly_paid(step: Step) -> None:
    _accept(step)
    _pay(step, (step.membership.amount_due / 2).quantize(Decimal("0.01")))


def _activate(step: Step) -> None:
    _accept(step)
    _pay(step, step.membership.amount_due)


def _notice(step: Step, reason: str) -> None:
    _activate(step)
    with on(step.dates.notice):
        services.give_notice(
            step.membership, actor=step.actors.partners, received_on=step.dates.notice, reason=reason
        )


def _notice_given(step: Step) -> None:
    _notice(step, "Cessation d'activité annoncée par courrier.")


def _notice_ended(step: Step) -> None:
    """Notice given in the spring: it runs out during the season, the daily job terminates it."""
    _notice(step, "Vente du fonds de commerce : résiliation par courrier, préavis de 30 jours.")


def _suspended(step: Step) -> None:
    _activate(step)
    with on(step.dates.later):
        services.suspend_membership(step.membership, actor=step.actors.partners, reason=step.spec.reason)


def _refused(step: Step) -> None:
    with on(step.dates.accepted):
        services.refuse_membership(step.membership, actor=step.actors.partners, reason=step.spec.reason)


def _terminated(step: Step) -> None:
    _activate(step)
    with on(step.dates.later):
        services.terminate_membership(step.membership, actor=step.actors.partners, reason=step.spec.reason)


def _requested(step: Step) -> None:
    """The online request waits for the partners pôle."""


OUTCOMES: dict[str, Callable[[Step], None]] = {
    "requested": _requested,
    "awaiting_payment": _accept,
    "awaiting_payment_partial": _partly_paid,
    "active": _activate,
    "notice_given": _notice_given,
    "suspended": _suspended,
    "refused": _refused,
    "terminated": _terminated,
    # Members of the previous season: the daily job closes them on 1 January.
    "expired": _activate,
    "ended_notice": _notice_ended,
}


def bring_to_outcome(step: Step) -> None:
    OUTCOMES[step.spec.outcome](step)
    for kind, summary, body in step.spec.notes:
        with on(min(step.dates.later, DEMO_DAY), hour=11):
            directory_services.add_timeline_note(
                step.membership.organisation,
                kind=kind,
                summary=summary,
                body=body,
                actor=step.actors.reception,
            )
