"""The office's image bank: adding and withdrawing photos, and answering a partner's written
request with a selection of them.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.images import MEGABYTE, ImageError, ImageRules, reencode_image
from ensemble.core.models import Office
from ensemble.core.transactions import lock

from ..errors import ClaimError
from ..models import Claim, MediaBankImage
from .workflow import JOINED, K, _check_kind, _finish, _transition

MEDIA_BANK_RULES = ImageRules(
    max_bytes=20 * MEGABYTE,
    min_long_side=1200,
    min_short_side=600,
    max_side=4000,
    purpose="la banque d'images",
)


@transaction.atomic
def answer_image_bank_request(
    claim: Claim, *, images: Iterable[MediaBankImage | int], actor: User, answer: str = ""
) -> Claim:
    """Answer a written request to the image bank with a selection the partner downloads."""
    claim = lock(claim, related=JOINED)
    _check_kind(claim, K.IMAGE_BANK)
    _transition(claim, "complete")
    ids = {getattr(image, "pk", image) for image in images}
    if not ids:
        raise ClaimError(_("Choisissez au moins une image de la banque."), field="images")
    chosen = list(MediaBankImage.objects.filter(office_id=claim.office_id, is_active=True, pk__in=ids))
    if len(chosen) != len(ids):
        raise ClaimError(
            _("Une des images choisies n'est pas (ou plus) dans la banque de l'Office."), field="images"
        )
    claim.images.set(chosen)
    sent = {"count": len(chosen), "images": sorted(image.pk for image in chosen)}
    _finish(claim, actor=actor, answer=answer, action="claim.images_sent", data=sent)
    return claim


@transaction.atomic
def add_media_image(
    office: Office, *, image, title: str, credit: str, actor: User, tags: str = ""
) -> MediaBankImage:
    """Add a photo to the office's image bank: checked, re-encoded, stripped of its metadata."""
    title, credit = (title or "").strip(), (credit or "").strip()
    tags = ", ".join(tag.strip() for tag in (tags or "").split(",") if tag.strip())
    if not title:
        raise ClaimError(_("Le titre de l'image est obligatoire."), field="title")
    if not credit:
        raise ClaimError(
            _("Le crédit photo est obligatoire : il accompagne chaque téléchargement."), field="credit"
        )
    if len(title) > 200 or len(credit) > 150 or len(tags) > 250:
        raise ClaimError(
            _("Titre (200), crédit (150) ou mots-clés (250 caractères) trop longs."), field="title"
        )
    if not image:
        raise ClaimError(_("Choisissez une image."), field="image")
    try:
        content, _width, _height = reencode_image(image, MEDIA_BANK_RULES)
    except ImageError as exc:
        raise ClaimError(exc.message, field="image", code=exc.code) from None
    media = MediaBankImage(office=office, title=title, credit=credit, tags=tags, uploaded_by=actor)
    media.image = content
    media.save()
    audit.record(
        "media_image.added", actor=actor, office=office, target=media, data={"credit": credit, "tags": tags}
    )
    return media


@transaction.atomic
def archive_media_image(image: MediaBankImage, *, actor: User) -> MediaBankImage:
    """Withdraw an image from the bank: no longer offered; partners who received it keep it."""
    if not image.is_active:
        raise ClaimError(_("Cette image est déjà retirée de la banque."))
    image.is_active = False
    image.save(update_fields=["is_active", "updated_at"])
    audit.record("media_image.archived", actor=actor, office=image.office, target=image)
    return image
