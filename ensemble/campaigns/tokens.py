"""The signed link of a campaign e-mail.

The token carries only the target's id, signed with a timestamp (salt "ensemble.campaign"): the
signature proves we issued the link; it does not grant access by itself, since the confirmation
page also requires the partner to be logged in as a member of the listing's organisation.
"""

from django.core import signing

from .errors import CampaignError
from .models import CampaignTarget

TOKEN_SALT = "ensemble.campaign"  # noqa: S105 — a signing salt, not a secret
MAX_AGE_DAYS = 400  # a campaign lasts weeks; an older link is refused whatever its campaign

INVALID_LINK = (
    "Ce lien de mise à jour n'est pas valide : il a peut-être été mal copié. Utilisez le lien "
    "complet reçu par e-mail, ou ouvrez vos fiches depuis votre espace pro."
)
EXPIRED_LINK = (
    "Ce lien de mise à jour a expiré. Vous pouvez toujours vérifier et modifier vos fiches "
    "depuis votre espace pro."
)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=TOKEN_SALT)


def target_token(target: CampaignTarget) -> str:
    return _signer().sign_object({"t": target.pk})


def target_id_from_token(token: str) -> int:
    """The target id the token was signed for; CampaignError "tampered" or "expired" otherwise."""
    try:
        data = _signer().unsign_object(token, max_age=MAX_AGE_DAYS * 24 * 3600)
    except signing.SignatureExpired:
        raise CampaignError(EXPIRED_LINK, code="expired") from None
    except signing.BadSignature:
        raise CampaignError(INVALID_LINK, code="tampered") from None
    target_id = data.get("t") if isinstance(data, dict) else None
    if not isinstance(target_id, int) or isinstance(target_id, bool):
        raise CampaignError(INVALID_LINK, code="tampered")
    return target_id
