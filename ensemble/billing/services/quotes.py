"""Quotes (devis): compose, send with a signed link, accept or decline, expire, invoice.

The link a partner receives carries a signed token (`TimestampSigner`, salt "ensemble.quote")
over the quote's id and number. The signature proves the link was issued by us for this quote;
the quote's `valid_until` (checked in the database, not in the token) says until when it can be
used to decide. A tampered token and an expired quote are refused with a French message, and
nothing changes.
"""

import datetime
import ipaddress

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as N_

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.audit import acting_user
from ensemble.core.models import Office
from ensemble.core.transactions import lock
from ensemble.directory import services as directory_services
from ensemble.directory.models import Organisation

from .. import amounts
from ..errors import BillingError
from ..models import Invoice
from ..quotes import Quote, QuoteLine
from .invoices import _draft, _issue, check_lines
from .numbering import next_number

audit.register_actions(
    {
        "quote.drafted": gettext_lazy("Devis en brouillon : %(total_ttc)s € TTC"),
        "quote.sent": gettext_lazy(
            "Devis %(number)s envoyé : %(total_ttc)s € TTC, valable jusqu'au %(valid_until)s"
        ),
        "quote.accepted": gettext_lazy("Devis %(number)s accepté (%(total_ttc)s € TTC)"),
        "quote.declined": gettext_lazy("Devis %(number)s refusé : %(reason)s"),
        "quote.expired": gettext_lazy("Devis %(number)s expiré (valable jusqu'au %(valid_until)s)"),
    }
)

TOKEN_SALT = "ensemble.quote"  # noqa: S105 — a signing salt, not a secret
MAX_VALID_DAYS = 365
MAX_REASON_LENGTH = 2000
S = Quote.State
# Messages are marked here (N_) and translated when raised (_), in the language of the request.
# Every change reloads the quote under its row lock (`lock(quote, related=JOINED)`), so two clicks
# cannot both move it. The invoice is not joined: a row another transaction created while we
# waited for the lock is invisible to this statement's snapshot, so it is read afterwards, lazily.
JOINED = ("office", "organisation")

INVALID_LINK = N_(
    "Ce lien de devis n'est pas valide : il a peut-être été mal copié. Utilisez le lien complet "
    "reçu par e-mail, ou contactez l'Office."
)
NO_ADDRESS = N_(
    "L'organisation n'a pas d'adresse e-mail : ajoutez-en une (ou un contact) avant d'envoyer le devis."
)
STATE_PHRASES = {
    S.DRAFT: N_("encore un brouillon"),
    S.SENT: N_("en attente de réponse"),
    S.ACCEPTED: N_("déjà accepté"),
    S.DECLINED: N_("refusé"),
    S.EXPIRED: N_("expiré"),
    S.INVOICED: N_("déjà facturé"),
}
REFUSALS = {
    "send": N_("Ce devis ne peut plus être envoyé : il est %(phrase)s."),
    "accept": N_("Ce devis ne peut pas être accepté : il est %(phrase)s."),
    "decline": N_("Ce devis ne peut pas être refusé : il est %(phrase)s."),
    "invoice": N_("Seul un devis accepté se transforme en facture : celui-ci est %(phrase)s."),
}


# --- The signed link ----------------------------------------------------------------------------


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=TOKEN_SALT)


def quote_token(quote: Quote) -> str:
    """The token of the link sent to the partner (a sent quote has a number)."""
    if quote.number is None:
        raise BillingError(_("Un devis en brouillon n'a pas encore de lien."))
    return _signer().sign_object({"q": quote.pk, "n": quote.number})


def expired_message(quote: Quote) -> str:
    until = quote.valid_until.strftime("%d/%m/%Y") if quote.valid_until else "—"
    return _(
        "Ce devis était valable jusqu'au %(until)s : le délai est dépassé. "
        "Contactez l'Office pour en recevoir un nouveau."
    ) % {"until": until}


def quote_from_token(office: Office, token: str) -> Quote:
    """The quote a link points at, in `office`.

    BillingError with code "tampered" if the signature or its content does not hold, "expired"
    if the quote can no longer be decided because its validity is over. A quote already decided
    is returned whatever the date, so its link keeps showing what was decided."""
    try:
        data = _signer().unsign_object(token)
    except signing.BadSignature:
        raise BillingError(_(INVALID_LINK), code="tampered") from None
    pk, number = (data.get("q"), data.get("n")) if isinstance(data, dict) else (None, None)
    if not isinstance(pk, int) or not isinstance(number, str):
        raise BillingError(_(INVALID_LINK), code="tampered")
    quote = (
        Quote.objects.filter(office=office, pk=pk, number=number)
        .select_related("organisation", "office", "invoice", "decided_by")
        .prefetch_related("lines")
        .first()
    )
    if quote is None:
        raise BillingError(_(INVALID_LINK), code="tampered")
    if quote.state == S.EXPIRED or quote.is_past_validity():
        raise BillingError(expired_message(quote), code="expired")
    return quote


# --- Helpers ------------------------------------------------------------------------------------


def _require(quote: Quote, action: str) -> None:
    """Refuse an action the quote's state does not allow, with a French message."""
    if action in ("accept", "decline") and (quote.state == S.EXPIRED or quote.is_past_validity()):
        raise BillingError(expired_message(quote), code="expired")
    if action == "invoice" and quote.state == S.INVOICED:
        raise BillingError(
            _("Ce devis est déjà facturé (%(number)s).") % {"number": quote.invoice.number}, code="state"
        )
    refusal = _(REFUSALS[action]) % {"phrase": _(STATE_PHRASES[quote.state])}
    Quote.TRANSITIONS.check(quote.state, action, refusal, code="state")


def _clean_ip(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


def _record_decision(quote: Quote, *, user: User | None, ip: str | None, user_agent: str) -> None:
    """Write who decided, when, from where (the evidence, also in the decision's audit entry)."""
    quote.decided_at = timezone.now()
    quote.decided_by = acting_user(user)
    quote.decided_ip = _clean_ip(ip)
    quote.decided_user_agent = (user_agent or "")[:500]


def _record(action: str, quote: Quote, *, actor: User | None, ip_address: str | None = None, **data) -> None:
    """The service's one audit entry about `quote`."""
    audit.record(
        action,
        actor=actor,
        office=quote.office,
        target=quote,
        organisation_id=quote.organisation_id,
        data={"number": quote.number, "total_ttc": quote.total_ttc, **data},
        ip_address=ip_address,
    )


# --- Services -----------------------------------------------------------------------------------


@transaction.atomic
def create_quote_draft(
    organisation: Organisation,
    *,
    lines: list[amounts.LineInput],
    actor: User | None,
    valid_days: int = 30,
    note: str = "",
) -> Quote:
    """A draft quote (no number yet) with its lines and totals, as invoices compute them."""
    check_lines(lines, office_id=organisation.office_id, quote=True)
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise BillingError(
            _("La durée de validité d'un devis est de 1 à %(days)s jours.") % {"days": MAX_VALID_DAYS},
            field="valid_days",
        )
    computed = amounts.compute(lines)
    quote = Quote.objects.create(
        office_id=organisation.office_id,
        organisation=organisation,
        valid_days=valid_days,
        total_ht=computed.total_ht,
        total_vat=computed.total_vat,
        total_ttc=computed.total_ttc,
        note=note.strip(),
    )
    QuoteLine.objects.bulk_create(
        QuoteLine(
            quote=quote,
            position=position,
            offer_id=line.source.offer_id,
            label=line.source.label.strip()[:250],
            quantity=line.source.quantity,
            unit_price_ttc=line.source.unit_price_ttc,
            unit_price_ht=line.unit_price_ht,
            vat_rate=line.source.vat_rate,
            total_ht=line.total_ht,
        )
        for position, line in enumerate(computed.lines)
    )
    _record("quote.drafted", quote, actor=actor, lines=len(lines), valid_days=valid_days)
    return quote


@transaction.atomic
def send_quote(quote: Quote, *, actor: User | None) -> Quote:
    """Number the draft (series DE), start its validity and e-mail the signed link."""
    quote = lock(quote, related=JOINED)
    _require(quote, "send")
    today = timezone.localdate()
    quote.number = next_number(quote.office, series=Quote.SERIES, year=today.year)
    quote.state = S.SENT
    quote.sent_on = today
    quote.valid_until = today + datetime.timedelta(days=quote.valid_days)
    quote.sent_at = timezone.now()
    quote.sent_by = acting_user(actor)
    quote.save()
    email = directory_services.email_organisation(
        quote.organisation,
        template="quote_sent",
        context={"quote": quote, "lines": list(quote.lines.all()), "token": quote_token(quote)},
        actor=actor,
    )
    if email is None:
        raise BillingError(_(NO_ADDRESS), code="no_email")  # rolls the numbering back
    _record("quote.sent", quote, actor=actor, valid_until=quote.valid_until, email=email.pk)
    return quote


@transaction.atomic
def accept_quote(quote: Quote, *, user: User | None, ip: str | None, user_agent: str) -> Quote:
    """The partner accepts a sent quote before its validity ends; the evidence is kept."""
    quote = lock(quote, related=JOINED)
    _require(quote, "accept")
    quote.state = S.ACCEPTED
    _record_decision(quote, user=user, ip=ip, user_agent=user_agent)
    quote.save()
    _record(
        "quote.accepted",
        quote,
        actor=user,
        ip_address=quote.decided_ip,
        user_agent=quote.decided_user_agent,
    )
    return quote


@transaction.atomic
def decline_quote(
    quote: Quote, *, user: User | None, ip: str | None, user_agent: str, reason: str = ""
) -> Quote:
    """The partner declines a sent quote, with an optional reason."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise BillingError(_("Le motif ne peut dépasser 2 000 caractères."), field="reason")
    quote = lock(quote, related=JOINED)
    _require(quote, "decline")
    quote.state = S.DECLINED
    quote.decline_reason = reason
    _record_decision(quote, user=user, ip=ip, user_agent=user_agent)
    quote.save()
    _record(
        "quote.declined",
        quote,
        actor=user,
        ip_address=quote.decided_ip,
        reason=reason,
        user_agent=quote.decided_user_agent,
    )
    return quote


def expire_quotes(today: datetime.date | None = None) -> int:
    """Daily: sent quotes whose validity is over become expired. Safe to run twice: a quote
    already moved no longer matches, and each one is re-checked under its lock."""
    today = today or timezone.localdate()
    expired = 0
    due = Quote.objects.filter(state=S.SENT, valid_until__lt=today).order_by("pk")
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            quote = lock(Quote(pk=pk), related=JOINED)
            if quote.state == S.SENT and quote.valid_until < today:
                quote.state = S.EXPIRED
                quote.save(update_fields=["state", "updated_at"])
                _record("quote.expired", quote, actor=None, valid_until=quote.valid_until)
                expired += 1
    return expired


@transaction.atomic
def invoice_quote(quote: Quote, *, actor: User | None) -> Invoice:
    """Issue the invoice of an accepted quote, with its lines as quoted; once."""
    quote = lock(quote, related=JOINED)
    _require(quote, "invoice")
    lines = [
        amounts.LineInput(
            label=line.label,
            quantity=line.quantity,
            vat_rate=line.vat_rate,
            unit_price_ttc=line.unit_price_ttc,
            unit_price_ht=None if line.unit_price_ttc is not None else line.unit_price_ht,
            offer_id=line.offer_id,
        )
        for line in quote.lines.all()
    ]
    accepted_on = timezone.localtime(quote.decided_at).strftime("%d/%m/%Y")
    draft = _draft(
        quote.organisation,
        lines=lines,
        actor=actor,
        note=f"Selon le devis {quote.number} accepté le {accepted_on}.",
    )
    # One entry: the invoice's `invoice.issued`, which names the quote it comes from.
    invoice = _issue(draft, actor=actor, data={"quote": quote.number, "quote_id": quote.pk})
    quote.invoice = invoice
    quote.state = S.INVOICED
    quote.save(update_fields=["invoice", "state", "updated_at"])
    return invoice


__all__ = [
    "accept_quote",
    "create_quote_draft",
    "decline_quote",
    "expire_quotes",
    "invoice_quote",
    "quote_from_token",
    "quote_token",
    "send_quote",
]
