"""The partner's requests: asking for something the membership includes (or beyond it, on
quote) and withdrawing a request the office has not answered yet.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.accounts.selectors import is_office_staff
from ensemble.core.audit import acting_user
from ensemble.core.images import MEGABYTE, ImageError, ImageRules, reencode_image
from ensemble.core.transactions import lock
from ensemble.directory.models import OrganisationMember
from ensemble.memberships.models import Entitlement, Membership

from ..errors import ClaimError
from ..models import CLAIMABLE_KINDS, Claim
from .gift_codes import MAX_GIFT_CODES
from .workflow import JOINED, MESSAGE_MAX, K, _date, _record, _transition

BANNER_RULES = ImageRules(
    max_bytes=8 * MEGABYTE, min_long_side=800, min_short_side=200, max_side=1920, purpose="l'écran d'accueil"
)

BANNER_TEXT_MAX = 280

# Lazy: each is translated when it is raised (`str(...)`), in the language of the request.
EXHAUSTED = gettext_lazy("Ce droit est épuisé pour la saison : il peut être commandé en option ou sur devis.")
NOT_INCLUDED = gettext_lazy(
    "Cette prestation n'est pas incluse dans votre adhésion : elle peut être commandée en option "
    "ou sur devis."
)
PENDING = gettext_lazy(
    "Une demande est déjà en cours pour ce droit : l'Office vous répondra avant d'en accepter une autre."
)
NOT_LIVE = gettext_lazy("Votre adhésion n'est pas active : ses prestations ne peuvent pas être demandées.")


@transaction.atomic
def request_claim(
    membership: Membership,
    *,
    kind: str,
    actor: User,
    message: str = "",
    preferred_date: datetime.date | None = None,
    image=None,
    text: str = "",
    quantity_wished: int | None = None,
    beyond_pack: bool = False,
) -> Claim:
    """Ask for something the membership includes, or beyond it (`beyond_pack`: answered with a
    quote, no entitlement consumed). Refused when the entitlement is missing or used up."""
    message, text = (message or "").strip(), (text or "").strip()
    if kind not in CLAIMABLE_KINDS:
        raise ClaimError(_("Cette prestation ne se demande pas depuis l'espace pro."), field="kind")
    _check_acts_for(membership, actor)
    membership = Membership.objects.select_related("organisation", "season").get(pk=membership.pk)
    if not membership.is_live:
        raise ClaimError(str(NOT_LIVE), code="not_live")
    _check_request_fields(
        kind,
        message=message,
        preferred_date=preferred_date,
        has_image=bool(image),
        text=text,
        quantity_wished=quantity_wished,
        beyond_pack=beyond_pack,
    )
    entitlement = None if beyond_pack else _claimable_entitlement(membership, kind, preferred_date)
    banner = kind == K.SCREEN_BANNER
    claim = Claim(
        office_id=membership.office_id,
        membership=membership,
        entitlement=entitlement,
        kind=kind,
        beyond_pack=beyond_pack,
        message=message,
        preferred_date=preferred_date,
        quantity_wished=quantity_wished if kind == K.WELCOME_GIFT else None,
        text=text if banner else "",
        requested_by=actor,
    )
    if banner and image:
        claim.image = _banner_image(image)
    claim.save()
    _record(
        claim,
        "claim.requested",
        actor=actor,
        beyond_pack=beyond_pack,
        message=message,
        preferred_date=preferred_date,
        quantity_wished=claim.quantity_wished,
        entitlement=claim.entitlement_id,
    )
    return claim


def _check_acts_for(membership: Membership, actor: User) -> None:
    """The person acts for the organisation (a member of it) or is staff of its office."""
    if acting_user(actor) is not None:
        if OrganisationMember.objects.filter(organisation_id=membership.organisation_id, user=actor).exists():
            return
        if is_office_staff(actor, membership.office):
            return
    raise ClaimError(_("Vous n'agissez pas pour cette organisation."), code="forbidden")


def _check_request_fields(
    kind: str,
    *,
    message: str,
    preferred_date: datetime.date | None,
    has_image: bool,
    text: str,
    quantity_wished: int | None,
    beyond_pack: bool,
) -> None:
    if len(message) > MESSAGE_MAX:
        raise ClaimError(
            _("Le message est trop long : %(max)s caractères au plus.") % {"max": MESSAGE_MAX},
            field="message",
        )
    if preferred_date is not None and preferred_date < timezone.localdate():
        raise ClaimError(
            _("La date souhaitée est passée : choisissez une date à venir."), field="preferred_date"
        )
    if beyond_pack:
        return
    if kind == K.SCREEN_BANNER:
        if not has_image and not text:
            raise ClaimError(_("Joignez une image ou saisissez le texte du bandeau."), field="image")
        if len(text) > BANNER_TEXT_MAX:
            raise ClaimError(
                _("Le texte du bandeau est trop long : %(max)s caractères au plus.")
                % {"max": BANNER_TEXT_MAX},
                field="text",
            )
    elif kind == K.IMAGE_BANK and not message:
        raise ClaimError(
            _("Décrivez les images souhaitées : la banque d'images se demande par écrit."), field="message"
        )
    elif kind == K.WELCOME_GIFT and not (
        isinstance(quantity_wished, int) and 1 <= quantity_wished <= MAX_GIFT_CODES
    ):
        raise ClaimError(
            _("Indiquez le nombre de codes souhaités, de 1 à %(max)s.") % {"max": MAX_GIFT_CODES},
            field="quantity_wished",
        )


def _claimable_entitlement(
    membership: Membership, kind: str, preferred_date: datetime.date | None
) -> Entitlement:
    """The membership's first entitlement of `kind` (the pack's before the options', each its own
    row: issue 12, A9), locked, with something left to claim; the refusal is the first one's."""
    entitlements = list(
        Entitlement.objects.select_for_update(of=("self",))
        .filter(membership=membership, kind=kind)
        .order_by("pk")
    )
    if not entitlements:
        raise ClaimError(str(NOT_INCLUDED), code="beyond_pack")
    refusals = []
    for entitlement in entitlements:
        try:
            return _check_claimable(entitlement, preferred_date)
        except ClaimError as exc:
            refusals.append(exc)
    raise refusals[0]


def _check_claimable(entitlement: Entitlement, preferred_date: datetime.date | None) -> Entitlement:
    today = timezone.localdate()
    if not entitlement.valid_from <= today <= entitlement.valid_until:
        raise ClaimError(
            _("Ce droit est valable du %(start)s au %(end)s.")
            % {"start": _date(entitlement.valid_from), "end": _date(entitlement.valid_until)},
            code="not_valid",
        )
    if preferred_date is not None and preferred_date > entitlement.valid_until:
        raise ClaimError(
            _("La date souhaitée doit tomber pendant votre adhésion, au plus tard le %(end)s.")
            % {"end": _date(entitlement.valid_until)},
            field="preferred_date",
        )
    if entitlement.remaining is not None:
        if entitlement.remaining <= 0:
            raise ClaimError(str(EXHAUSTED), code="exhausted")
        pending = Claim.objects.filter(entitlement=entitlement, status__in=Claim.OPEN_STATUSES).count()
        if entitlement.remaining - pending <= 0:
            raise ClaimError(str(PENDING), code="pending")
    return entitlement


def _banner_image(upload):
    try:
        content, _width, _height = reencode_image(upload, BANNER_RULES)
    except ImageError as exc:
        raise ClaimError(exc.message, field="image", code=exc.code) from None
    return content


@transaction.atomic
def cancel_claim(claim: Claim, *, actor: User) -> Claim:
    """The partner withdraws a request the office has not answered yet."""
    claim = lock(claim, related=JOINED)
    _check_acts_for(claim.membership, actor)
    _transition(claim, "cancel")
    claim.save()
    _record(claim, "claim.cancelled", actor=actor)
    return claim
