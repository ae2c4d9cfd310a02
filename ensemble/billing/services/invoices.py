"""Drafting, issuing and crediting invoices."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.audit import acting_user
from ensemble.core.models import Office
from ensemble.core.transactions import enqueue_on_commit
from ensemble.directory.models import Organisation
from ensemble.memberships import services as membership_services
from ensemble.memberships.models import Membership, Offer

from .. import amounts, selectors
from ..errors import BillingError
from ..models import BillingProfile, Invoice, InvoiceLine
from ..tasks import render_invoice_pdf
from .invoice_mail import queue_invoice_email
from .numbering import next_number

audit.register_actions(
    {
        "invoice.drafted": gettext_lazy("Facture en brouillon : %(total_ttc)s € TTC"),
        "credit_note.drafted": gettext_lazy("Avoir en brouillon : %(total_ttc)s € TTC"),
        "invoice.issued": gettext_lazy("Facture %(number)s émise : %(total_ttc)s € TTC"),
        "credit_note.issued": gettext_lazy(
            "Avoir %(number)s émis sur la facture %(credited_invoice)s : %(total_ttc)s € TTC "
            "(motif : %(reason)s)"
        ),
    }
)


def billing_profile(office: Office) -> BillingProfile:
    profile, _ = BillingProfile.objects.get_or_create(office=office)
    return profile


def seller_snapshot(office: Office) -> dict:
    """The seller's legal identity and billing terms as printed on the invoice (CGI art. 242
    nonies A), frozen at issue: a later change of the office's settings leaves the PDF as it was."""
    fields = [
        "name", "legal_name", "legal_form", "share_capital", "siret", "vat_number", "rcs",
        "address", "postcode", "city", "email", "phone", "iban", "bic", "cheque_payee",
    ]  # fmt: skip
    profile = billing_profile(office)
    return {
        **{field: getattr(office, field) for field in fields},
        "late_penalty_rate": str(profile.late_penalty_rate),
        "recovery_indemnity": str(profile.recovery_indemnity),
        "vat_on_debits": profile.vat_on_debits,
    }


def _check_seller_identity(office: Office, *, charges_vat: bool) -> None:
    """An invoice names its seller's legal identity (Code de commerce R123-237, CGI art. 242
    nonies A; EN 16931 BT-30/BT-31): the SIRET (its SIREN is BT-30), the VAT number when the
    invoice charges VAT, and the address. Without them nothing is issued, and the message links
    to the settings page where staff fill them in."""
    missing = []
    if not office.siret:
        missing.append(_("le SIRET"))
    if charges_vat and not office.vat_number:
        missing.append(_("le n° de TVA intracommunautaire"))
    if not (office.address and office.postcode and office.city):
        missing.append(_("l'adresse du siège"))
    if missing:
        url = reverse("backoffice:settings", kwargs={"office_slug": office.slug})
        raise BillingError(
            format_html(
                _(
                    "Avant d'émettre une facture, renseignez l'identité légale de l'office, "
                    "obligatoire sur toute facture (il manque {missing}) dans les "
                    '<a href="{url}">paramètres de l\'office</a>.'
                ),
                missing=", ".join(missing),
                url=url,
            ),
            code="seller_identity_missing",
        )


def check_lines(lines: list[amounts.LineInput], *, office_id: int, quote: bool = False) -> None:
    """The rules every invoice and quote line follows (French messages, field "lines")."""
    if not lines:
        empty = _("Un devis a au moins une ligne.") if quote else _("Une facture a au moins une ligne.")
        raise BillingError(empty, field="lines")
    for line in lines:
        if not line.label.strip():
            raise BillingError(_("Chaque ligne a une désignation."), field="lines")
        if line.quantity is None or line.quantity <= 0:
            raise BillingError(_("La quantité doit être positive."), field="lines")
        price = line.unit_price_ttc if line.unit_price_ttc is not None else line.unit_price_ht
        if price is None or price < 0:
            raise BillingError(_("Le prix unitaire doit être positif ou nul."), field="lines")
        if line.vat_rate is None or not Decimal(0) <= line.vat_rate <= Decimal(100):
            raise BillingError(_("Le taux de TVA est compris entre 0 et 100 %."), field="lines")
    offer_ids = {line.offer_id for line in lines if line.offer_id is not None}
    if Offer.objects.filter(office_id=office_id, pk__in=offer_ids).count() != len(offer_ids):
        raise BillingError(_("Cette prestation n'est pas au catalogue de l'office."), field="lines")


def _draft(
    organisation: Organisation,
    *,
    lines: list[amounts.LineInput],
    actor: User | None,
    membership: Membership | None = None,
    service_start: datetime.date | None = None,
    service_end: datetime.date | None = None,
    kind: str = Invoice.Kind.INVOICE,
    credited_invoice: Invoice | None = None,
    note: str = "",
    delivery_address: str = "",
) -> Invoice:
    """The draft and its lines, without an audit entry (the caller writes the one entry)."""
    check_lines(lines, office_id=organisation.office_id)
    computed = amounts.compute(lines)
    invoice = Invoice.objects.create(
        office_id=organisation.office_id,
        kind=kind,
        organisation=organisation,
        membership=membership,
        credited_invoice=credited_invoice,
        service_start=service_start,
        service_end=service_end,
        buyer_name=organisation.name,
        buyer_address=organisation.address,
        buyer_postcode=organisation.postcode,
        buyer_city=organisation.city,
        buyer_country=organisation.country or "FR",
        buyer_siren=organisation.siren,
        buyer_vat_number=organisation.vat_number,
        delivery_address=delivery_address[:300],
        total_ht=computed.total_ht,
        total_vat=computed.total_vat,
        total_ttc=computed.total_ttc,
        note=note,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=position,
            offer_id=line.source.offer_id,
            label=line.source.label[:250],
            quantity=line.source.quantity,
            unit_price_ht=line.unit_price_ht,
            vat_rate=line.source.vat_rate,
            total_ht=line.total_ht,
        )
        for position, line in enumerate(computed.lines)
    )
    return invoice


@transaction.atomic
def create_draft(
    organisation: Organisation,
    *,
    lines: list[amounts.LineInput],
    actor: User | None,
    membership: Membership | None = None,
    service_start: datetime.date | None = None,
    service_end: datetime.date | None = None,
    kind: str = Invoice.Kind.INVOICE,
    credited_invoice: Invoice | None = None,
    note: str = "",
    delivery_address: str = "",
) -> Invoice:
    """A draft (no number) with its lines; amounts are computed now and again at issue."""
    invoice = _draft(
        organisation,
        lines=lines,
        actor=actor,
        membership=membership,
        service_start=service_start,
        service_end=service_end,
        kind=kind,
        credited_invoice=credited_invoice,
        note=note,
        delivery_address=delivery_address,
    )
    audit.record(
        "credit_note.drafted" if kind == Invoice.Kind.CREDIT_NOTE else "invoice.drafted",
        actor=actor,
        office=organisation.office,
        target=invoice,
        organisation_id=organisation.pk,
        data={
            "kind": invoice.kind,
            "total_ht": invoice.total_ht,
            "total_ttc": invoice.total_ttc,
            "lines": len(lines),
            "membership": membership.pk if membership else None,
        },
    )
    return invoice


def payment_reference(number: str) -> str:
    """The ISO 11649 structured creditor reference ("RF" + check digits + the invoice number)
    that a bank transfer carries, so a bank statement line finds its invoice."""
    body = number.replace("-", "")
    check = 98 - int("".join(str(int(c, 36)) for c in body + "RF00")) % 97
    return f"RF{check:02d}{body}"


@transaction.atomic
def issue_invoice(invoice: Invoice, *, actor: User | None, payment: dict | None = None) -> Invoice:
    """Number, date and freeze a draft, in one transaction; the PDF follows after commit, and the
    e-mail that carries it to the partner.

    `payment` is money received with the order (`record_payment`'s arguments: method, amount,
    received_on, cheque_number…), recorded in the same transaction; when it pays the whole
    invoice, the invoice is issued « acquittée » and its PDF asks for nothing."""
    return _issue(invoice, actor=actor, payment=payment)


def _pays_in_full(invoice: Invoice, payment: dict | None) -> bool:
    amount = (payment or {}).get("amount")
    return (
        invoice.kind == Invoice.Kind.INVOICE
        and isinstance(amount, Decimal)
        and amount >= invoice.total_ttc > 0
    )


def _issue(
    invoice: Invoice, *, actor: User | None, data: dict | None = None, payment: dict | None = None
) -> Invoice:
    """Issue the draft and write its one entry (`invoice.issued` or `credit_note.issued`), with
    what the calling service adds to it (`data`: the membership, the quote, the reason); queue
    the PDF and the e-mail to the partner; record the `payment` received with it, if any."""
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("office", "credited_invoice")
        .get(pk=invoice.pk)
    )
    if invoice.is_issued:
        raise BillingError(_("La facture %(number)s est déjà émise.") % {"number": invoice.number})
    _check_seller_identity(invoice.office, charges_vat=invoice.total_vat != 0)
    today = timezone.localdate()
    profile = billing_profile(invoice.office)
    series = Invoice.SERIES[invoice.kind]
    invoice.number = next_number(invoice.office, series=series, year=today.year)
    invoice.state = Invoice.State.ISSUED
    invoice.issue_date = today
    invoice.due_date = today + datetime.timedelta(days=profile.payment_terms_days)
    invoice.seller = seller_snapshot(invoice.office)
    invoice.payment_reference = payment_reference(invoice.number)
    invoice.issued_at = timezone.now()
    invoice.issued_by = acting_user(actor)
    if _pays_in_full(invoice, payment):  # checked by record_payment below, or all rolls back
        invoice.paid_at_issue_on = payment["received_on"]
        invoice.paid_at_issue_method = payment["method"]
    invoice.save(_issuing=True)
    email = queue_invoice_email(invoice)
    credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
    audit.record(
        "credit_note.issued" if credit_note else "invoice.issued",
        actor=actor,
        office=invoice.office,
        target=invoice,
        organisation_id=invoice.organisation_id,
        data={
            "number": invoice.number,
            "total_ht": invoice.total_ht,
            "total_vat": invoice.total_vat,
            "total_ttc": invoice.total_ttc,
            "due_date": invoice.due_date,
            "membership": invoice.membership_id,
            **(
                {"credited_invoice": invoice.credited_invoice.number, "reason": invoice.note}
                if credit_note
                else {}
            ),
            "email": email.pk if email else None,
            **({"paid_at_issue": invoice.paid_at_issue_method} if invoice.is_paid_at_issue else {}),
            **(data or {}),
        },
    )
    enqueue_on_commit(render_invoice_pdf, invoice.pk, office=invoice.office_id)
    if payment is not None:
        from .payments import record_payment

        record_payment(invoice, actor=actor, **payment)
    return invoice


def membership_lines(membership: Membership) -> list[amounts.LineInput]:
    """The priced lines of a membership (on-quote options wait for their quote)."""
    return [
        amounts.LineInput(
            label=f"{line.offer.name} — saison {membership.season.year}{_prorata_label(membership, line)}",
            quantity=Decimal(line.quantity),
            vat_rate=line.offer.vat_rate,
            unit_price_ttc=line.unit_price_ttc,
            offer_id=line.offer_id,
        )
        for line in membership.lines.select_related("offer")
        if line.unit_price_ttc is not None
    ]


def _prorata_label(membership: Membership, line) -> str:
    """« , prorata temporis du 07/06/2022 au 31/12/2022 (208/365 jours) » for a pack taken late
    under the prorata rule (memberships.pricing); the unit price is already the prorated one."""
    if not line.prorata_days:
        return ""
    start = membership.season.ends_on - datetime.timedelta(days=line.prorata_days - 1)
    return (
        f", prorata temporis du {start:%d/%m/%Y} au {membership.season.ends_on:%d/%m/%Y} "
        f"({line.prorata_days}/{membership.season.days} jours)"
    )


def _place_of_service(membership: Membership) -> str:
    """The establishment's address when it differs from the billing address (a mention required
    on invoices from September 2026)."""
    place = membership.establishment
    organisation = membership.organisation
    if place is None:
        return ""
    where = f"{place.address}, {place.postcode} {place.city}"
    billed = f"{organisation.address}, {organisation.postcode} {organisation.city}"
    return "" if where.casefold() == billed.casefold() else f"{place.name}, {where}"


@transaction.atomic
def invoice_membership(
    membership: Membership, *, actor: User | None, payment: dict | None = None
) -> Invoice | None:
    """Issue the membership's invoice (pack and priced options), once; `payment` as for
    `issue_invoice` (a cheque that came with the bulletin)."""
    existing = Invoice.objects.filter(
        membership=membership, kind=Invoice.Kind.INVOICE, state=Invoice.State.ISSUED
    ).first()
    if existing is not None:
        if payment is not None:
            from .payments import record_payment

            record_payment(existing, actor=actor, **payment)
        return existing
    lines = membership_lines(membership)
    if not lines:
        return None
    draft = _draft(
        membership.organisation,
        lines=lines,
        actor=actor,
        membership=membership,
        # From the day the membership starts (a late or early start: issue 12, A10).
        service_start=membership.service_start,
        service_end=membership.season.ends_on,
        delivery_address=_place_of_service(membership),
    )
    return _issue(draft, actor=actor, payment=payment)


@transaction.atomic
def credit_invoice(
    invoice: Invoice,
    *,
    actor: User,
    reason: str,
    lines: list[amounts.LineInput] | None = None,
) -> Invoice:
    """Issue a credit note against an issued invoice: whole (no `lines`) or partial."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_issued or invoice.kind != Invoice.Kind.INVOICE:
        raise BillingError(_("Un avoir ne porte que sur une facture émise."))
    if not reason.strip():
        raise BillingError(_("Le motif de l'avoir est obligatoire."), field="reason")
    if lines is None:
        lines = [
            amounts.LineInput(
                label=line.label,
                quantity=line.quantity,
                vat_rate=line.vat_rate,
                unit_price_ht=line.unit_price_ht,
                offer_id=line.offer_id,
            )
            for line in invoice.lines.all()
        ]
    remaining = invoice.total_ttc - selectors.credited_total(invoice)
    computed = amounts.compute(lines)
    if computed.total_ttc > remaining:
        raise BillingError(
            _("L'avoir (%(credit)s €) dépasse ce qui reste de la facture (%(remaining)s €).")
            % {"credit": computed.total_ttc, "remaining": remaining}
        )
    draft = _draft(
        invoice.organisation,
        lines=lines,
        actor=actor,
        membership=invoice.membership,
        kind=Invoice.Kind.CREDIT_NOTE,
        credited_invoice=invoice,
        service_start=invoice.service_start,
        service_end=invoice.service_end,
        note=f"Avoir sur la facture {invoice.number} : {reason.strip()}",
    )
    return _issue(draft, actor=actor, data={"reason": reason.strip()})


__all__ = [
    "accept_and_invoice",
    "billing_profile",
    "create_draft",
    "credit_invoice",
    "invoice_membership",
    "issue_invoice",
    "membership_lines",
    "payment_reference",
    "seller_snapshot",
]


@transaction.atomic
def accept_and_invoice(
    membership: Membership, *, actor: User, cheque: dict | None = None
) -> tuple[Membership, Invoice | None]:
    """Staff validate a request: the membership is accepted and its invoice issued together
    (the partner guide's step 5, "Réceptionnez votre facture"). A cheque that came with the
    bulletin (`cheque`: amount, cheque_number, bank, received_on) is recorded on it at once.

    One action, one e-mail about the membership (issue 12, A4): with a cheque, the invoice is
    issued and the cheque recorded first, then `accept_membership` validates the request,
    activates it if it is settled and chooses its one e-mail from that final state (« active »,
    not « validée, active dès réception du règlement » then « active »). A refusal rolls
    everything back. Without one, the acceptance and then its invoice."""
    if not cheque:
        membership = membership_services.accept_membership(membership, actor=actor)
        return membership, invoice_membership(membership, actor=actor)
    invoice = invoice_membership(membership, actor=actor, payment={"method": "cheque", **cheque})
    return membership_services.accept_membership(membership, actor=actor), invoice
