"""Balad'Enigm gift codes: issued for a partner's welcome-gift request, redeemed once by a
visitor.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.models import Office
from ensemble.core.transactions import lock

from .. import codes
from ..errors import ClaimError
from ..models import Claim, GiftCode
from .workflow import JOINED, K, _check_kind, _finish, _transition

MAX_GIFT_CODES = 200
TRAIL_MAX = 100

GIFT_CODE_INVALID = gettext_lazy(
    "Ce code n'est pas valable ou a déjà été utilisé : vérifiez-le sur le carton remis par votre hôte."
)


@transaction.atomic
def issue_gift_codes(claim: Claim, *, count: int, actor: User, answer: str = "") -> list[GiftCode]:
    """Issue `count` single-use Balad'Enigm codes for a welcome-gift request."""
    claim = lock(claim, related=JOINED)
    _check_kind(claim, K.WELCOME_GIFT)
    _transition(claim, "complete")
    if not isinstance(count, int) or not 1 <= count <= MAX_GIFT_CODES:
        raise ClaimError(
            _("Le nombre de codes doit être compris entre 1 et %(max)s.") % {"max": MAX_GIFT_CODES},
            field="count",
        )
    valid_until = claim.entitlement.valid_until if claim.entitlement_id else claim.membership.season.ends_on
    created = GiftCode.objects.bulk_create(
        GiftCode(office_id=claim.office_id, claim=claim, code=code, valid_until=valid_until)
        for code in _fresh_codes(claim.office_id, count)
    )
    _finish(claim, actor=actor, answer=answer, action="claim.gift_codes_issued", data={"count": count})
    return created


def _fresh_codes(office_id: int, count: int) -> list[str]:
    """`count` new codes, none already given in the office (the unique constraint is the last
    guard; with 31^10 codes a collision is all but impossible)."""
    fresh: set[str] = set()
    while len(fresh) < count:
        batch = {codes.new_code() for _n in range(count - len(fresh))} - fresh
        taken = set(
            GiftCode.objects.filter(office_id=office_id, code__in=batch).values_list("code", flat=True)
        )
        fresh |= batch - taken
    return sorted(fresh)


@transaction.atomic
def redeem_gift_code(office: Office, code: str, *, trail: str = "") -> GiftCode:
    """Use a gift code once. The conditional UPDATE makes a second use (even at the same moment)
    fail; an unknown, used or expired code gets the same message, so none can be told apart."""
    normalised = codes.normalise(code)
    if not codes.looks_valid(normalised):
        raise ClaimError(str(GIFT_CODE_INVALID), field="code", code="invalid_code")
    now = timezone.now()
    trail = (trail or "").strip()[:TRAIL_MAX]
    updated = GiftCode.objects.filter(
        office=office, code=normalised, used_at__isnull=True, valid_until__gte=timezone.localdate()
    ).update(used_at=now, used_on_trail=trail, updated_at=now)
    if not updated:
        raise ClaimError(str(GIFT_CODE_INVALID), field="code", code="invalid_code")
    gift = GiftCode.objects.select_related("claim__membership__organisation").get(
        office=office, code=normalised
    )
    # A visitor, not a user: no actor. The code is spent, so its label (the target) is no secret.
    audit.record(
        "gift_code.redeemed",
        actor=None,
        office=office,
        target=gift,
        organisation_id=gift.claim.membership.organisation_id,
        data={"claim": gift.claim_id, "trail": trail},
    )
    return gift
