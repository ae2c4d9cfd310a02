"""The espace pro at work in the demo: the office's image bank, partners' requests in every
state (a banner on the screens, images sent, Balad'Enigm codes, one refused, one waiting) and a
running update campaign. Everything goes through the claims and campaigns services."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from ensemble.campaigns import services as campaign_services
from ensemble.campaigns.models import UpdateCampaign
from ensemble.claims import services as claim_services
from ensemble.claims.models import Claim
from ensemble.memberships.models import Membership

from .clock import on
from .offices import DEMO_DAY, SEASON_YEAR

BANK = [
    ("La cathédrale Notre-Dame de Saint-Omer", (120, 90, 60)),
    ("Le marais audomarois en bacôve", (40, 110, 80)),
    ("La collégiale Saint-Pierre d'Aire-sur-la-Lys", (150, 120, 90)),
]


def _picture(title: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    """An invented placeholder picture (the demo ships no photographs)."""
    image = Image.new("RGB", (1600, 1067), colour)
    ImageDraw.Draw(image).text((60, 60), title, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile("banque.jpg", buffer.getvalue(), content_type="image/jpeg")


def _active_memberships(office) -> list[Membership]:
    return list(
        Membership.objects.filter(office=office, season__year=SEASON_YEAR, status="active")
        .select_related("organisation", "applicant")
        .order_by("pk")
    )


def load_espace_pro(contexts) -> None:
    """Once per office: a second run finds the requests and the campaign and does nothing."""
    for context in contexts:
        office, staff = context.office, context.actors.partners
        if (
            Claim.objects.filter(office=office).exists()
            or UpdateCampaign.objects.filter(office=office).exists()
        ):
            continue
        members = _active_memberships(office)
        if len(members) < 5:
            continue
        with on(DEMO_DAY - datetime.timedelta(days=20), hour=9):
            images = [
                claim_services.add_media_image(
                    office, image=_picture(title, colour), title=title, credit=office.name, actor=staff
                )
                for title, colour in BANK
            ]
        _requests(members, images, staff)
        _campaign(office, staff)


def _requests(members: list[Membership], images, staff) -> None:
    banner, bank, gift, refused, waiting = members[:5]
    with on(DEMO_DAY - datetime.timedelta(days=15), hour=10):
        claims = {
            "banner": claim_services.request_claim(
                banner, kind="screen_banner", actor=banner.applicant,
                text=f"{banner.organisation.name} : nouvelle carte de saison, réservation conseillée.",
            ),
            "bank": claim_services.request_claim(
                bank, kind="image_bank", actor=bank.applicant,
                message="Des vues du marais et de la cathédrale pour notre site.",
            ),
            "gift": claim_services.request_claim(
                gift, kind="welcome_gift", actor=gift.applicant, quantity_wished=10,
                message="Pour nos clients des vacances de printemps.",
            ),
            "refused": claim_services.request_claim(
                refused, kind="annual_visit", actor=refused.applicant, message="Un mardi matin si possible.",
            ),
        }  # fmt: skip
    with on(DEMO_DAY - datetime.timedelta(days=12), hour=14):
        claim_services.approve_banner(claims["banner"], actor=staff)
        claim_services.answer_image_bank_request(claims["bank"], images=images[:2], actor=staff)
        claim_services.issue_gift_codes(claims["gift"], count=10, actor=staff)
        claim_services.refuse_claim(
            claims["refused"],
            actor=staff,
            reason="Nous vous proposons plutôt une visite en octobre, hors saison.",
        )
    with on(DEMO_DAY - datetime.timedelta(days=2), hour=11):
        claim_services.request_claim(
            waiting, kind="promo_spot", actor=waiting.applicant, message="Un shooting photo de la terrasse."
        )


def _campaign(office, staff) -> None:
    with on(DEMO_DAY - datetime.timedelta(days=10), hour=9):
        campaign = campaign_services.create_campaign(
            office,
            title=f"Mise à jour {SEASON_YEAR + 1} : guide touristique et magazine",
            deadline=DEMO_DAY + datetime.timedelta(days=20),
            grace_days=15,
            reminder_offsets=[7, 21],
            message="Vérifiez vos horaires, tarifs et photos : ils partent à l'impression.",
            actor=staff,
        )
        campaign_services.launch_campaign(campaign, actor=staff)
