"""Billing beyond what the memberships produced: a free invoice left unpaid (so its reminders go
out), a credit note, and an overpayment kept as a customer credit. Replayed on their days, once."""

import datetime
from decimal import Decimal

from ensemble.billing import services as billing_services
from ensemble.billing.amounts import LineInput
from ensemble.billing.models import Invoice
from ensemble.billing.services import quotes as quote_services
from ensemble.billing.services.reminders import send_invoice_reminders
from ensemble.directory.models import Organisation
from ensemble.memberships.models import Membership, Offer

from .clock import on
from .offices import DEMO_DAY, SEASON_YEAR

MARKER = "Démo : pack photos facturé à part"
GESTURE = LineInput("Geste commercial", Decimal(1), Decimal(20), unit_price_ttc=Decimal("10.00"))


def _first_active(office) -> Membership | None:
    return (
        Membership.objects.filter(office=office, season__year=SEASON_YEAR, status="active")
        .select_related("organisation")
        .order_by("id")
        .first()
    )


def _unpaid_photo_invoice(context) -> Invoice | None:
    """A photo pack invoiced in spring and never paid: the reminders of +15 and +30 days."""
    membership = _first_active(context.office)
    if membership is None:
        return None
    offer = Offer.objects.get(season__office=context.office, season__year=SEASON_YEAR, code="photos-10")
    issue_day = min(datetime.date(SEASON_YEAR, 4, 2), DEMO_DAY)
    with on(issue_day):
        draft = billing_services.create_draft(
            membership.organisation,
            lines=[
                LineInput(
                    offer.name, Decimal(1), offer.vat_rate, unit_price_ttc=offer.price_ttc, offer_id=offer.pk
                )
            ],
            actor=context.actors.administration,
            note=MARKER,
        )
        invoice = billing_services.issue_invoice(draft, actor=context.actors.administration)
    for late_by in (15, 30):
        day = invoice.due_date + datetime.timedelta(days=late_by)
        if day <= DEMO_DAY:
            with on(day, hour=6):
                send_invoice_reminders(today=day)
    return invoice


def _credit_note_and_overpayment(context) -> None:
    """Staff typed 2 people instead of 1 for a training: a partial credit note; and a partner
    who paid 100 € for a 90 € pack keeps 10 € as a credit."""
    invoices = Invoice.objects.filter(
        office=context.office, kind="invoice", state="issued", membership__status="awaiting_payment"
    ).order_by("id")
    target = invoices.first()
    if target is not None:
        with on(min(target.issue_date + datetime.timedelta(days=3), DEMO_DAY)):
            billing_services.credit_invoice(
                target,
                actor=context.actors.administration,
                reason="Geste commercial : frais de dossier offerts",
                lines=[
                    LineInput("Geste commercial", Decimal(1), Decimal(20), unit_price_ttc=Decimal("10.00"))
                ],
            )
    second = invoices.exclude(pk=getattr(target, "pk", None)).first()
    if second is not None:
        with on(min(second.issue_date + datetime.timedelta(days=5), DEMO_DAY)):
            billing_services.record_payment(
                second,
                actor=context.actors.administration,
                method="transfer",
                amount=billing_services.outstanding(second) + Decimal("10.00"),
                received_on=min(second.issue_date + datetime.timedelta(days=5), DEMO_DAY),
                transfer_reference=f"VIR {second.payment_reference}",
            )


QUOTE_STORIES = [
    # (offer code, label, price TTC, what happens, days after the quote is sent)
    ("evenementiel", "Accompagnement du festival des marais", "1200.00", "invoiced", 6),
    ("gamification", "Création d'un jeu de piste dans l'établissement", "850.00", "accepted", 4),
    ("evenementiel", "Billetterie d'un concert de printemps", "400.00", "declined", 9),
    ("gamification", "Adaptation d'une visite en énigmes", "600.00", "expired", 0),
    ("evenementiel", "Soirée dégustation de bières locales", "300.00", "sent", 0),
    ("gamification", "Escape game itinérant (à chiffrer)", "950.00", "draft", 0),
]
EVIDENCE = {"ip": "192.0.2.44", "user_agent": "Démo Ensemble"}


def _quote_story(context, organisation, story, sent_on: datetime.date) -> None:
    code, label, price, outcome, days = story
    offer = Offer.objects.get(season__office=context.office, season__year=SEASON_YEAR, code=code)
    line = LineInput(label, Decimal(1), offer.vat_rate, unit_price_ttc=Decimal(price), offer_id=offer.pk)
    actor = context.actors.partners
    with on(sent_on):
        quote = quote_services.create_quote_draft(organisation, lines=[line], actor=actor, valid_days=30)
        if outcome == "draft":
            return
        quote = quote_services.send_quote(quote, actor=actor)
    decided_on = min(sent_on + datetime.timedelta(days=days), DEMO_DAY)
    with on(decided_on, hour=17):
        if outcome in ("accepted", "invoiced"):
            quote = quote_services.accept_quote(quote, user=None, **EVIDENCE)
        elif outcome == "declined":
            quote_services.decline_quote(
                quote, user=None, reason="Budget reporté à l'an prochain", **EVIDENCE
            )
        if outcome == "invoiced":
            quote_services.invoice_quote(quote, actor=actor)
    if outcome == "expired":
        day = quote.valid_until + datetime.timedelta(days=1)
        if day <= DEMO_DAY:
            with on(day, hour=5):
                quote_services.expire_quotes(today=day)


def _quotes(context) -> None:
    """Quotes in every state for the on-quote packs (gamification, événementiel)."""
    organisations = list(
        Organisation.objects.filter(office=context.office, memberships__status="active").order_by("id")[:6]
    )
    for index, (organisation, story) in enumerate(zip(organisations, QUOTE_STORIES, strict=False)):
        sent_on = min(datetime.date(SEASON_YEAR, 3, 1) + datetime.timedelta(days=20 * index), DEMO_DAY)
        if story[3] in ("sent", "draft"):
            sent_on = DEMO_DAY
        _quote_story(context, organisation, story, sent_on)


def load_billing(contexts) -> bool:
    """Once per database: the marker invoice tells a second run it is already there."""
    if Invoice.objects.filter(note=MARKER).exists():
        return False
    for context in contexts:
        if not Organisation.objects.filter(office=context.office).exists():
            continue
        _unpaid_photo_invoice(context)
        _credit_note_and_overpayment(context)
        _quotes(context)
    return True
