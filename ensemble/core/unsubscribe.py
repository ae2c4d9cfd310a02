"""Opting out of the e-mails that are not transactional (RFC 2369 / RFC 8058 List-Unsubscribe).

Transactional e-mails (account activation, login codes, invoices and their reminders, membership,
quote, listing, event and claim decisions, renewal confirmations, team invitations) answer an act
of the recipient or a contract and carry no unsubscribe link. The bulk messages the office
decides to send on its own do: today the update campaign's invitation and reminders. Their kind
is the key of the opt-out, so a partner who opts out of campaigns still receives its invoices.
"""

import hashlib
import logging

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from . import audit, links
from .errors import EnsembleError
from .models import EmailOptOut, Office

logger = logging.getLogger(__name__)

# template -> kind of e-mail the recipient may opt out of.
UNSUBSCRIBABLE_TEMPLATES = {
    "campaign_invitation": "campaigns",
    "campaign_reminder": "campaigns",
}
SALT = "ensemble.core.unsubscribe"

audit.register_actions({"email.opted_out": _("Désinscription des e-mails « %(kind)s »")})


def digest(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def kind_of(template: str) -> str:
    return UNSUBSCRIBABLE_TEMPLATES.get(template, "")


def is_opted_out(office: Office, address: str, kind: str) -> bool:
    return EmailOptOut.objects.filter(office=office, kind=kind, address_digest=digest(address)).exists()


def make_token(office: Office, address: str, kind: str) -> str:
    # Signed, not encrypted: the address is readable in the link, which only its owner receives.
    return signing.dumps({"o": office.pk, "k": kind, "a": address.strip().lower()}, salt=SALT, compress=True)


def unsubscribe_url(office: Office, address: str, kind: str) -> str:
    """The absolute https link of the List-Unsubscribe header and of the e-mail's footer."""
    return links.office_url(office, "public:unsubscribe", token=make_token(office, address, kind))


def read_token(office: Office, token: str) -> tuple[str, str]:
    """(address, kind) of a link made for `office`; EnsembleError for a forged or foreign one."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        data = None
    if (
        not isinstance(data, dict)
        or data.get("o") != office.pk
        or data.get("k") not in set(UNSUBSCRIBABLE_TEMPLATES.values())
    ):
        raise EnsembleError(str(_("Ce lien de désinscription n'est pas valide.")), code="invalid_token")
    return data["a"], data["k"]


def record_opt_out(office: Office, *, token: str) -> str:
    """Record the opt-out the link stands for (twice is once); return its kind."""
    address, kind = read_token(office, token)
    try:
        with transaction.atomic():
            EmailOptOut.objects.create(office=office, kind=kind, address_digest=digest(address))
            audit.record("email.opted_out", actor=None, office=office, data={"kind": kind})
    except IntegrityError:
        pass
    return kind


def log_skipped(office: Office, template: str, address: str) -> None:
    logger.info(
        "E-mail %s of office %s not queued: the recipient (%s…) opted out",
        template,
        office.slug,
        digest(address)[:12],
    )
