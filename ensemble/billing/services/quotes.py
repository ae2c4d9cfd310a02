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

from ensemble.accounts.models import User
from ensemble.core.audit import acting_user
from ensemble.core.models import Office
from ensemble.core.transactions import lock
from ensemble.directory import services as directory_services
from ensemble.directory.models import Organisation, TimelineEntry

from .. import amounts
from ..errors import BillingError
from ..models import Invoice
from ..quotes import Quote, QuoteLine
from .invoices import check_lines, create_draft, issue_invoice
from .numbering import next_number

TOKEN_SALT = "ensemble.quote"  # noqa: S105 — a signing salt, not a secret
MAX_VALID_DAYS = 365
MAX_REASON_LENGTH = 2000
S = Quote.State
# Every change reloads the quote under its row lock (`lock(quote, related=JOINED)`), so two clicks
# cannot both move it. The invoice is not joined: a row another transaction created while we
# waited for the lock is invisible to this statement's snapshot, so it is read afterwards, lazily.
JOINED = ("office", "organisation")

INVALID_LINK = (
    "Ce lien de devis n'est pas valide : il a peut-être été mal copié. Utilisez le lien complet "
    "reçu par e-mail, ou contactez l'Office."
)
NO_ADDRESS = (
    "L'organisation n'a pas d'adresse e-mail : ajoutez-en une (ou un contact) avant d'envoyer le devis."
)
STATE_PHRASES = {
    S.DRAFT: "encore un brouillon",
    S.SENT: "en attente de réponse",
    S.ACCEPTED: "déjà accepté",
    S.DECLINED: "refusé",
    S.EXPIRED: "expiré",
    S.INVOICED: "déjà facturé",
}
REFUSALS = {
    "send": "Ce devis ne peut plus être envoyé : il est {phrase}.",
    "accept": "Ce devis ne peut pas être accepté : il est {phrase}.",
    "decline": "Ce devis ne peut pas être refusé : il est {phrase}.",
    "invoice": "Seul un devis accepté se transforme en facture : celui-ci est {phrase}.",
}


# --- The signed link ----------------------------------------------------------------------------


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=TOKEN_SALT)


def quote_token(quote: Quote) -> str:
    """The token of the link sent to the partner (a sent quote has a number)."""
    if quote.number is None:
        raise BillingError("Un devis en brouillon n'a pas encore de lien.")
    return _signer().sign_object({"q": quote.pk, "n": quote.number})


def expired_message(quote: Quote) -> str:
    until = quote.valid_until.strftime("%d/%m/%Y") if quote.valid_until else "—"
    return (
        f"Ce devis était valable jusqu'au {until} : le délai est dépassé. "
        "Contactez l'Office pour en recevoir un nouveau."
    )


def quote_from_token(office: Office, token: str) -> Quote:
    """The quote a link points at, in `office`.

    BillingError with code "tampered" if the signature or its content does not hold, "expired"
    if the quote can no longer be decided because its validity is over. A quote already decided
    is returned whatever the date, so its link keeps showing what was decided."""
    try:
        data = _signer().unsign_object(token)
    except signing.BadSignature:
        raise BillingError(INVALID_LINK, code="tampered") from None
    pk, number = (data.get("q"), data.get("n")) if isinstance(data, dict) else (None, None)
    if not isinstance(pk, int) or not isinstance(number, str):
        raise BillingError(INVALID_LINK, code="tampered")
    quote = (
        Quote.objects.filter(office=office, pk=pk, number=number)
        .select_related("organisation", "office", "invoice", "decided_by")
        .prefetch_related("lines")
        .first()
    )
    if quote is None:
        raise BillingError(INVALID_LINK, code="tampered")
    if quote.state == S.EXPIRED or quote.is_past_validity():
        raise BillingError(expired_message(quote), code="expired")
    return quote


# --- Helpers ------------------------------------------------------------------------------------


def _require(quote: Quote, action: str) -> None:
    """Refuse an action the quote's state does not allow, with a French message."""
    if action in ("accept", "decline") and (quote.state == S.EXPIRED or quote.is_past_validity()):
        raise BillingError(expired_message(quote), code="expired")
    if action == "invoice" and quote.state == S.INVOICED:
        raise BillingError(f"Ce devis est déjà facturé ({quote.invoice.number}).", code="state")
    refusal = REFUSALS[action].format(phrase=STATE_PHRASES[quote.state])
    Quote.TRANSITIONS.check(quote.state, action, refusal, code="state")


def _clean_ip(ip: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


def _record_decision(quote: Quote, *, user: User | None, ip: str | None, user_agent: str) -> str:
    """Write who decided, when, from where; return the evidence as a sentence for the timeline."""
    quote.decided_at = timezone.now()
    quote.decided_by = acting_user(user)
    quote.decided_ip = _clean_ip(ip)
    quote.decided_user_agent = (user_agent or "")[:500]
    who = quote.decided_by.email if quote.decided_by else "lien reçu par e-mail"
    return f"Par : {who} — IP : {quote.decided_ip or 'inconnue'} — navigateur : {quote.decided_user_agent}"


def _timeline(quote: Quote, summary: str, *, actor: User | None, body: str = "") -> None:
    directory_services.record_timeline(
        quote.organisation, kind=TimelineEntry.Kind.STATUS, summary=summary, body=body, actor=actor
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
    check_lines(lines, office_id=organisation.office_id, document="Un devis")
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise BillingError(
            f"La durée de validité d'un devis est de 1 à {MAX_VALID_DAYS} jours.", field="valid_days"
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
    directory_services.record_timeline(
        organisation,
        kind=TimelineEntry.Kind.UPDATE,
        summary=f"Devis en brouillon : {quote.total_ttc} € TTC",
        actor=actor,
    )
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
    until = quote.valid_until.strftime("%d/%m/%Y")
    _timeline(
        quote, f"Devis {quote.number} envoyé : {quote.total_ttc} € TTC, valable jusqu'au {until}", actor=actor
    )
    email = directory_services.email_organisation(
        quote.organisation,
        template="quote_sent",
        context={"quote": quote, "lines": list(quote.lines.all()), "token": quote_token(quote)},
        actor=actor,
    )
    if email is None:
        raise BillingError(NO_ADDRESS, code="no_email")  # rolls the numbering back
    return quote


@transaction.atomic
def accept_quote(quote: Quote, *, user: User | None, ip: str | None, user_agent: str) -> Quote:
    """The partner accepts a sent quote before its validity ends; the evidence is kept."""
    quote = lock(quote, related=JOINED)
    _require(quote, "accept")
    quote.state = S.ACCEPTED
    evidence = _record_decision(quote, user=user, ip=ip, user_agent=user_agent)
    quote.save()
    _timeline(quote, f"Devis {quote.number} accepté ({quote.total_ttc} € TTC)", actor=user, body=evidence)
    return quote


@transaction.atomic
def decline_quote(
    quote: Quote, *, user: User | None, ip: str | None, user_agent: str, reason: str = ""
) -> Quote:
    """The partner declines a sent quote, with an optional reason."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise BillingError("Le motif ne peut dépasser 2 000 caractères.", field="reason")
    quote = lock(quote, related=JOINED)
    _require(quote, "decline")
    quote.state = S.DECLINED
    quote.decline_reason = reason
    evidence = _record_decision(quote, user=user, ip=ip, user_agent=user_agent)
    quote.save()
    body = f"Motif : {reason}\n{evidence}" if reason else evidence
    _timeline(quote, f"Devis {quote.number} refusé", actor=user, body=body)
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
                until = quote.valid_until.strftime("%d/%m/%Y")
                _timeline(quote, f"Devis {quote.number} expiré (valable jusqu'au {until})", actor=None)
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
    draft = create_draft(
        quote.organisation,
        lines=lines,
        actor=actor,
        note=f"Selon le devis {quote.number} accepté le {accepted_on}.",
    )
    invoice = issue_invoice(draft, actor=actor)
    quote.invoice = invoice
    quote.state = S.INVOICED
    quote.save(update_fields=["invoice", "state", "updated_at"])
    _timeline(quote, f"Devis {quote.number} facturé : facture {invoice.number}", actor=actor)
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
