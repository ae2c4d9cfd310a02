"""The office's answers to a request: accept, refuse (with a reason), mark done, and approve a
reception-screen banner. The image bank and gift-code answers are in media.py and gift_codes.py.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core.transactions import lock
from ensemble.memberships.models import OfferEntitlement

from ..errors import ClaimError
from ..models import DEDICATED_KINDS, Claim
from .workflow import (
    JOINED,
    K,
    _check_kind,
    _decided,
    _email,
    _finish,
    _record,
    _transition,
)

DEDICATED_ACTION_NAMES = {
    K.SCREEN_BANNER: gettext_lazy("« Valider le bandeau »"),
    K.IMAGE_BANK: gettext_lazy("« Répondre avec une sélection d'images »"),
    K.WELCOME_GIFT: gettext_lazy("« Émettre les codes »"),
}


@transaction.atomic
def accept_claim(claim: Claim, *, actor: User, answer: str = "") -> Claim:
    """Accept a request; it is done (and consumes its entitlement) later."""
    claim = lock(claim, related=JOINED)
    _transition(claim, "accept")
    _decided(claim, actor, answer)
    claim.save()
    email = _email(claim, "claim_accepted", actor)
    _record(claim, "claim.accepted", actor=actor, email=email, answer=claim.answer)
    return claim


@transaction.atomic
def refuse_claim(claim: Claim, *, actor: User, reason: str) -> Claim:
    """Refuse a request with a written reason (CGV art. 4.11), e-mailed to the partner."""
    reason = (reason or "").strip()
    claim = lock(claim, related=JOINED)
    _transition(claim, "refuse")
    if not reason:
        raise ClaimError(_("Le motif du refus est obligatoire."), field="reason")
    claim.refusal_reason = reason
    _decided(claim, actor, "")
    claim.save()
    email = _email(claim, "claim_refused", actor)
    _record(claim, "claim.refused", actor=actor, email=email, reason=reason)
    return claim


@transaction.atomic
def complete_claim(claim: Claim, *, actor: User, answer: str = "") -> Claim:
    """Mark a request done (the visit took place, the spot was shot…) and consume its entitlement."""
    claim = lock(claim, related=JOINED)
    _transition(claim, "complete")
    if not claim.beyond_pack and claim.kind in DEDICATED_KINDS:
        raise ClaimError(
            _("Cette demande se traite avec l'action %(action)s.")
            % {"action": DEDICATED_ACTION_NAMES[claim.kind]},
            code="dedicated",
        )
    _finish(claim, actor=actor, answer=answer, action="claim.completed")
    return claim


@transaction.atomic
def approve_banner(
    claim: Claim, *, actor: User, starts_on: datetime.date | None = None, answer: str = ""
) -> Claim:
    """Approve a reception-screen banner: it shows from `starts_on` (the approval day unless
    given) for the entitlement's `duration_days`, and the entitlement is consumed."""
    claim = lock(claim, related=JOINED)
    _check_kind(claim, K.SCREEN_BANNER)
    _transition(claim, "complete")
    if not claim.image and not claim.text:
        raise ClaimError(_("Ce bandeau n'a ni image ni texte : il ne peut pas être validé."))
    days = _banner_days(claim)
    today = timezone.localdate()
    starts_on = starts_on or today
    if starts_on < today:
        raise ClaimError(_("La diffusion ne peut pas commencer avant aujourd'hui."), field="starts_on")
    claim.starts_on = starts_on
    claim.ends_on = starts_on + datetime.timedelta(days=days - 1)
    window = {"starts_on": claim.starts_on, "ends_on": claim.ends_on}
    _finish(claim, actor=actor, answer=answer, action="claim.banner_approved", data=window)
    return claim


def _banner_days(claim: Claim) -> int:
    """How long a banner shows: the entitlement's duration, or for a banner beyond the pack the
    duration the season's catalogue gives it."""
    days = claim.entitlement.duration_days if claim.entitlement_id else None
    if not days:
        days = (
            OfferEntitlement.objects.filter(
                offer__season_id=claim.membership.season_id, kind=K.SCREEN_BANNER, duration_days__gt=0
            )
            .values_list("duration_days", flat=True)
            .first()
        )
    if not days:
        raise ClaimError(
            _("La durée de diffusion du bandeau n'est pas définie dans le catalogue de la saison."),
            code="no_duration",
        )
    return days
