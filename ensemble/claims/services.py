"""Partners' requests on what their pack includes, and the office's answers.

Every function validates first and writes nothing on failure; completing a request consumes its
entitlement (`memberships.services.consume_entitlement`) in the same transaction, so a second
completion or an exhausted entitlement fails whole. Each action lands on the organisation's
timeline and each decision is e-mailed to the person who asked.
"""

import datetime
import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone, translation

from ensemble.accounts.models import User
from ensemble.accounts.selectors import is_office_staff
from ensemble.core.images import MEGABYTE, ImageError, ImageRules, reencode_image
from ensemble.core.models import Office
from ensemble.directory.models import OrganisationMember, TimelineEntry
from ensemble.directory.services import email_organisation, record_timeline
from ensemble.memberships.errors import MembershipError
from ensemble.memberships.models import Entitlement, EntitlementKind, Membership, OfferEntitlement
from ensemble.memberships.services import consume_entitlement

from . import codes
from .errors import ClaimError
from .models import CLAIMABLE_KINDS, DEDICATED_KINDS, Claim, GiftCode, MediaBankImage

logger = logging.getLogger(__name__)

K = EntitlementKind
S = Claim.Status

BANNER_RULES = ImageRules(
    max_bytes=8 * MEGABYTE, min_long_side=800, min_short_side=200, max_side=1920, purpose="l'écran d'accueil"
)
MEDIA_BANK_RULES = ImageRules(
    max_bytes=20 * MEGABYTE,
    min_long_side=1200,
    min_short_side=600,
    max_side=4000,
    purpose="la banque d'images",
)
MESSAGE_MAX = 2000
BANNER_TEXT_MAX = 280
MAX_GIFT_CODES = 200
TRAIL_MAX = 100

EXHAUSTED = "Ce droit est épuisé pour la saison : il peut être commandé en option ou sur devis."
NOT_INCLUDED = (
    "Cette prestation n'est pas incluse dans votre adhésion : elle peut être commandée en option "
    "ou sur devis."
)
PENDING = (
    "Une demande est déjà en cours pour ce droit : l'Office vous répondra avant d'en accepter une autre."
)
NOT_LIVE = "Votre adhésion n'est pas active : ses prestations ne peuvent pas être demandées."
GIFT_CODE_INVALID = (
    "Ce code n'est pas valable ou a déjà été utilisé : vérifiez-le sur le carton remis par votre hôte."
)

STATUS_WORDS = {
    S.REQUESTED: "demandée",
    S.ACCEPTED: "acceptée",
    S.REFUSED: "refusée",
    S.DONE: "réalisée",
    S.CANCELLED: "annulée",
}
ACTION_WORDS = {"accept": "acceptée", "refuse": "refusée", "complete": "réalisée", "cancel": "annulée"}
DEDICATED_ACTION_NAMES = {
    K.SCREEN_BANNER: "« Valider le bandeau »",
    K.IMAGE_BANK: "« Répondre avec une sélection d'images »",
    K.WELCOME_GIFT: "« Émettre les codes »",
}


def kind_label(kind: str) -> str:
    """The kind's name in French, for the timeline staff read."""
    with translation.override("fr"):
        return str(EntitlementKind(kind).label)


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- The partner's request ----------------------------------------------------------------------


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
    if actor is not None and actor.is_authenticated:
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
    claim = _locked(claim)
    _check_acts_for(claim.membership, actor)
    _transition(claim, "cancel")
    claim.save()
    _timeline(claim, f"Demande annulée par le partenaire : {kind_label(claim.kind)}", actor=actor)
    return claim


# --- The office's answers -----------------------------------------------------------------------


@transaction.atomic
def accept_claim(claim: Claim, *, actor: User, answer: str = "") -> Claim:
    """Accept a request; it is done (and consumes its entitlement) later."""
    claim = _locked(claim)
    _transition(claim, "accept")
    _decided(claim, actor, answer)
    claim.save()
    _timeline(claim, f"Demande acceptée : {kind_label(claim.kind)}", actor=actor, body=claim.answer)
    _email(claim, "claim_accepted", actor)
    return claim


@transaction.atomic
def refuse_claim(claim: Claim, *, actor: User, reason: str) -> Claim:
    """Refuse a request with a written reason (CGV art. 4.11), e-mailed to the partner."""
    reason = (reason or "").strip()
    claim = _locked(claim)
    _transition(claim, "refuse")
    if not reason:
        raise ClaimError("Le motif du refus est obligatoire.", field="reason")
    claim.refusal_reason = reason
    _decided(claim, actor, "")
    claim.save()
    _timeline(claim, f"Demande refusée : {kind_label(claim.kind)}", actor=actor, body=reason)
    _email(claim, "claim_refused", actor)
    return claim


@transaction.atomic
def complete_claim(claim: Claim, *, actor: User, answer: str = "") -> Claim:
    """Mark a request done (the visit took place, the spot was shot…) and consume its entitlement."""
    claim = _locked(claim)
    _transition(claim, "complete")
    if not claim.beyond_pack and claim.kind in DEDICATED_KINDS:
        raise ClaimError(
            f"Cette demande se traite avec l'action {DEDICATED_ACTION_NAMES[claim.kind]}.", code="dedicated"
        )
    _finish(claim, actor=actor, answer=answer, summary=f"Demande réalisée : {kind_label(claim.kind)}")
    return claim


@transaction.atomic
def approve_banner(
    claim: Claim, *, actor: User, starts_on: datetime.date | None = None, answer: str = ""
) -> Claim:
    """Approve a reception-screen banner: it shows from `starts_on` (the approval day unless
    given) for the entitlement's `duration_days`, and the entitlement is consumed."""
    claim = _locked(claim)
    _check_kind(claim, K.SCREEN_BANNER)
    _transition(claim, "complete")
    if not claim.image and not claim.text:
        raise ClaimError("Ce bandeau n'a ni image ni texte : il ne peut pas être validé.")
    days = _banner_days(claim)
    today = timezone.localdate()
    starts_on = starts_on or today
    if starts_on < today:
        raise ClaimError("La diffusion ne peut pas commencer avant aujourd'hui.", field="starts_on")
    claim.starts_on = starts_on
    claim.ends_on = starts_on + datetime.timedelta(days=days - 1)
    summary = f"Bandeau validé : diffusion du {_date(claim.starts_on)} au {_date(claim.ends_on)}"
    _finish(claim, actor=actor, answer=answer, summary=summary)
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
            "La durée de diffusion du bandeau n'est pas définie dans le catalogue de la saison.",
            code="no_duration",
        )
    return days


@transaction.atomic
def answer_image_bank_request(
    claim: Claim, *, images: Iterable[MediaBankImage | int], actor: User, answer: str = ""
) -> Claim:
    """Answer a written request to the image bank with a selection the partner downloads."""
    claim = _locked(claim)
    _check_kind(claim, K.IMAGE_BANK)
    _transition(claim, "complete")
    ids = {getattr(image, "pk", image) for image in images}
    if not ids:
        raise ClaimError("Choisissez au moins une image de la banque.", field="images")
    chosen = list(MediaBankImage.objects.filter(office_id=claim.office_id, is_active=True, pk__in=ids))
    if len(chosen) != len(ids):
        raise ClaimError(
            "Une des images choisies n'est pas (ou plus) dans la banque de l'Office.", field="images"
        )
    count = len(chosen)
    summary = f"Banque d'images : {count} image{'s' if count > 1 else ''} transmise{'s' if count > 1 else ''}"
    claim.images.set(chosen)
    _finish(claim, actor=actor, answer=answer, summary=summary)
    return claim


@transaction.atomic
def issue_gift_codes(claim: Claim, *, count: int, actor: User, answer: str = "") -> list[GiftCode]:
    """Issue `count` single-use Balad'Enigm codes for a welcome-gift request."""
    claim = _locked(claim)
    _check_kind(claim, K.WELCOME_GIFT)
    _transition(claim, "complete")
    if not isinstance(count, int) or not 1 <= count <= MAX_GIFT_CODES:
        raise ClaimError(f"Le nombre de codes doit être compris entre 1 et {MAX_GIFT_CODES}.", field="count")
    valid_until = claim.entitlement.valid_until if claim.entitlement_id else claim.membership.season.ends_on
    created = GiftCode.objects.bulk_create(
        GiftCode(office_id=claim.office_id, claim=claim, code=code, valid_until=valid_until)
        for code in _fresh_codes(claim.office_id, count)
    )
    summary = f"Codes cadeaux Balad'Enigm émis : {count}"
    _finish(claim, actor=actor, answer=answer, summary=summary)
    return created


def _fresh_codes(office_id: int, count: int) -> list[str]:
    """`count` new codes, none already given in the office (the unique constraint is the last
    guard; with 31^10 codes a collision is all but impossible)."""
    fresh: set[str] = set()
    while len(fresh) < count:
        batch = {codes.new_code() for _ in range(count - len(fresh))} - fresh
        taken = set(
            GiftCode.objects.filter(office_id=office_id, code__in=batch).values_list("code", flat=True)
        )
        fresh |= batch - taken
    return sorted(fresh)


# --- Visitors -----------------------------------------------------------------------------------


@transaction.atomic
def redeem_gift_code(office: Office, code: str, *, trail: str = "") -> GiftCode:
    """Use a gift code once. The conditional UPDATE makes a second use (even at the same moment)
    fail; an unknown, used or expired code gets the same message, so none can be told apart."""
    normalised = codes.normalise(code)
    if not codes.looks_valid(normalised):
        raise ClaimError(GIFT_CODE_INVALID, field="code", code="invalid_code")
    now = timezone.now()
    trail = (trail or "").strip()[:TRAIL_MAX]
    updated = GiftCode.objects.filter(
        office=office, code=normalised, used_at__isnull=True, valid_until__gte=timezone.localdate()
    ).update(used_at=now, used_on_trail=trail, updated_at=now)
    if not updated:
        raise ClaimError(GIFT_CODE_INVALID, field="code", code="invalid_code")
    gift = GiftCode.objects.select_related("claim__membership__organisation").get(
        office=office, code=normalised
    )
    summary = f"Code cadeau Balad'Enigm {codes.display(gift.code)} utilisé" + (f" ({trail})" if trail else "")
    record_timeline(gift.claim.membership.organisation, kind=TimelineEntry.Kind.REQUEST, summary=summary)
    return gift


# --- The image bank -----------------------------------------------------------------------------


@transaction.atomic
def add_media_image(
    office: Office, *, image, title: str, credit: str, actor: User, tags: str = ""
) -> MediaBankImage:
    """Add a photo to the office's image bank: checked, re-encoded, stripped of its metadata."""
    title, credit = (title or "").strip(), (credit or "").strip()
    tags = ", ".join(tag.strip() for tag in (tags or "").split(",") if tag.strip())
    if not title:
        raise ClaimError("Le titre de l'image est obligatoire.", field="title")
    if not credit:
        raise ClaimError(
            "Le crédit photo est obligatoire : il accompagne chaque téléchargement.", field="credit"
        )
    if len(title) > 200 or len(credit) > 150 or len(tags) > 250:
        raise ClaimError("Titre (200), crédit (150) ou mots-clés (250 caractères) trop longs.", field="title")
    if not image:
        raise ClaimError("Choisissez une image.", field="image")
    try:
        content, _width, _height = reencode_image(image, MEDIA_BANK_RULES)
    except ImageError as exc:
        raise ClaimError(exc.message, field="image", code=exc.code) from None
    media = MediaBankImage(office=office, title=title, credit=credit, tags=tags, uploaded_by=actor)
    media.image = content
    media.save()
    logger.info("Image bank of %s: %s added %r (%s)", office.slug, actor, title, media.pk)
    return media


@transaction.atomic
def archive_media_image(image: MediaBankImage, *, actor: User) -> MediaBankImage:
    """Withdraw an image from the bank: no longer offered; partners who received it keep it."""
    if not image.is_active:
        raise ClaimError("Cette image est déjà retirée de la banque.")
    image.is_active = False
    image.save(update_fields=["is_active", "updated_at"])
    logger.info("Image bank of office %s: %s withdrew image %s", image.office_id, actor, image.pk)
    return image


# --- Helpers ------------------------------------------------------------------------------------


def _locked(claim: Claim) -> Claim:
    """The claim as stored, under a row lock: never the caller's copy."""
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("membership__organisation", "membership__season", "entitlement", "requested_by")
        .get(pk=claim.pk)
    )


def _transition(claim: Claim, action: str) -> None:
    if not claim.can(action):
        current = STATUS_WORDS[claim.status]
        if Claim.TRANSITIONS[action][1] == claim.status:
            raise ClaimError(f"Cette demande est déjà {current}.", code="transition")
        raise ClaimError(
            f"Cette demande est {current} : elle ne peut plus être {ACTION_WORDS[action]}.", code="transition"
        )
    claim.status = Claim.TRANSITIONS[action][1]


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
