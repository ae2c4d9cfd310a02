"""The partner's requests: asking for something the membership includes (or beyond it, on
quote) and withdrawing a request the office has not answered yet.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from ensemble.accounts.models import User
from ensemble.accounts.selectors import is_office_staff
from ensemble.core.audit import acting_user
from ensemble.core.images import MEGABYTE, ImageError, ImageRules, reencode_image
from ensemble.core.transactions import lock
from ensemble.directory.models import OrganisationMember, TimelineEntry
from ensemble.directory.services import record_timeline
from ensemble.memberships.models import Entitlement, Membership

from ..errors import ClaimError
from ..models import CLAIMABLE_KINDS, Claim
from .gift_codes import MAX_GIFT_CODES
from .workflow import JOINED, MESSAGE_MAX, K, _date, _timeline, _transition, kind_label

BANNER_RULES = ImageRules(
    max_bytes=8 * MEGABYTE, min_long_side=800, min_short_side=200, max_side=1920, purpose="l'écran d'accueil"
)

BANNER_TEXT_MAX = 280

EXHAUSTED = "Ce droit est épuisé pour la saison : il peut être commandé en option ou sur devis."
NOT_INCLUDED = (
    "Cette prestation n'est pas incluse dans votre adhésion : elle peut être commandée en option "
    "ou sur devis."
)
PENDING = (
    "Une demande est déjà en cours pour ce droit : l'Office vous répondra avant d'en accepter une autre."
)
NOT_LIVE = "Votre adhésion n'est pas active : ses prestations ne peuvent pas être demandées."


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
        raise ClaimError("Cette prestation ne se demande pas depuis l'espace pro.", field="kind")
    _check_acts_for(membership, actor)
    membership = Membership.objects.select_related("organisation", "season").get(pk=membership.pk)
    if not membership.is_live:
        raise ClaimError(NOT_LIVE, code="not_live")
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
    summary = f"Demande : {kind_label(kind)}" + (" (au-delà du pack, sur devis)" if beyond_pack else "")
    record_timeline(
        membership.organisation, kind=TimelineEntry.Kind.REQUEST, summary=summary, body=message, actor=actor
    )
    return claim


def _check_acts_for(membership: Membership, actor: User) -> None:
    """The person acts for the organisation (a member of it) or is staff of its office."""
    if acting_user(actor) is not None:
        if OrganisationMember.objects.filter(organisation_id=membership.organisation_id, user=actor).exists():
            return
        if is_office_staff(actor, membership.office):
            return
    raise ClaimError("Vous n'agissez pas pour cette organisation.", code="forbidden")


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
        raise ClaimError(f"Le message est trop long : {MESSAGE_MAX} caractères au plus.", field="message")
    if preferred_date is not None and preferred_date < timezone.localdate():
        raise ClaimError(
            "La date souhaitée est passée : choisissez une date à venir.", field="preferred_date"
        )
    if beyond_pack:
        return
    if kind == K.SCREEN_BANNER:
        if not has_image and not text:
            raise ClaimError("Joignez une image ou saisissez le texte du bandeau.", field="image")
        if len(text) > BANNER_TEXT_MAX:
            raise ClaimError(
                f"Le texte du bandeau est trop long : {BANNER_TEXT_MAX} caractères au plus.", field="text"
            )
    elif kind == K.IMAGE_BANK and not message:
        raise ClaimError(
            "Décrivez les images souhaitées : la banque d'images se demande par écrit.", field="message"
        )
    elif kind == K.WELCOME_GIFT and not (
        isinstance(quantity_wished, int) and 1 <= quantity_wished <= MAX_GIFT_CODES
    ):
        raise ClaimError(
            f"Indiquez le nombre de codes souhaités, de 1 à {MAX_GIFT_CODES}.", field="quantity_wished"
        )


def _claimable_entitlement(
    membership: Membership, kind: str, preferred_date: datetime.date | None
) -> Entitlement:
    """The membership's entitlement of `kind`, locked, with something left to claim."""
    entitlement = (
        Entitlement.objects.select_for_update(of=("self",)).filter(membership=membership, kind=kind).first()
    )
    if entitlement is None:
        raise ClaimError(NOT_INCLUDED, code="beyond_pack")
    today = timezone.localdate()
    if not entitlement.valid_from <= today <= entitlement.valid_until:
        raise ClaimError(
            f"Ce droit est valable du {_date(entitlement.valid_from)} au {_date(entitlement.valid_until)}.",
            code="not_valid",
        )
    if preferred_date is not None and preferred_date > entitlement.valid_until:
        raise ClaimError(
            f"La date souhaitée doit tomber pendant votre adhésion, au plus tard le "
            f"{_date(entitlement.valid_until)}.",
            field="preferred_date",
        )
    if entitlement.remaining is not None:
        if entitlement.remaining <= 0:
            raise ClaimError(EXHAUSTED, code="exhausted")
        pending = Claim.objects.filter(entitlement=entitlement, status__in=Claim.OPEN_STATUSES).count()
        if entitlement.remaining - pending <= 0:
            raise ClaimError(PENDING, code="pending")
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
    _timeline(claim, f"Demande annulée par le partenaire : {kind_label(claim.kind)}", actor=actor)
    return claim
