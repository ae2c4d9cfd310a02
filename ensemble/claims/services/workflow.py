"""A claim's life, shared by the services of the package: its states and transitions, the row
lock, the office's decision, and the finish (entitlement consumed, timeline entry, e-mail).
"""

import datetime

from django.utils import timezone, translation

from ensemble.accounts.models import User
from ensemble.directory.models import TimelineEntry
from ensemble.directory.services import email_organisation, record_timeline
from ensemble.memberships.errors import MembershipError
from ensemble.memberships.models import EntitlementKind
from ensemble.memberships.services import consume_entitlement

from ..errors import ClaimError
from ..models import Claim

K = EntitlementKind
S = Claim.Status

MESSAGE_MAX = 2000
# A claim is reloaded under its row lock (`lock(claim, related=JOINED)`) with what every answer reads.
JOINED = ("membership__organisation", "membership__season", "entitlement", "requested_by")

STATUS_WORDS = {
    S.REQUESTED: "demandée",
    S.ACCEPTED: "acceptée",
    S.REFUSED: "refusée",
    S.DONE: "réalisée",
    S.CANCELLED: "annulée",
}
ACTION_WORDS = {"accept": "acceptée", "refuse": "refusée", "complete": "réalisée", "cancel": "annulée"}


def kind_label(kind: str) -> str:
    """The kind's name in French, for the timeline staff read."""
    with translation.override("fr"):
        return str(EntitlementKind(kind).label)


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _refusal(claim: Claim, action: str) -> str:
    current = STATUS_WORDS[claim.status]
    if Claim.TRANSITIONS.target(action) == claim.status:
        return f"Cette demande est déjà {current}."
    return f"Cette demande est {current} : elle ne peut plus être {ACTION_WORDS[action]}."


def _transition(claim: Claim, action: str) -> None:
    """Set the status `action` leads to (saved with the rest of the answer), or refuse."""
    refusal = lambda: _refusal(claim, action)  # noqa: E731 — built only when refused
    claim.status = Claim.TRANSITIONS.check(claim.status, action, refusal, code="transition")


def _check_kind(claim: Claim, kind: str) -> None:
    if claim.kind != kind:
        raise ClaimError(f"Cette action ne s'applique qu'aux demandes « {kind_label(kind)} ».", code="kind")


def _decided(claim: Claim, actor: User, answer: str) -> None:
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    if answer and answer.strip():
        claim.answer = answer.strip()[:MESSAGE_MAX]


def _finish(claim: Claim, *, actor: User, answer: str, summary: str) -> None:
    """Done: consume the entitlement (unless beyond the pack), stamp, timeline, e-mail."""
    if claim.entitlement_id and not claim.beyond_pack:
        try:
            claim.consumption = consume_entitlement(
                claim.entitlement, actor=actor, note=f"Demande n° {claim.pk} : {kind_label(claim.kind)}"
            )
        except MembershipError as exc:
            raise ClaimError(exc.message, code="exhausted") from exc
    if claim.decided_at is None:
        _decided(claim, actor, answer)
    elif answer and answer.strip():
        claim.answer = answer.strip()[:MESSAGE_MAX]
    claim.completed_at = timezone.now()
    claim.save()
    _timeline(claim, summary, actor=actor, body=claim.answer)
    _email(claim, "claim_done", actor)


def _timeline(claim: Claim, summary: str, *, actor: User | None, body: str = "") -> None:
    record_timeline(
        claim.membership.organisation,
        kind=TimelineEntry.Kind.REQUEST,
        summary=summary,
        body=body,
        actor=actor,
    )


def _email(claim: Claim, template: str, actor: User | None) -> None:
    requester = claim.requested_by
    email_organisation(
        claim.membership.organisation,
        template=template,
        context={"claim": claim},
        to=requester.email if requester is not None and requester.email else None,
        actor=actor,
    )
