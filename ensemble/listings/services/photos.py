"""Photos of a listing: uploaded, re-encoded without metadata, proposed like any change."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.models import User
from ensemble.core.images import ImageRules, reencode_image

from ..fields import LANGS, ListingError, one_line
from ..models import Listing, Photo
from .proposals import _fresh, _propose, _record, pending_values

PHOTO_RULES = ImageRules(min_long_side=1200, min_short_side=800, max_side=2400, purpose="l'impression")


def _check_room(photos: list[dict]) -> None:
    """The photos as they will be once the pending proposal is validated, counted against the
    limit; the one to come would go over it."""
    limit = settings.LISTING_MAX_PHOTOS
    if len(photos) >= limit:
        raise ListingError(
            _(
                "Cette fiche a déjà %(limit)s photos, le maximum : retirez-en une avant d'en ajouter "
                "une autre."
            )
            % {"limit": limit},
            field="image",
            code="too_many_photos",
        )


@transaction.atomic
def upload_photo(
    listing: Listing,
    *,
    image,
    credit: str,
    alt_texts: dict[str, str],
    rights_declared: bool,
    actor: User,
) -> Photo:
    """Store a photo (re-encoded, metadata stripped) and propose it as the listing's last photo."""
    credit = one_line(credit)[:150]
    if not credit:
        raise ListingError(_("Le crédit photo est obligatoire (CGV art. 4.1)."), field="credit")
    if not rights_declared:
        raise ListingError(
            _("Déclarez que vous détenez les droits de cette photo et autorisez l'office à la diffuser."),
            field="rights_declared",
        )
    listing = _fresh(listing)  # locked: two uploads at once cannot both take the last place
    photos = pending_values(listing)["photos"]
    _check_room(photos)
    content, width, height = reencode_image(image, PHOTO_RULES)
    photo = Photo(
        listing=listing,
        credit=credit,
        rights_declared_at=timezone.now(),
        uploaded_by=actor,
        position=999,
        **{f"alt_text_{lang}": one_line(alt_texts.get(lang, ""))[:250] for lang in LANGS},
    )
    photo.image.save(content.name, content, save=False)
    photo.save()
    photos.append(
        {
            "id": photo.pk,
            "credit": credit,
            **{f"alt_text_{lg}": getattr(photo, f"alt_text_{lg}") for lg in LANGS},
        }
    )
    # Proposed like any change, but one entry for the upload: the proposal is part of it.
    result, _action, data = _propose(listing, changes={"photos": photos}, actor=actor)
    _record("listing.photo_uploaded", listing, actor=actor, photo=photo.pk, credit=credit, **data)
    return photo
