"""Claiming what the pack includes: requests, the office's answers, consumption, banners, the
image bank and Balad'Enigm gift codes (ensemble.claims.services and selectors)."""

import contextlib
import datetime
import io
import threading
from unittest.mock import ANY

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone
from PIL import Image

from ensemble.accounts.models import User
from ensemble.claims import codes, selectors, services
from ensemble.claims.errors import ClaimError
from ensemble.claims.models import Claim, GiftCode, MediaBankImage
from ensemble.core.models import AuditEntry, Office, OutboundEmail
from ensemble.memberships import services as membership_services
from ensemble.memberships.models import Entitlement, EntitlementConsumption, Membership

from .concurrency import require_postgresql, run_in_threads
from .conftest import assert_refused
from .factories import UserFactory

S = Membership.Status
C = Claim.Status
TODAY = datetime.date(2022, 12, 28)
EXHAUSTED = "Ce droit est épuisé pour la saison : il peut être commandé en option ou sur devis."
NOT_INCLUDED = (
    "Cette prestation n'est pas incluse dans votre adhésion : "
    "elle peut être commandée en option ou sur devis."
)
NOT_AN_IMAGE = "Ce fichier n'est pas une image lisible (formats acceptés : JPEG, PNG, WebP)."
GIFT_INVALID = (
    "Ce code n'est pas valable ou a déjà été utilisé : vérifiez-le sur le carton remis par votre hôte."
)
PENDING = (
    "Une demande est déjà en cours pour ce droit : l'Office vous répondra avant d'en accepter une autre."
)


# --- Helpers ------------------------------------------------------------------------------------


def image_file(
    name: str = "bandeau.jpg", size=(1200, 400), fmt: str = "JPEG", *, exif: bool = False
) -> SimpleUploadedFile:
    """A real image made with Pillow (no binary fixture); with `exif`, it carries a camera model
    and a GPS position, as a phone photo does."""
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (40, 110, 160))
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x0110] = "Phone 12"  # Model
        data[0x8825] = {1: "N", 2: (50.0, 45.0, 0.0)}  # GPS IFD
        kwargs["exif"] = data
    image.save(buffer, fmt, **kwargs)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png"}.get(fmt, "application/octet-stream")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def claim_counts() -> dict[str, int]:
    return {
        "claims": Claim.objects.count(),
        "codes": GiftCode.objects.count(),
        "bank": MediaBankImage.objects.count(),
        "uses": EntitlementConsumption.objects.count(),
        "images": Claim.images.through.objects.count(),
    }


@contextlib.contextmanager
def refused(message: str, *, field=ANY):
    """The block raises this French message (and field) and writes nothing, claims included."""
    before = claim_counts()
    with assert_refused(message, field=field) as info:
        yield info
    assert claim_counts() == before


def entitlement(membership: Membership, kind: str) -> Entitlement:
    return Entitlement.objects.get(membership=membership, kind=kind)


@pytest.fixture
def active(make_membership):
    return make_membership(S.ACTIVE)


@pytest.fixture
def partner(active):
    return active.applicant


def ask(membership, kind, **kwargs) -> Claim:
    kwargs.setdefault("actor", membership.applicant)
    return services.request_claim(membership, kind=kind, **kwargs)


def bank_image(
    office, staff_user, title="Les marais audomarois au lever du jour", **kwargs
) -> MediaBankImage:
    return services.add_media_image(
        office,
        image=image_file("marais.jpg", size=(1600, 1000)),
        title=title,
        credit=kwargs.pop("credit", "Office de Tourisme / Jeanne Caron"),
        actor=staff_user,
        **kwargs,
    )


# --- Requests -----------------------------------------------------------------------------------


def test_banner_request_with_an_image_is_reencoded_and_stripped(active, partner):
    claim = ask(
        active, "screen_banner", image=image_file(exif=True), preferred_date=datetime.date(2022, 12, 30)
    )
    assert (claim.status, claim.kind, claim.beyond_pack) == (C.REQUESTED, "screen_banner", False)
    assert claim.entitlement == entitlement(active, "screen_banner")
    assert claim.requested_by == partner
    stored = Image.open(claim.image.open("rb"))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}  # camera and GPS position gone
    assert (claim.image_width, claim.image_height) == (1200, 400)
    entry = AuditEntry.objects.get(organisation_id=active.organisation_id, action="claim.requested")
    assert (entry.target_id, entry.data["kind"], entry.data["beyond_pack"]) == (
        str(claim.pk),
        "screen_banner",
        False,
    )
    assert entry.actor == partner


def test_banner_request_with_text_only(active):
    claim = ask(active, "screen_banner", text="  Menu du terroir tous les midis  ")
    assert claim.text == "Menu du terroir tous les midis"
    assert not claim.image


def test_banner_request_needs_an_image_or_a_text(active):
    with refused("Joignez une image ou saisissez le texte du bandeau.", field="image"):
        ask(active, "screen_banner", text="   ")


def test_banner_text_has_a_limit(active):
    with refused("Le texte du bandeau est trop long : 280 caractères au plus.", field="text"):
        ask(active, "screen_banner", text="x" * 281)


def test_banner_that_is_not_an_image_is_refused(active):
    fake = SimpleUploadedFile("bandeau.jpg", b"%PDF-1.4 not an image at all", content_type="image/jpeg")
    with refused(NOT_AN_IMAGE, field="image"):
        ask(active, "screen_banner", image=fake)


def test_banner_too_large_is_refused_with_the_limit(active):
    heavy = SimpleUploadedFile(
        "bandeau.jpg", b"\xff\xd8" + b"0" * (9 * 1024 * 1024), content_type="image/jpeg"
    )
    with refused("L'image est trop lourde (9,0 Mo) : la limite est de 8,0 Mo.", field="image"):
        ask(active, "screen_banner", image=heavy)


def test_banner_too_small_is_refused(active):
    message = (
        "L'image est trop petite pour l'écran d'accueil (300 × 100 px) : il faut au moins 800 px sur "
        "le grand côté et 200 px sur le petit."
    )
    with refused(message, field="image"):
        ask(active, "screen_banner", image=image_file(size=(300, 100)))


def test_preferred_date_in_the_past_is_refused(active):
    with refused("La date souhaitée est passée : choisissez une date à venir.", field="preferred_date"):
        ask(active, "salon_day", preferred_date=TODAY - datetime.timedelta(days=1))


def test_preferred_date_after_the_membership_is_refused(active):
    with refused(
        "La date souhaitée doit tomber pendant votre adhésion, au plus tard le 31/12/2022.",
        field="preferred_date",
    ):
        ask(active, "annual_visit", preferred_date=datetime.date(2023, 3, 1))


def test_image_bank_is_a_written_request(active):
    with refused(
        "Décrivez les images souhaitées : la banque d'images se demande par écrit.", field="message"
    ):
        ask(active, "image_bank", message=" ")


@pytest.mark.parametrize("wished", [None, 0, 201])
def test_welcome_gift_needs_a_number_of_codes(active, wished):
    with refused("Indiquez le nombre de codes souhaités, de 1 à 200.", field="quantity_wished"):
        ask(active, "welcome_gift", quantity_wished=wished)


def test_message_has_a_limit(active):
    with refused("Le message est trop long : 2000 caractères au plus.", field="message"):
        ask(active, "annual_visit", message="x" * 2001)


def test_a_kind_not_claimable_from_the_portal_is_refused(active):
    with refused("Cette prestation ne se demande pas depuis l'espace pro.", field="kind"):
        ask(active, "pro_meetings")


@pytest.mark.parametrize("status", [S.REQUESTED, S.SUSPENDED, S.TERMINATED])
def test_request_on_a_membership_that_is_not_live_is_refused(make_membership, status):
    membership = make_membership(status)
    with refused(
        "Votre adhésion n'est pas active : ses prestations ne peuvent pas être demandées.", field=None
    ):
        ask(membership, "salon_day")


def test_request_during_notice_is_allowed(make_membership):
    claim = ask(make_membership(S.NOTICE_GIVEN), "salon_day")
    assert claim.status == C.REQUESTED


def test_someone_outside_the_organisation_cannot_request(active, make_membership):
    stranger = make_membership(S.ACTIVE).applicant
    with refused("Vous n'agissez pas pour cette organisation.", field=None):
        ask(active, "salon_day", actor=stranger)


def test_staff_of_another_office_cannot_request(active, other_staff_user):
    with refused("Vous n'agissez pas pour cette organisation.", field=None):
        ask(active, "salon_day", actor=other_staff_user)


def test_a_kind_not_in_the_pack_is_offered_beyond_it(active):
    with refused(NOT_INCLUDED, field=None) as info:
        ask(active, "photos")
    assert info.value.code == "beyond_pack"
    claim = ask(active, "photos", beyond_pack=True, message="10 photos de la salle")
    assert (claim.beyond_pack, claim.entitlement, claim.status) == (True, None, C.REQUESTED)
    entry = AuditEntry.objects.filter(organisation_id=active.organisation_id).first()
    assert (entry.action, entry.data["kind"], entry.data["beyond_pack"]) == (
        "claim.requested",
        "photos",
        True,
    )
    assert entry.data["message"] == "10 photos de la salle"


def test_a_second_request_waits_for_the_first(active):
    ask(active, "salon_day")
    with refused(PENDING, field=None):
        ask(active, "salon_day")


def test_request_on_a_used_up_entitlement_is_refused(active, staff_user):
    membership_services.consume_entitlement(entitlement(active, "salon_day"), actor=staff_user)
    with refused(EXHAUSTED, field=None) as info:
        ask(active, "salon_day")
    assert info.value.code == "exhausted"


def test_unlimited_entitlements_take_several_requests(active):
    ask(active, "image_bank", message="Photos de la cathédrale")
    ask(active, "image_bank", message="Photos du marais")
    assert Claim.objects.filter(membership=active, kind="image_bank").count() == 2


def test_partner_cancels_a_request_not_answered_yet(active, partner, staff_user):
    claim = ask(active, "annual_visit")
    services.cancel_claim(claim, actor=partner)
    claim.refresh_from_db()
    assert claim.status == C.CANCELLED
    ask(active, "annual_visit")  # the entitlement is free again
    accepted = services.accept_claim(Claim.objects.get(status=C.REQUESTED), actor=staff_user)
    with refused("Cette demande est acceptée : elle ne peut plus être annulée.", field=None):
        services.cancel_claim(accepted, actor=partner)


# --- Answers and consumption --------------------------------------------------------------------


def test_accept_emails_the_requester_and_writes_the_log(active, partner, staff_user):
    claim = ask(active, "annual_visit", message="Plutôt un mardi")
    services.accept_claim(claim, actor=staff_user, answer="Nous passerons le 10 janvier.")
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by, claim.answer) == (
        C.ACCEPTED,
        staff_user,
        "Nous passerons le 10 janvier.",
    )
    email = OutboundEmail.objects.get(template="claim_accepted")
    assert email.to == partner.email
    assert "Visite annuelle" in email.subject
    assert "Nous passerons le 10 janvier." in email.body_text
    assert entitlement(active, "annual_visit").used == 0  # consumed when done, not before
    entry = AuditEntry.objects.get(action="claim.accepted")
    assert (entry.actor, entry.organisation_id, entry.data["email"]) == (
        staff_user,
        active.organisation_id,
        email.pk,
    )
    assert entry.data["answer"] == "Nous passerons le 10 janvier."


def test_refuse_needs_a_reason_and_sends_it(active, partner, staff_user):
    claim = ask(active, "promo_spot")
    with refused("Le motif du refus est obligatoire.", field="reason"):
        services.refuse_claim(claim, actor=staff_user, reason="  ")
    services.refuse_claim(claim, actor=staff_user, reason="Le calendrier des tournages est complet.")
    claim.refresh_from_db()
    assert (claim.status, claim.refusal_reason) == (C.REFUSED, "Le calendrier des tournages est complet.")
    email = OutboundEmail.objects.get(template="claim_refused")
    assert email.to == partner.email
    assert "Le calendrier des tournages est complet." in email.body_text
    assert entitlement(active, "promo_spot").used == 0
    with refused("Cette demande est déjà refusée.", field=None):
        services.refuse_claim(claim, actor=staff_user, reason="Encore")


def test_complete_consumes_the_entitlement_once(active, staff_user):
    claim = ask(active, "salon_day")
    services.accept_claim(claim, actor=staff_user)
    services.complete_claim(claim, actor=staff_user)
    claim.refresh_from_db()
    salon = entitlement(active, "salon_day")
    assert (claim.status, salon.used, salon.remaining) == (C.DONE, 1, 0)
    assert claim.consumption.entitlement == salon
    assert claim.completed_at is not None
    assert OutboundEmail.objects.filter(template="claim_done").count() == 1
    with refused("Cette demande est déjà réalisée.", field=None):
        services.complete_claim(claim, actor=staff_user)
    assert entitlement(active, "salon_day").used == 1
    assert OutboundEmail.objects.filter(template="claim_done").count() == 1


def test_complete_straight_from_requested(active, staff_user):
    claim = services.complete_claim(ask(active, "annual_visit"), actor=staff_user)
    assert claim.status == C.DONE
    assert claim.decided_by == staff_user
    assert entitlement(active, "annual_visit").used == 1


def test_complete_on_an_exhausted_entitlement_writes_nothing(active, staff_user):
    claim = services.accept_claim(ask(active, "salon_day"), actor=staff_user)
    membership_services.consume_entitlement(entitlement(active, "salon_day"), actor=staff_user)
    emails = OutboundEmail.objects.count()
    with refused(EXHAUSTED, field=None):
        services.complete_claim(claim, actor=staff_user)
    claim.refresh_from_db()
    assert (claim.status, claim.completed_at, claim.consumption) == (C.ACCEPTED, None, None)
    assert OutboundEmail.objects.count() == emails


def test_complete_after_the_membership_was_suspended_is_refused(active, staff_user):
    claim = services.accept_claim(ask(active, "salon_day"), actor=staff_user)
    membership_services.suspend_membership(active, actor=staff_user, reason="Fiche non mise à jour")
    with refused("L'adhésion n'est pas active : ce droit ne peut pas être utilisé.", field=None):
        services.complete_claim(claim, actor=staff_user)


def test_a_refused_or_cancelled_request_cannot_be_completed(active, staff_user):
    claim = ask(active, "promo_spot")
    services.refuse_claim(claim, actor=staff_user, reason="Pas de tournage en hiver")
    with refused("Cette demande est refusée : elle ne peut plus être réalisée.", field=None):
        services.complete_claim(claim, actor=staff_user)
    with refused("Cette demande est refusée : elle ne peut plus être acceptée.", field=None):
        services.accept_claim(claim, actor=staff_user)


def test_dedicated_kinds_are_not_completed_generically(active, staff_user):
    claim = ask(active, "screen_banner", text="Ouvert le dimanche")
    with refused("Cette demande se traite avec l'action « Valider le bandeau ».", field=None):
        services.complete_claim(claim, actor=staff_user)


def test_a_request_beyond_the_pack_consumes_nothing(active, staff_user):
    claim = ask(active, "promo_spot", beyond_pack=True, message="Un second spot pour l'été")
    services.accept_claim(claim, actor=staff_user)
    assert "l'Office vous adresse un devis" in OutboundEmail.objects.get(template="claim_accepted").body_text
    services.complete_claim(claim, actor=staff_user)
    claim.refresh_from_db()
    assert (claim.status, claim.consumption) == (C.DONE, None)
    assert entitlement(active, "promo_spot").used == 0


# --- The reception-screen banner ----------------------------------------------------------------


def test_approving_a_banner_schedules_its_window_and_consumes(active, staff_user):
    claim = ask(active, "screen_banner", image=image_file())
    services.approve_banner(claim, actor=staff_user)
    claim.refresh_from_db()
    assert claim.status == C.DONE
    assert (claim.starts_on, claim.ends_on) == (TODAY, TODAY + datetime.timedelta(days=59))
    assert (claim.ends_on - claim.starts_on).days + 1 == 60  # the seed's 60 days, both ends included
    assert entitlement(active, "screen_banner").used == 1
    email = OutboundEmail.objects.get(template="claim_done")
    assert "du 28/12/2022 au 25/02/2023" in email.body_text
    assert list(selectors.active_banners(active.office, on=TODAY)) == [claim]
    assert list(selectors.active_banners(active.office, on=claim.ends_on)) == [claim]
    assert not selectors.active_banners(active.office, on=claim.ends_on + datetime.timedelta(days=1)).exists()
    assert not selectors.active_banners(active.office, on=TODAY - datetime.timedelta(days=1)).exists()
    with refused("Cette demande est déjà réalisée.", field=None):
        services.approve_banner(claim, actor=staff_user)


def test_banner_duration_comes_from_the_entitlement(active, staff_user):
    Entitlement.objects.filter(membership=active, kind="screen_banner").update(duration_days=30)
    claim = services.approve_banner(ask(active, "screen_banner", text="Soirée jazz"), actor=staff_user)
    assert claim.ends_on == TODAY + datetime.timedelta(days=29)


def test_banner_may_start_later_but_not_before_today(active, staff_user):
    claim = ask(active, "screen_banner", text="Marché de Noël")
    with refused("La diffusion ne peut pas commencer avant aujourd'hui.", field="starts_on"):
        services.approve_banner(claim, actor=staff_user, starts_on=TODAY - datetime.timedelta(days=1))
    services.approve_banner(claim, actor=staff_user, starts_on=datetime.date(2023, 1, 2))
    claim.refresh_from_db()
    assert (claim.starts_on, claim.ends_on) == (datetime.date(2023, 1, 2), datetime.date(2023, 3, 2))
    assert not selectors.active_banners(active.office, on=TODAY).exists()


def test_banner_actions_only_apply_to_banners(active, staff_user):
    claim = ask(active, "salon_day")
    with refused("Cette action ne s'applique qu'aux demandes « Bandeau sur l'écran d'accueil ».", field=None):
        services.approve_banner(claim, actor=staff_user)


def test_active_banners_are_the_office_s_own(active, staff_user, other_office):
    services.approve_banner(ask(active, "screen_banner", text="Brocante"), actor=staff_user)
    assert not selectors.active_banners(other_office, on=TODAY).exists()


# --- The image bank -----------------------------------------------------------------------------


def test_bank_image_is_reencoded_and_needs_a_credit(office, staff_user):
    with refused("Le crédit photo est obligatoire : il accompagne chaque téléchargement.", field="credit"):
        bank_image(office, staff_user, credit=" ")
    with refused(NOT_AN_IMAGE, field="image"):
        services.add_media_image(
            office,
            image=SimpleUploadedFile("x.png", b"GIF89a nope"),
            title="Faux",
            credit="X",
            actor=staff_user,
        )
    image = bank_image(office, staff_user, tags="marais, nature ,  , printemps")
    assert image.tags == "marais, nature, printemps"
    assert (image.width, image.height) == (1600, 1000)
    assert Image.open(image.image.open("rb")).format == "JPEG"


def test_answer_an_image_bank_request_with_a_selection(active, office, partner, staff_user):
    first, second = bank_image(office, staff_user), bank_image(office, staff_user, title="La cathédrale")
    claim = ask(active, "image_bank", message="Des vues du marais pour notre site")
    with refused("Choisissez au moins une image de la banque.", field="images"):
        services.answer_image_bank_request(claim, images=[], actor=staff_user)
    services.answer_image_bank_request(claim, images=[first, second], actor=staff_user)
    claim.refresh_from_db()
    assert claim.status == C.DONE
    assert set(claim.images.all()) == {first, second}
    assert entitlement(active, "image_bank").used == 1
    email = OutboundEmail.objects.get(template="claim_done")
    assert "2 images" in email.body_text
    assert email.to == partner.email


def test_image_bank_answer_refuses_images_of_another_office_or_withdrawn(
    active, office, other_office, staff_user, other_staff_user
):
    elsewhere = bank_image(other_office, other_staff_user)
    withdrawn = services.archive_media_image(bank_image(office, staff_user), actor=staff_user)
    claim = ask(active, "image_bank", message="Des vues du marais")
    for image in (elsewhere, withdrawn):
        with refused(
            "Une des images choisies n'est pas (ou plus) dans la banque de l'Office.", field="images"
        ):
            services.answer_image_bank_request(claim, images=[image], actor=staff_user)


# --- Balad'Enigm gift codes ---------------------------------------------------------------------


@pytest.fixture
def gift_claim(active):
    return ask(active, "welcome_gift", quantity_wished=5, message="Pour nos clients de l'hiver")


def test_issue_gift_codes(gift_claim, staff_user):
    created = services.issue_gift_codes(gift_claim, count=5, actor=staff_user)
    assert len(created) == 5
    stored = list(GiftCode.objects.filter(claim=gift_claim))
    assert len({gift.code for gift in stored}) == 5
    for gift in stored:
        assert codes.looks_valid(gift.code)
        assert gift.valid_until == datetime.date(2022, 12, 31)
        assert gift.used_at is None
    gift_claim.refresh_from_db()
    assert gift_claim.status == C.DONE
    assert "5 codes cadeaux" in OutboundEmail.objects.get(template="claim_done").body_text
    with refused("Cette demande est déjà réalisée.", field=None):
        services.issue_gift_codes(gift_claim, count=5, actor=staff_user)


@pytest.mark.parametrize("count", [0, 201])
def test_issue_gift_codes_count_is_bounded(gift_claim, staff_user, count):
    with refused("Le nombre de codes doit être compris entre 1 et 200.", field="count"):
        services.issue_gift_codes(gift_claim, count=count, actor=staff_user)


def test_a_gift_code_is_used_once(gift_claim, office, staff_user):
    gift = services.issue_gift_codes(gift_claim, count=1, actor=staff_user)[0]
    typed = f" {gift.code[:5].lower()}-{gift.code[5:].lower()} "
    used = services.redeem_gift_code(office, typed, trail="Les secrets du marais")
    assert used.pk == gift.pk
    gift.refresh_from_db()
    assert gift.used_at is not None
    assert gift.used_on_trail == "Les secrets du marais"
    with refused(GIFT_INVALID, field="code"):
        services.redeem_gift_code(office, gift.code)
    gift.refresh_from_db()
    assert gift.used_on_trail == "Les secrets du marais"  # the first use stands


def test_unknown_used_and_foreign_codes_get_the_same_message(gift_claim, office, other_office, staff_user):
    gift = services.issue_gift_codes(gift_claim, count=1, actor=staff_user)[0]
    for office_, typed in ((office, "ABCDEFGHJK"), (office, "1234"), (other_office, gift.code)):
        with refused(GIFT_INVALID, field="code"):
            services.redeem_gift_code(office_, typed)
    assert GiftCode.objects.get(pk=gift.pk).used_at is None


def test_an_expired_code_is_refused(gift_claim, office, staff_user):
    gift = services.issue_gift_codes(gift_claim, count=1, actor=staff_user)[0]
    GiftCode.objects.filter(pk=gift.pk).update(valid_until=TODAY - datetime.timedelta(days=1))
    with refused(GIFT_INVALID, field="code"):
        services.redeem_gift_code(office, gift.code)


def test_two_redemptions_of_one_code_at_once_use_it_once(gift_claim, office, staff_user):
    """The guard is the conditional UPDATE: once it has matched, the same UPDATE matches nothing."""
    gift = services.issue_gift_codes(gift_claim, count=1, actor=staff_user)[0]
    now = timezone.now()
    first = GiftCode.objects.filter(office=office, code=gift.code, used_at__isnull=True).update(used_at=now)
    assert first == 1
    with pytest.raises(ClaimError):
        services.redeem_gift_code(office, gift.code)


def test_new_codes_are_random_and_readable():
    batch = {codes.new_code() for _ in range(500)}
    assert len(batch) == 500
    assert all(codes.looks_valid(code) for code in batch)
    assert not set("".join(batch)) & set("01OIL")
    assert codes.normalise(" abcde-fghjk ") == "ABCDEFGHJK"


# --- Queues -------------------------------------------------------------------------------------


def test_queue_counts(active, make_membership, staff_user, office, other_office):
    other = make_membership(S.ACTIVE)
    ask(active, "screen_banner", text="Brocante")
    services.accept_claim(ask(other, "screen_banner", text="Concert"), actor=staff_user)
    ask(active, "salon_day")
    services.complete_claim(ask(active, "annual_visit"), actor=staff_user)
    assert selectors.queue_counts(office) == {
        "open": 3,
        "requested": 2,
        "accepted": 1,
        "banners_to_approve": 2,
    }
    assert selectors.queue_counts(other_office) == {
        "open": 0,
        "requested": 0,
        "accepted": 0,
        "banners_to_approve": 0,
    }
    assert [c.kind for c in selectors.banners_to_approve(office)] == ["screen_banner", "screen_banner"]
    assert [c.kind for c in selectors.requested_claims(office)] == ["screen_banner", "salon_day"]


def test_claims_of_user_are_their_organisations_only(active, make_membership, office, other_office):
    mine = ask(active, "salon_day")
    other = make_membership(S.ACTIVE)
    theirs = ask(other, "salon_day")
    assert list(selectors.claims_of_user(active.applicant, office)) == [mine]
    assert list(selectors.claims_of_user(active.applicant, other_office)) == []
    with pytest.raises(Claim.DoesNotExist):
        selectors.claim_of_user(active.applicant, office, theirs.pk)


def test_a_random_user_has_no_claims(office):
    assert not selectors.claims_of_user(UserFactory(), office).exists()


# --- Real threads against PostgreSQL ----------------------------------------------------------


@pytest.fixture
def one_code(make_membership, staff_user) -> GiftCode:
    membership = make_membership(S.ACTIVE)
    claim = ask(membership, "welcome_gift", quantity_wished=1)
    return services.issue_gift_codes(claim, count=1, actor=staff_user)[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_visitors_redeeming_one_code_at_once_use_it_once(one_code):
    require_postgresql()
    office_id, code = one_code.office_id, one_code.code
    connection.close()

    def redeem() -> str:
        try:
            services.redeem_gift_code(Office.objects.get(pk=office_id), code, trail="Le marais")
        except ClaimError as exc:
            assert exc.message == GIFT_INVALID
            return "refused"
        return "ok"

    outcomes = run_in_threads(10, redeem)
    assert outcomes.count("ok") == 1
    assert outcomes.count("refused") == 9
    assert GiftCode.objects.filter(code=code, used_at__isnull=False).count() == 1
    assert AuditEntry.objects.filter(action="gift_code.redeemed").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_read_then_write_redemption_uses_a_code_several_times(one_code):
    """The control run: without the conditional UPDATE, visitors who all read the code as unused
    all "use" it, so the test above would catch a missing guard."""
    require_postgresql()
    code_id = one_code.pk
    connection.close()
    count = 6
    all_have_read = threading.Barrier(count)

    def naive_redeem() -> str:
        with transaction.atomic():
            gift = GiftCode.objects.get(pk=code_id)
            all_have_read.wait(timeout=30)
            if gift.used_at is not None:
                return "refused"
            gift.used_at = timezone.now()
            gift.save(update_fields=["used_at"])
        return "ok"

    outcomes = run_in_threads(count, naive_redeem)
    assert outcomes.count("ok") > 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_completing_one_request_at_once_consume_once(make_membership, staff_user):
    require_postgresql()
    membership = make_membership(S.ACTIVE)
    claim_id = services.accept_claim(ask(membership, "annual_visit"), actor=staff_user).pk
    staff_id = staff_user.pk
    connection.close()

    def complete() -> str:
        try:
            services.complete_claim(Claim.objects.get(pk=claim_id), actor=User.objects.get(pk=staff_id))
        except ClaimError as exc:
            assert exc.message == "Cette demande est déjà réalisée."
            return "refused"
        return "ok"

    outcomes = run_in_threads(5, complete)
    assert outcomes.count("ok") == 1
    assert EntitlementConsumption.objects.filter(entitlement__membership_id=membership.pk).count() == 1
    assert Entitlement.objects.get(membership_id=membership.pk, kind="annual_visit").used == 1
