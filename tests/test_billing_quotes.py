"""Quotes (devis): compose, send (numbered, e-mailed with a signed link), accept, decline,
expire, invoice once; every forbidden transition refused in French with nothing written."""

import collections
import contextlib
import datetime
import re
import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core import mail, signing
from django.db import connection

from ensemble.billing import services
from ensemble.billing.amounts import LineInput
from ensemble.billing.errors import BillingError
from ensemble.billing.models import Invoice, Quote
from ensemble.billing.services import invoices as invoice_services
from ensemble.billing.services import quotes as quote_services
from ensemble.billing.tasks import expire_quotes_task
from ensemble.core.models import AuditEntry

from .concurrency import require_postgresql, run_in_threads
from .conftest import SEASON_DAY, offer
from .factories import ContactFactory, OrganisationFactory, UserFactory

S = Quote.State
EXPIRED_MESSAGE = (
    "Ce devis était valable jusqu'au 27/01/2023 : le délai est dépassé. "
    "Contactez l'Office pour en recevoir un nouveau."
)
AFTER_VALIDITY = SEASON_DAY + datetime.timedelta(days=31)  # 28/01/2023, the day after valid_until


def quote_rows() -> dict[str, int]:
    labels = [
        "billing.Quote",
        "billing.QuoteLine",
        "billing.Invoice",
        "billing.InvoiceLine",
        "billing.NumberCounter",
        "core.OutboundEmail",
        "core.AuditEntry",
    ]
    return {label: apps.get_model(label).objects.count() for label in labels}


def snapshot(quote: Quote) -> dict:
    fields = ["state", "number", "valid_until", "decided_at", "decided_by_id", "decided_ip", "invoice_id"]
    quote = Quote.objects.get(pk=quote.pk)
    return {field: getattr(quote, field) for field in fields}


@contextlib.contextmanager
def refused(message: str, quote: Quote | None = None):
    """The block raises BillingError with this message, and changes neither rows nor the quote."""
    before, state = quote_rows(), snapshot(quote) if quote else None
    with pytest.raises(BillingError) as info:
        yield info
    assert info.value.message == message
    assert quote_rows() == before
    if quote is not None:
        assert snapshot(quote) == state


@pytest.fixture
def organisation(office):
    organisation = OrganisationFactory(office=office, name="SARL Les Jardins du Haut-Pont")
    ContactFactory(organisation=organisation, first_name="Inès", email="ines@haut-pont.example")
    return organisation


@pytest.fixture
def lines(season):
    gamification = offer(season, "gamification")
    return [
        LineInput(
            label=gamification.name,
            quantity=Decimal("1"),
            vat_rate=Decimal("20"),
            unit_price_ttc=Decimal("1200.00"),
            offer_id=gamification.pk,
        ),
        LineInput(
            label="Atelier de co-création (demi-journée)",
            quantity=Decimal("2"),
            vat_rate=Decimal("20"),
            unit_price_ht=Decimal("150.00"),
        ),
    ]


@pytest.fixture
def draft(organisation, lines, staff_user):
    return services.create_quote_draft(organisation, lines=lines, actor=staff_user)


@pytest.fixture
def sent(draft, staff_user):
    return services.send_quote(draft, actor=staff_user)


PARTNER_EVIDENCE = {"ip": "198.51.100.7", "user_agent": "Mozilla/5.0 (pytest)"}


@pytest.fixture
def accepted(sent):
    return services.accept_quote(sent, user=None, **PARTNER_EVIDENCE)


# --- Draft ----------------------------------------------------------------------------------------


def test_draft_has_lines_and_totals_but_no_number(draft, organisation):
    assert (draft.state, draft.number, draft.valid_until, draft.valid_days) == (S.DRAFT, None, None, 30)
    # 1 200 TTC at 20 % → 1 000 HT; plus 2 × 150 HT = 300 HT; VAT 20 % on 1 300 = 260.
    assert (draft.total_ht, draft.total_vat, draft.total_ttc) == (
        Decimal("1300.00"),
        Decimal("260.00"),
        Decimal("1560.00"),
    )
    lines = list(draft.lines.all())
    assert [(line.unit_price_ttc, line.total_ht) for line in lines] == [
        (Decimal("1200.00"), Decimal("1000.00")),
        (None, Decimal("300.00")),
    ]
    assert lines[0].offer.pricing_mode == "on_quote"
    assert AuditEntry.objects.filter(action="quote.drafted", organisation_id=organisation.pk).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lines": []}, "Un devis a au moins une ligne."),
        ({"valid_days": 0}, "La durée de validité d'un devis est de 1 à 365 jours."),
        ({"valid_days": 366}, "La durée de validité d'un devis est de 1 à 365 jours."),
        (
            {"lines": [LineInput(" ", Decimal(1), Decimal(20), unit_price_ttc=Decimal(10))]},
            "Chaque ligne a une désignation.",
        ),
        (
            {"lines": [LineInput("Atelier", Decimal(0), Decimal(20), unit_price_ttc=Decimal(10))]},
            "La quantité doit être positive.",
        ),
        (
            {"lines": [LineInput("Atelier", Decimal(1), Decimal(20), unit_price_ttc=Decimal(-1))]},
            "Le prix unitaire doit être positif ou nul.",
        ),
        (
            {"lines": [LineInput("Atelier", Decimal(1), Decimal(120), unit_price_ttc=Decimal(10))]},
            "Le taux de TVA est compris entre 0 et 100 %.",
        ),
    ],
)
def test_draft_bad_input_is_refused(organisation, lines, staff_user, change, message):
    kwargs = {"lines": lines, "actor": staff_user, **change}
    with refused(message):
        services.create_quote_draft(organisation, **kwargs)


def test_draft_refuses_another_office_offer(organisation, staff_user, other_season):
    elsewhere = offer(other_season, "gamification")
    line = LineInput(
        "Pack gamification", Decimal(1), Decimal(20), unit_price_ttc=Decimal(500), offer_id=elsewhere.pk
    )
    with refused("Cette prestation n'est pas au catalogue de l'office."):
        services.create_quote_draft(organisation, lines=[line], actor=staff_user)


# --- Sending ------------------------------------------------------------------------------------


def test_send_numbers_dates_and_emails_a_working_link(
    draft, staff_user, office, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        quote = services.send_quote(draft, actor=staff_user)
    assert (quote.state, quote.number) == (S.SENT, "DE-2022-00001")
    assert (quote.sent_on, quote.valid_until) == (datetime.date(2022, 12, 28), datetime.date(2023, 1, 27))
    assert quote.sent_by == staff_user
    [message] = mail.outbox
    assert message.to == ["ines@haut-pont.example"]
    assert "DE-2022-00001" in message.subject
    assert "27/01/2023" in message.body and "1560,00" in message.body
    html = message.alternatives[0][0]
    assert "Accepter ou refuser le devis en ligne" in html
    link = re.search(rf"{re.escape(settings.SITE_URL)}(/{office.slug}/devis/[^/\s]+/)", message.body)
    assert link is not None
    page = client.get(link.group(1))
    assert page.status_code == 200
    assert "DE-2022-00001" in page.content.decode()
    assert services.quote_from_token(office, services.quote_token(quote)) == quote
    entry = AuditEntry.objects.get(action="quote.sent", organisation_id=quote.organisation_id)
    assert entry.data["email"] is not None and entry.data["valid_until"] == "2023-01-27"


def test_quotes_have_their_own_continuous_series(organisation, lines, staff_user):
    numbers = []
    for _ in range(3):
        quote = services.create_quote_draft(organisation, lines=lines, actor=staff_user)
        numbers.append(services.send_quote(quote, actor=staff_user).number)
    assert numbers == ["DE-2022-00001", "DE-2022-00002", "DE-2022-00003"]
    # the invoice series is untouched
    assert not Invoice.objects.exists()


def test_sending_twice_is_refused(sent, staff_user):
    with refused("Ce devis ne peut plus être envoyé : il est en attente de réponse.", sent):
        services.send_quote(sent, actor=staff_user)


def test_sending_without_any_address_is_refused_and_gives_the_number_back(office, lines, staff_user):
    organisation = OrganisationFactory(office=office, email="")
    quote = services.create_quote_draft(organisation, lines=lines, actor=staff_user)
    with refused(
        "L'organisation n'a pas d'adresse e-mail : ajoutez-en une (ou un contact) avant d'envoyer le devis.",
        quote,
    ):
        services.send_quote(quote, actor=staff_user)
    organisation.email = "accueil@estaminet.example"
    organisation.save()
    assert services.send_quote(quote, actor=staff_user).number == "DE-2022-00001"


# --- Accepting and declining ----------------------------------------------------------------------


def test_accept_records_who_when_and_where(sent, organisation):
    partner = UserFactory(email="ines@haut-pont.example")
    quote = services.accept_quote(sent, user=partner, **PARTNER_EVIDENCE)
    quote.refresh_from_db()
    assert quote.state == S.ACCEPTED
    assert (quote.decided_by, quote.decided_ip, quote.decided_user_agent) == (
        partner,
        "198.51.100.7",
        "Mozilla/5.0 (pytest)",
    )
    assert quote.decided_at is not None
    entry = AuditEntry.objects.get(action="quote.accepted", organisation_id=organisation.pk)
    assert (entry.ip_address, entry.actor, entry.data["number"]) == ("198.51.100.7", partner, "DE-2022-00001")
    assert entry.data["user_agent"] == "Mozilla/5.0 (pytest)"


def test_accept_by_link_without_login_keeps_no_user(accepted):
    accepted.refresh_from_db()
    assert accepted.decided_by is None and accepted.decided_ip == "198.51.100.7"


def test_decline_with_a_reason(sent):
    quote = services.decline_quote(sent, user=None, reason="  Budget reporté à 2023.  ", **PARTNER_EVIDENCE)
    quote.refresh_from_db()
    assert (quote.state, quote.decline_reason, quote.decided_ip) == (
        S.DECLINED,
        "Budget reporté à 2023.",
        "198.51.100.7",
    )


def test_decline_reason_too_long_is_refused(sent):
    with refused("Le motif ne peut dépasser 2 000 caractères.", sent):
        services.decline_quote(sent, user=None, reason="x" * 2001, **PARTNER_EVIDENCE)


def test_an_unusable_ip_is_stored_as_unknown(sent):
    quote = services.accept_quote(sent, user=None, ip="not-an-ip", user_agent="")
    quote.refresh_from_db()
    assert quote.state == S.ACCEPTED and quote.decided_ip is None


def test_a_draft_cannot_be_decided(draft):
    with refused("Ce devis ne peut pas être accepté : il est encore un brouillon.", draft):
        services.accept_quote(draft, user=None, **PARTNER_EVIDENCE)
    with refused("Ce devis ne peut pas être refusé : il est encore un brouillon.", draft):
        services.decline_quote(draft, user=None, **PARTNER_EVIDENCE)


def test_an_accepted_quote_cannot_be_accepted_again_nor_declined(accepted):
    with refused("Ce devis ne peut pas être accepté : il est déjà accepté.", accepted):
        services.accept_quote(accepted, user=None, **PARTNER_EVIDENCE)
    with refused("Ce devis ne peut pas être refusé : il est déjà accepté.", accepted):
        services.decline_quote(accepted, user=None, **PARTNER_EVIDENCE)


def test_a_declined_quote_cannot_be_accepted_nor_invoiced(sent, staff_user):
    declined = services.decline_quote(sent, user=None, **PARTNER_EVIDENCE)
    with refused("Ce devis ne peut pas être accepté : il est refusé.", declined):
        services.accept_quote(declined, user=None, **PARTNER_EVIDENCE)
    with refused("Seul un devis accepté se transforme en facture : celui-ci est refusé.", declined):
        services.invoice_quote(declined, actor=staff_user)


def test_past_its_validity_a_quote_cannot_be_decided_even_before_the_job(sent):
    with time_machine.travel(AFTER_VALIDITY):
        with refused(EXPIRED_MESSAGE, sent) as info:
            services.accept_quote(sent, user=None, **PARTNER_EVIDENCE)
        assert info.value.code == "expired"
        with refused(EXPIRED_MESSAGE, sent):
            services.decline_quote(sent, user=None, **PARTNER_EVIDENCE)


def test_on_its_last_day_a_quote_can_still_be_accepted(sent):
    with time_machine.travel(SEASON_DAY + datetime.timedelta(days=30)):  # 27/01/2023
        assert services.accept_quote(sent, user=None, **PARTNER_EVIDENCE).state == S.ACCEPTED


# --- Expiry ------------------------------------------------------------------------------------


def test_expire_job_is_idempotent(sent, accepted_elsewhere, office):
    assert services.expire_quotes(datetime.date(2023, 1, 27)) == 0  # the last valid day
    assert services.expire_quotes(datetime.date(2023, 1, 28)) == 1
    assert services.expire_quotes(datetime.date(2023, 1, 28)) == 0
    sent.refresh_from_db()
    accepted_elsewhere.refresh_from_db()
    assert sent.state == S.EXPIRED
    assert accepted_elsewhere.state == S.ACCEPTED  # decided quotes never expire
    assert AuditEntry.objects.filter(action="quote.expired", actor=None).count() == 1


@pytest.fixture
def accepted_elsewhere(organisation, lines, staff_user):
    quote = services.create_quote_draft(organisation, lines=lines, actor=staff_user)
    quote = services.send_quote(quote, actor=staff_user)
    return services.accept_quote(quote, user=None, **PARTNER_EVIDENCE)


def test_the_daily_task_expires_and_is_listed_in_the_schedule(sent):
    assert "ensemble.billing.tasks.expire_quotes_task" in settings.DAILY_TASKS
    with time_machine.travel(AFTER_VALIDITY):
        expire_quotes_task.enqueue()
        expire_quotes_task.enqueue()
    sent.refresh_from_db()
    assert sent.state == S.EXPIRED


def test_an_expired_quote_cannot_be_decided_nor_invoiced(sent, staff_user):
    services.expire_quotes(datetime.date(2023, 1, 28))
    sent.refresh_from_db()
    with refused(EXPIRED_MESSAGE, sent):
        services.accept_quote(sent, user=None, **PARTNER_EVIDENCE)
    with refused("Seul un devis accepté se transforme en facture : celui-ci est expiré.", sent):
        services.invoice_quote(sent, actor=staff_user)
    with refused("Ce devis ne peut plus être envoyé : il est expiré.", sent):
        services.send_quote(sent, actor=staff_user)


# --- Invoicing ------------------------------------------------------------------------------------


def test_invoice_quote_issues_one_invoice_with_the_quoted_amounts(accepted, staff_user, organisation):
    invoice = services.invoice_quote(accepted, actor=staff_user)
    accepted.refresh_from_db()
    assert accepted.state == S.INVOICED and accepted.invoice == invoice
    assert (invoice.number, invoice.organisation, invoice.is_issued) == ("FA-2022-00001", organisation, True)
    assert (invoice.total_ht, invoice.total_vat, invoice.total_ttc) == (
        accepted.total_ht,
        accepted.total_vat,
        accepted.total_ttc,
    )
    assert [(line.label, line.quantity, line.total_ht) for line in invoice.lines.all()] == [
        (line.label, line.quantity, line.total_ht) for line in accepted.lines.all()
    ]
    assert "DE-2022-00001" in invoice.note
    with refused("Ce devis est déjà facturé (FA-2022-00001).", accepted):
        services.invoice_quote(accepted, actor=staff_user)
    assert Invoice.objects.count() == 1


def test_a_sent_quote_cannot_be_invoiced(sent, staff_user):
    with refused(
        "Seul un devis accepté se transforme en facture : celui-ci est en attente de réponse.", sent
    ):
        services.invoice_quote(sent, actor=staff_user)


# --- The signed link ----------------------------------------------------------------------------


def test_a_tampered_token_is_refused(sent, office, other_office):
    token = services.quote_token(sent)
    value, _, signature = token.rpartition(":")
    forged = signing.TimestampSigner(salt="ensemble.quote").sign_object({"q": sent.pk, "n": "DE-2022-00002"})
    other_salt = signing.TimestampSigner(salt="autre").sign_object({"q": sent.pk, "n": sent.number})
    for bad in (value + ":" + signature[::-1], "n'importe quoi", forged, other_salt):
        with pytest.raises(BillingError) as info:
            services.quote_from_token(office, bad)
        assert info.value.code == "tampered"
        assert info.value.message.startswith("Ce lien de devis n'est pas valide")
    with pytest.raises(BillingError):  # a good token on another office's address
        services.quote_from_token(other_office, token)


def test_the_link_expires_with_the_quote_but_still_shows_a_decision(sent, office):
    token = services.quote_token(sent)
    with time_machine.travel(AFTER_VALIDITY):
        with pytest.raises(BillingError) as info:
            services.quote_from_token(office, token)
    assert (info.value.code, info.value.message) == ("expired", EXPIRED_MESSAGE)
    services.accept_quote(sent, user=None, **PARTNER_EVIDENCE)
    with time_machine.travel(AFTER_VALIDITY):
        assert services.quote_from_token(office, token).state == S.ACCEPTED


def test_a_draft_has_no_link(draft):
    with pytest.raises(BillingError):
        services.quote_token(draft)


# --- Real threads against PostgreSQL ----------------------------------------------------------

ROUNDS = 10
THREADS = 8


def sent_quotes(organisation, lines, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        quote = services.create_quote_draft(organisation, lines=lines, actor=None)
        ids.append(services.send_quote(quote, actor=None).pk)
    return ids


def decide_all(quote_ids: list[int]):
    """One thread's work: try to decide every quote (accept or decline, by thread parity);
    return the ids this thread decided."""
    counter = iter(range(THREADS))
    parity_lock = threading.Lock()

    def work() -> list[int]:
        with parity_lock:
            accept = next(counter) % 2 == 0
        decided = []
        for pk in quote_ids:
            try:
                quote = Quote(pk=pk)
                if accept:
                    services.accept_quote(quote, user=None, **PARTNER_EVIDENCE)
                else:
                    services.decline_quote(quote, user=None, **PARTNER_EVIDENCE)
                decided.append(pk)
            except BillingError:
                pass
            finally:
                connection.close()
        return decided

    return work


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_record_exactly_one(organisation, lines):
    require_postgresql()
    quote_ids = sent_quotes(organisation, lines, ROUNDS)
    connection.close()
    outcomes = run_in_threads(THREADS, decide_all(quote_ids))
    wins = collections.Counter(pk for decided in outcomes for pk in decided)
    assert wins == {pk: 1 for pk in quote_ids}
    decisions = AuditEntry.objects.filter(action__in=["quote.accepted", "quote.declined"])
    assert decisions.count() == ROUNDS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_the_row_lock_decisions_collide(organisation, lines, monkeypatch):
    """The same race with `lock` reading without FOR UPDATE: some quote is decided twice,
    which shows the test above can fail."""
    require_postgresql()
    monkeypatch.setattr(
        quote_services,
        "lock",
        lambda quote, related=(): Quote.objects.select_related(*related).get(pk=quote.pk),
    )
    quote_ids = sent_quotes(organisation, lines, ROUNDS)
    connection.close()
    outcomes = run_in_threads(THREADS, decide_all(quote_ids))
    wins = collections.Counter(pk for decided in outcomes for pk in decided)
    assert max(wins.values()) > 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_conversions_issue_one_invoice(organisation, lines, monkeypatch):
    require_postgresql()
    no_pdf = SimpleNamespace(enqueue=lambda invoice_id: None, get_backend=lambda: None)
    monkeypatch.setattr(invoice_services, "render_invoice_pdf", no_pdf)  # no PDF here
    [pk] = sent_quotes(organisation, lines, 1)
    services.accept_quote(Quote(pk=pk), user=None, **PARTNER_EVIDENCE)
    connection.close()

    def work() -> bool:
        try:
            services.invoice_quote(Quote(pk=pk), actor=None)
            return True
        except BillingError:
            return False
        finally:
            connection.close()

    assert sorted(run_in_threads(THREADS, work)) == [False] * (THREADS - 1) + [True]
    assert Invoice.objects.count() == 1
    assert Quote.objects.get(pk=pk).invoice == Invoice.objects.get()
