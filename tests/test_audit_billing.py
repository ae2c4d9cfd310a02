"""Billing's services write one audit entry each: invoices and credit notes (told apart by their
code), payments, quotes, the billing settings; the daily jobs one per object they change."""

import datetime
from decimal import Decimal

import pytest

from ensemble.billing import services
from ensemble.billing.amounts import LineInput
from ensemble.billing.errors import BillingError
from ensemble.billing.models import Invoice
from ensemble.billing.reminders import InvoiceReminder
from ensemble.billing.services.reminders import send_invoice_reminders
from ensemble.core import audit
from ensemble.core.models import AuditEntry
from ensemble.memberships import services as membership_services

from .conftest import BULLETIN_ON
from .factories import ContactFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

INV = "ensemble.billing.services.invoices."
PAY = "ensemble.billing.services.payments."
QUO = "ensemble.billing.services.quotes."
AUDITED = {
    INV + "create_draft": ("invoice.drafted", "credit_note.drafted"),
    INV + "issue_invoice": ("invoice.issued", "credit_note.issued"),
    INV + "invoice_membership": "invoice.issued",
    INV + "credit_invoice": "credit_note.issued",
    PAY + "record_payment": "payment.recorded",
    PAY + "cancel_payment": "payment.cancelled",
    QUO + "create_quote_draft": "quote.drafted",
    QUO + "send_quote": "quote.sent",
    QUO + "accept_quote": "quote.accepted",
    QUO + "decline_quote": "quote.declined",
    # The invoice issued from the quote is the one entry; it names the quote (data "quote").
    QUO + "invoice_quote": "invoice.issued",
    "ensemble.billing.services.settings.update_billing_profile": "billing_profile.changed",
    "ensemble.billing.services.invoice_mail.resend_invoice": ("invoice.emailed", "credit_note.emailed"),
}
COMPOSED = {
    INV + "accept_and_invoice": "memberships accept_membership, then invoice_membership, then record_payment "
    "for a cheque that came with the bulletin",
    PAY + "record_membership_payment": "record_payment on the membership's invoice",
}
BATCH = {
    QUO + "expire_quotes": "quote.expired (actor None), one per quote expired",
    "ensemble.billing.services.reminders.send_invoice_reminders": "invoice.reminder_sent (actor None), "
    "one per reminder sent",
}
NOT_AUDITED = {
    INV + "billing_profile": "reads the office's billing settings (the default row is created on first read)",
    INV + "seller_snapshot": "reads: the seller's identity frozen by issue_invoice",
    INV + "check_lines": "pure validation shared by invoices and quotes",
    INV + "payment_reference": "pure computation (ISO 11649 reference)",
    INV + "membership_lines": "reads: the priced lines of a membership",
    PAY + "outstanding": "reads: what an invoice still waits for",
    QUO + "quote_token": "pure computation (the signed link)",
    QUO + "expired_message": "pure: the refusal message of an expired quote",
    QUO + "quote_from_token": "reads: the quote a link points at",
    "ensemble.billing.services.numbering.next_number": "reserves a number inside the issuing service, "
    "whose entry carries the number",
    "ensemble.billing.services.documents.invoice_pdf_file": "stores the PDF derived (deterministically) "
    "from an issued invoice; downloads are logged by the views (document.downloaded)",
    "ensemble.billing.services.documents.invoice_pdf_bytes": "reads the stored PDF",
    "ensemble.billing.services.documents.invoice_pdf_attachment": "reads the PDF an e-mail carries "
    "(rendered first if missing, deterministically)",
    "ensemble.billing.services.invoice_mail.queue_invoice_email": "queues the e-mail inside the issuing "
    "service, whose entry carries the e-mail's id",
}
MODULES = [
    "ensemble.billing.services.invoices",
    "ensemble.billing.services.payments",
    "ensemble.billing.services.quotes",
    "ensemble.billing.services.reminders",
    "ensemble.billing.services.settings",
    "ensemble.billing.services.numbering",
    "ensemble.billing.services.documents",
    "ensemble.billing.services.invoice_mail",
]
EVIDENCE = {"ip": "198.51.100.7", "user_agent": "Mozilla/5.0 (pytest)"}


def line(price: str = "100.00") -> LineInput:
    return LineInput("Atelier photo", Decimal(1), Decimal(20), unit_price_ttc=Decimal(price))


@pytest.fixture
def organisation(office):
    organisation = OrganisationFactory(office=office, name="SARL Les Jardins du Haut-Pont")
    ContactFactory(organisation=organisation, first_name="Inès", email="ines@haut-pont.example")
    return organisation


@pytest.fixture
def invoice(organisation, staff_user):
    draft = services.create_draft(organisation, lines=[line()], actor=staff_user)
    return services.issue_invoice(draft, actor=staff_user)


@pytest.fixture
def sent(organisation, staff_user):
    quote = services.create_quote_draft(organisation, lines=[line("1560.00")], actor=staff_user)
    return services.send_quote(quote, actor=staff_user)


class Log:
    """The entries written since it was made."""

    def __init__(self):
        self.last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def new(self):
        return list(AuditEntry.objects.filter(id__gt=self.last).order_by("id"))

    def one(self, action: str, actor, organisation) -> AuditEntry:
        """Exactly one new entry, with this code, actor, office and organisation; rendered whole."""
        [entry] = self.new()
        assert (entry.action, entry.actor, entry.office_id) == (action, actor, organisation.office_id)
        assert entry.organisation_id == organisation.pk
        assert "—" not in audit.describe(entry), audit.describe(entry)
        self.last = entry.pk
        return entry

    def none(self):
        assert self.new() == []


# --- The tables are complete -------------------------------------------------------------------


# --- Invoices and credit notes -----------------------------------------------------------------


def test_draft_then_issue_one_entry_each(organisation, staff_user):
    log = Log()
    draft = services.create_draft(organisation, lines=[line()], actor=staff_user)
    entry = log.one("invoice.drafted", staff_user, organisation)
    assert (entry.target_id, entry.data["total_ttc"]) == (str(draft.pk), "100.00")
    invoice = services.issue_invoice(draft, actor=staff_user)
    entry = log.one("invoice.issued", staff_user, organisation)
    assert (entry.target_type, entry.target_id) == ("billing.invoice", str(invoice.pk))
    assert entry.data["number"] == invoice.number == "FA-2022-00001"
    assert audit.describe(entry) == "Facture FA-2022-00001 émise : 100,00 € TTC"
    with pytest.raises(BillingError):
        services.issue_invoice(invoice, actor=staff_user)
    with pytest.raises(BillingError):
        services.create_draft(organisation, lines=[], actor=staff_user)
    log.none()


def test_a_credit_note_has_its_own_code(invoice, organisation, staff_user):
    log = Log()
    credit = services.credit_invoice(invoice, actor=staff_user, reason=" Prestation annulée ")
    entry = log.one("credit_note.issued", staff_user, organisation)
    assert entry.target_id == str(credit.pk)
    assert (entry.data["number"], entry.data["credited_invoice"]) == ("AV-2022-00001", invoice.number)
    assert entry.data["reason"] == "Prestation annulée"
    assert audit.describe(entry) == (
        "Avoir AV-2022-00001 émis sur la facture FA-2022-00001 : 100,00 € TTC (motif : Prestation annulée)"
    )
    with pytest.raises(BillingError):
        services.credit_invoice(invoice, actor=staff_user, reason="Encore")  # nothing left to credit
    with pytest.raises(BillingError):
        services.credit_invoice(invoice, actor=staff_user, reason="  ")
    log.none()


def test_a_credit_note_drafted_by_hand_is_told_apart_too(invoice, organisation, staff_user):
    log = Log()
    draft = services.create_draft(
        organisation,
        lines=[line("10.00")],
        actor=staff_user,
        kind=Invoice.Kind.CREDIT_NOTE,
        credited_invoice=invoice,
        note="Geste commercial",
    )
    log.one("credit_note.drafted", staff_user, organisation)
    services.issue_invoice(draft, actor=staff_user)
    assert log.one("credit_note.issued", staff_user, organisation).data["credited_invoice"] == invoice.number


def test_invoice_membership_writes_one_entry_once(submit, staff_user):
    membership = submit().membership
    membership_services.accept_membership(membership, actor=staff_user)
    log = Log()
    invoice = services.invoice_membership(membership, actor=staff_user)
    entry = log.one("invoice.issued", staff_user, membership.organisation)
    assert (entry.data["membership"], entry.data["number"]) == (membership.pk, invoice.number)
    assert services.invoice_membership(membership, actor=staff_user) == invoice  # already issued
    log.none()


def test_accept_and_invoice_only_composes(submit, staff_user):
    """Its entries are its parts': the membership's, then one invoice.issued and one
    payment.recorded for the cheque; nothing of its own."""
    membership = submit().membership
    membership_services.record_signed_bulletin(membership, actor=staff_user, received_on=BULLETIN_ON)
    log = Log()
    cheque = {"amount": Decimal("90.00"), "cheque_number": "0012345", "received_on": BULLETIN_ON}
    _, invoice = services.accept_and_invoice(membership, actor=staff_user, cheque=cheque)
    billing = [e.action for e in log.new() if e.action.split(".")[0] in {"invoice", "payment"}]
    assert billing == ["invoice.issued", "payment.recorded"]
    assert all(e.organisation_id == membership.organisation_id for e in log.new())
    assert invoice.number in {e.data.get("number") for e in log.new()}


def test_resend_invoice_writes_one_entry_per_sending(invoice, organisation, staff_user):
    log = Log()
    email = services.resend_invoice(invoice, actor=staff_user)
    entry = log.one("invoice.emailed", staff_user, organisation)
    assert (entry.target_id, entry.data["email"]) == (str(invoice.pk), email.pk)
    assert audit.describe(entry) == "Facture FA-2022-00001 envoyée de nouveau au partenaire"
    credit = services.credit_invoice(invoice, actor=staff_user, reason="Annulée")
    log.last = log.new()[-1].pk
    services.resend_invoice(credit, actor=staff_user)
    assert log.one("credit_note.emailed", staff_user, organisation).data["number"] == credit.number
    draft = services.create_draft(organisation, lines=[line()], actor=staff_user)
    log.last = log.new()[-1].pk
    with pytest.raises(BillingError):
        services.resend_invoice(draft, actor=staff_user)
    log.none()


# --- Payments ----------------------------------------------------------------------------------


def test_record_and_cancel_a_payment(invoice, organisation, staff_user):
    log = Log()
    day = datetime.date(2022, 12, 27)
    cash = services.record_payment(
        invoice, actor=staff_user, method="cash", amount=Decimal("60.00"), received_on=day
    )
    entry = log.one("payment.recorded", staff_user, organisation)
    assert entry.target_id == str(cash.pk)
    assert audit.describe(entry) == "Règlement de 60,00 € (cash) reçu sur la facture FA-2022-00001"
    services.cancel_payment(cash, actor=staff_user, reason="Saisi deux fois")
    entry = log.one("payment.cancelled", staff_user, organisation)
    assert (entry.target_id, entry.data["reason"], entry.data["amount"]) == (
        str(cash.pk),
        "Saisi deux fois",
        "60.00",
    )
    with pytest.raises(BillingError):
        services.cancel_payment(cash, actor=staff_user, reason="Encore")
    log.none()

    transfer = {
        "method": "transfer",
        "amount": Decimal("120.00"),
        "received_on": day,
        "idempotency_key": "bank:1",
    }
    payment = services.record_payment(invoice, actor=staff_user, **transfer)
    entry = log.one("payment.recorded", staff_user, organisation)
    assert (entry.data["amount"], entry.data["allocated"], entry.data["overpaid"]) == (
        "120.00",
        "100.00",
        "20.00",
    )
    # the same bank line again changes nothing and writes nothing; refusals write nothing
    assert services.record_payment(invoice, actor=staff_user, **transfer) == payment
    with pytest.raises(BillingError):
        services.record_payment(
            invoice, actor=staff_user, method="cash", amount=Decimal("0"), received_on=day
        )
    with pytest.raises(BillingError):
        services.cancel_payment(payment, actor=staff_user, reason="A laissé un avoir client")
    log.none()


def test_a_payment_that_settles_a_membership_writes_one_payment_entry(make_membership, staff_user):
    """The membership it activates writes its own entry (the memberships part's)."""
    membership = make_membership("awaiting_payment")
    log = Log()
    services.record_membership_payment(
        membership, actor=staff_user, method="cash", amount=membership.amount_due, received_on=BULLETIN_ON
    )
    payments = [e for e in log.new() if e.action.startswith("payment.")]
    assert [(e.action, e.actor, e.organisation_id) for e in payments] == [
        ("payment.recorded", staff_user, membership.organisation_id)
    ]


# --- Quotes ------------------------------------------------------------------------------------


def test_quote_draft_and_send(organisation, staff_user):
    log = Log()
    quote = services.create_quote_draft(organisation, lines=[line("1560.00")], actor=staff_user)
    log.one("quote.drafted", staff_user, organisation)
    services.send_quote(quote, actor=staff_user)
    entry = log.one("quote.sent", staff_user, organisation)
    assert (entry.data["number"], entry.data["valid_until"]) == ("DE-2022-00001", "2023-01-27")
    assert entry.data["email"] is not None
    with pytest.raises(BillingError):
        services.send_quote(quote, actor=staff_user)
    with pytest.raises(BillingError):
        services.create_quote_draft(organisation, lines=[line()], actor=staff_user, valid_days=0)
    log.none()


def test_accept_keeps_the_evidence(sent, organisation):
    partner = UserFactory(email="ines@haut-pont.example")
    log = Log()
    services.accept_quote(sent, user=partner, **EVIDENCE)
    entry = log.one("quote.accepted", partner, organisation)
    assert (entry.ip_address, entry.data["user_agent"]) == ("198.51.100.7", "Mozilla/5.0 (pytest)")
    with pytest.raises(BillingError):
        services.decline_quote(sent, user=None, **EVIDENCE)
    log.none()


def test_decline_by_link_has_no_actor(sent, organisation):
    log = Log()
    services.decline_quote(sent, user=None, reason="Budget reporté", **EVIDENCE)
    entry = log.one("quote.declined", None, organisation)
    assert audit.describe(entry) == "Devis DE-2022-00001 refusé : Budget reporté"
    with pytest.raises(BillingError):
        services.accept_quote(sent, user=None, **EVIDENCE)
    log.none()


def test_invoice_quote_writes_the_invoice_entry_only(sent, organisation, staff_user):
    services.accept_quote(sent, user=None, **EVIDENCE)
    log = Log()
    invoice = services.invoice_quote(sent, actor=staff_user)
    entry = log.one("invoice.issued", staff_user, organisation)
    assert (entry.target_id, entry.data["quote"]) == (str(invoice.pk), "DE-2022-00001")
    with pytest.raises(BillingError):
        services.invoice_quote(sent, actor=staff_user)
    log.none()


# --- The daily jobs: one entry per object, no actor -------------------------------------------


def test_expire_quotes_writes_one_entry_per_quote(sent, organisation, staff_user):
    other = services.send_quote(
        services.create_quote_draft(organisation, lines=[line()], actor=staff_user), actor=staff_user
    )
    log = Log()
    assert services.expire_quotes(datetime.date(2023, 1, 28)) == 2
    entries = log.new()
    assert [(e.action, e.actor, e.target_id) for e in entries] == [
        ("quote.expired", None, str(sent.pk)),
        ("quote.expired", None, str(other.pk)),
    ]
    assert audit.describe(entries[0]) == "Devis DE-2022-00001 expiré (valable jusqu'au 27/01/2023)"
    log.last = entries[-1].pk
    assert services.expire_quotes(datetime.date(2023, 1, 28)) == 0
    log.none()


def test_reminders_write_one_entry_per_reminder(invoice, organisation):
    log = Log()
    today = invoice.due_date + datetime.timedelta(days=15)
    assert send_invoice_reminders(today=today) == 1
    entry = log.one("invoice.reminder_sent", None, organisation)
    reminder = InvoiceReminder.objects.get()
    assert (entry.data["offset"], entry.data["email"]) == (15, reminder.email_id)
    assert send_invoice_reminders(today=today) == 0
    log.none()


# --- Billing settings --------------------------------------------------------------------------


def test_billing_profile_change_records_before_and_after(office, staff_user):
    profile = services.billing_profile(office)
    log = Log()
    changed = services.update_billing_profile(
        profile, actor=staff_user, payment_terms_days=45, vat_on_debits=True
    )
    [entry] = log.new()
    assert (entry.action, entry.actor, entry.office_id, entry.target_id) == (
        "billing_profile.changed",
        staff_user,
        office.pk,
        str(profile.pk),
    )
    assert entry.data == {
        "fields": changed,
        "changes": {
            "payment_terms_days": {"old": 30, "new": 45},
            "vat_on_debits": {"old": False, "new": True},
        },
    }
    assert audit.describe(entry) == "Paramètres de facturation modifiés (payment_terms_days, vat_on_debits)"
    log.last = entry.pk
    assert services.update_billing_profile(profile, actor=staff_user, payment_terms_days=45) == []
    with pytest.raises(BillingError):
        services.update_billing_profile(profile, actor=staff_user, recovery_indemnity="10")
    log.none()
