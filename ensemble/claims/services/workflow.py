"""A claim's life, shared by the services of the package: its states and transitions, the row
lock, the office's decision, and the finish (entitlement consumed, audit entry, e-mail).
"""

import datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.models import OutboundEmail
from ensemble.directory.services import email_organisation
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
    S.REQUESTED: gettext_lazy("demandée"),
    S.ACCEPTED: gettext_lazy("acceptée"),
    S.REFUSED: gettext_lazy("refusée"),
    S.DONE: gettext_lazy("réalisée"),
    S.CANCELLED: gettext_lazy("annulée"),
}
ACTION_WORDS = {
    "accept": gettext_lazy("acceptée"),
    "refuse": gettext_lazy("refusée"),
    "complete": gettext_lazy("réalisée"),
    "cancel": gettext_lazy("annulée"),
}

# The wording of the claims' audit codes; `target` is the claim (« kind — organisation season »).
audit.register_actions(
    {
        "claim.requested": gettext_lazy("Demande « %(target)s » déposée (au-delà du pack : %(beyond_pack)s)"),
        "claim.cancelled": gettext_lazy("Demande « %(target)s » annulée par le partenaire"),
        "claim.accepted": gettext_lazy("Demande « %(target)s » acceptée"),
        "claim.refused": gettext_lazy("Demande « %(target)s » refusée : %(reason)s"),
        "claim.completed": gettext_lazy("Demande « %(target)s » réalisée"),
        "claim.banner_approved": gettext_lazy(
            "Bandeau « %(target)s » validé : diffusion du %(starts_on)s au %(ends_on)s"
        ),
        "claim.gift_codes_issued": gettext_lazy("Codes cadeaux Balad'Enigm émis : %(count)s"),
        "claim.images_sent": gettext_lazy("Banque d'images : %(count)s image(s) transmise(s)"),
        "gift_code.redeemed": gettext_lazy("Code cadeau Balad'Enigm utilisé (%(trail)s)"),
        "media_image.added": gettext_lazy("Image « %(target)s » ajoutée à la banque (crédit %(credit)s)"),
        "media_image.archived": gettext_lazy("Image « %(target)s » retirée de la banque"),
    }
)


def kind_label(kind: str) -> str:
    """The kind's name in French, for the notes stored with a consumption."""
    with translation.override("fr"):
        return str(EntitlementKind(kind).label)


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _refusal(claim: Claim, action: str) -> str:
    current = STATUS_WORDS[claim.status]
    if Claim.TRANSITIONS.target(action) == claim.status:
        return _("Cette demande est déjà %(status)s.") % {"status": current}
    return _("Cette demande est %(status)s : elle ne peut plus être %(action)s.") % {
        "status": current,
        "action": ACTION_WORDS[action],
    }


def _transition(claim: Claim, action: str) -> None:
    """Set the status `action` leads to (saved with the rest of the answer), or refuse."""
    refusal = lambda: _refusal(claim, action)  # noqa: E731 — built only when refused
    claim.status = Claim.TRANSITIONS.check(claim.status, action, refusal, code="transition")


def _check_kind(claim: Claim, kind: str) -> None:
    if claim.kind != kind:
        raise ClaimError(
            _("Cette action ne s'applique qu'aux demandes « %(kind)s ».")
            % {"kind": EntitlementKind(kind).label},
            code="kind",
        )


def _decided(claim: Claim, actor: User, answer: str) -> None:
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    if answer and answer.strip():
        claim.answer = answer.strip()[:MESSAGE_MAX]


def _finish(
    claim: Claim, *, actor: User, answer: str, action: str, data: dict[str, Any] | None = None
) -> None:
    """Done: consume the entitlement (unless beyond the pack), stamp, e-mail, and the claim's one
    audit entry (`action`, with `data`)."""
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
    email = _email(claim, "claim_done", actor)
    data = {"answer": claim.answer, "consumption": claim.consumption_id, **(data or {})}
    _record(claim, action, actor=actor, email=email, **data)


def _record(
    claim: Claim, action: str, *, actor: User | None, email: OutboundEmail | None = None, **data
) -> None:
    """The claim's one audit entry, on its organisation's log."""
    audit.record(
        action,
        actor=actor,
        office=claim.office,
        target=claim,
        organisation_id=claim.membership.organisation_id,
        data={"kind": claim.kind, "status": claim.status, **data, "email": email.pk if email else None},
    )


def _email(claim: Claim, template: str, actor: User | None) -> OutboundEmail | None:
    requester = claim.requested_by
    return email_organisation(
        claim.membership.organisation,
        template=template,
        context={"claim": claim},
        to=requester.email if requester is not None and requester.email else None,
        actor=actor,
    )
