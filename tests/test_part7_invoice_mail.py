"""Issue 12, A5: issuing an invoice or a credit note e-mails it, PDF attached, in the contact's
language, once; staff can send it again; the partner finds it in the espace pro.
B5: e-mails come from the office (its name, its sending address, its reply-to)."""

from decimal import Decimal

import pytest
from django.core import mail

from ensemble.accounts.models import StaffMembership
from ensemble.accounts.roles import Role
from ensemble.billing import services
from ensemble.billing.amounts import LineInput
from ensemble.billing.errors import BillingError
from ensemble.billing.models import InvoiceDocument
from ensemble.core.models import AuditEntry, Office, OutboundEmail
from ensemble.core.tasks import send_outbound_email
from ensemble.directory.models import Contact

from .conftest import verified
from .factories import ContactFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(office):
    organisation = OrganisationFactory(office=office, name="SARL Les Jardins du Haut-Pont")
    ContactFactory(
        organisation=organisation, first_name="Inès", email="ines@haut-pont.example", is_primary=True
    )
    return organisation


def issue(organisation, actor):
    lines = [LineInput("Visite VIP", Decimal(1), Decimal(20), unit_price_ttc=Decimal("120.00"))]
    return services.issue_invoice(services.create_draft(organisation, lines=lines, actor=actor), actor=actor)


def stored(invoice) -> bytes:
    with InvoiceDocument.objects.get(invoice=invoice).file.open("rb") as f:
        return f.read()


def test_issuing_e_mails_the_invoice_with_its_pdf_once(
    organisation, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issue(organisation, staff_user)
    [message] = mail.outbox
    assert message.to == ["ines@haut-pont.example"]
    assert invoice.number in message.subject
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{invoice.number}.pdf", "application/pdf")
    assert content == stored(invoice) and content.startswith(b"%PDF")
    email = OutboundEmail.objects.get(attachment_kind="invoice_pdf", attachment_id=invoice.pk)
    assert email.status == "sent"
    issued = AuditEntry.objects.get(action="invoice.issued", target_id=str(invoice.pk))
    assert issued.data["email"] == email.pk
    assert send_outbound_email.call(email.pk) == "already-sent"  # the task run twice sends once
    assert len(mail.outbox) == 1


def test_the_e_mail_renders_the_pdf_if_the_pdf_task_has_not_run(organisation, staff_user):
    invoice = issue(organisation, staff_user)  # no commit: neither task ran
    assert not InvoiceDocument.objects.exists()
    email = OutboundEmail.objects.get(attachment_id=invoice.pk)
    assert send_outbound_email.call(email.pk) == "sent"
    [(_, content, _)] = mail.outbox[0].attachments
    assert content == stored(invoice)


def test_a_rolled_back_issue_sends_nothing(office, organisation, staff_user):
    Office.objects.filter(pk=office.pk).update(siret="")
    with pytest.raises(BillingError):
        issue(organisation, staff_user)
    assert not OutboundEmail.objects.exists()


def test_it_goes_to_the_billing_contact_in_her_language(organisation, staff_user):
    ContactFactory(
        organisation=organisation,
        first_name="Emma",
        email="compta@haut-pont.example",
        role=Contact.Role.BILLING,
        language="en",
    )
    invoice = issue(organisation, staff_user)
    email = OutboundEmail.objects.get(attachment_id=invoice.pk)
    assert (email.to, email.language, email.template) == ("compta@haut-pont.example", "en", "invoice_issued")
    assert "Emma" in email.body_text and invoice.payment_reference in email.body_text


def test_a_credit_note_is_e_mailed_too(organisation, staff_user, django_capture_on_commit_callbacks):
    invoice = issue(organisation, staff_user)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        credit = services.credit_invoice(invoice, actor=staff_user, reason="Visite annulée")
    [message] = mail.outbox
    assert credit.number in message.subject and invoice.number in message.body
    assert message.attachments[0][0] == f"{credit.number}.pdf"


def test_staff_send_it_again_from_the_invoice_page(
    client, organisation, staff_user, django_capture_on_commit_callbacks
):
    invoice = issue(organisation, staff_user)
    client.force_login(staff_user)
    page = client.get(f"/saint-omer/gestion/factures/{invoice.pk}/").content.decode()
    assert "ines@haut-pont.example" in page and "Envoyer de nouveau au partenaire" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/saint-omer/gestion/factures/{invoice.pk}/envoyer/", follow=True)
    assert "est envoyée de nouveau à ines@haut-pont.example" in response.content.decode()
    assert OutboundEmail.objects.filter(attachment_id=invoice.pk).count() == 2
    assert [m.attachments[0][0] for m in mail.outbox] == [f"{invoice.number}.pdf"]  # the resend
    assert AuditEntry.objects.filter(action="invoice.emailed", actor=staff_user).count() == 1


def test_sending_again_needs_the_billing_right(client, organisation, staff_user):
    invoice = issue(organisation, staff_user)
    StaffMembership.objects.filter(user=staff_user).update(role=Role.RECEPTION)
    client.force_login(staff_user)
    assert (
        "Envoyer de nouveau" not in client.get(f"/saint-omer/gestion/factures/{invoice.pk}/").content.decode()
    )
    assert client.post(f"/saint-omer/gestion/factures/{invoice.pk}/envoyer/").status_code == 403
    assert OutboundEmail.objects.filter(attachment_id=invoice.pk).count() == 1


def test_another_office_cannot_send_it(client, organisation, staff_user, other_staff_user):
    invoice = issue(organisation, staff_user)
    client.force_login(other_staff_user)
    assert client.post(f"/aire-sur-la-lys/gestion/factures/{invoice.pk}/envoyer/").status_code == 404


def test_no_address_is_a_clear_message(client, office, staff_user):
    organisation = OrganisationFactory(office=office, email="")
    invoice = issue(organisation, staff_user)
    client.force_login(staff_user)
    response = client.post(f"/saint-omer/gestion/factures/{invoice.pk}/envoyer/", follow=True)
    assert "aucune adresse e-mail" in response.content.decode()
    assert not OutboundEmail.objects.exists()


def test_the_partner_finds_and_downloads_it_in_the_espace_pro(client, organisation, staff_user):
    invoice = issue(organisation, staff_user)
    partner = verified(UserFactory(email="ines@haut-pont.example"))
    organisation.organisationmember_set.create(user=partner, role="owner")
    client.force_login(partner)
    page = client.get("/saint-omer/espace-pro/factures/").content.decode()
    assert invoice.number in page
    response = client.get(f"/saint-omer/espace-pro/factures/{invoice.pk}/pdf/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")


# --- B5: the sender is the office ---------------------------------------------------------------


def test_e_mails_come_from_the_office_by_default(
    office, organisation, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issue(organisation, staff_user)
    [message] = mail.outbox
    assert message.from_email == "Office de Tourisme du Pays de Saint-Omer <no-reply@ensemble.localhost>"
    assert message.reply_to == ["relationspro@example.org"]
    assert "Ensemble" not in message.message()["From"]


def test_e_mails_use_the_office_sending_and_reply_addresses(
    office, organisation, staff_user, django_capture_on_commit_callbacks
):
    Office.objects.filter(pk=office.pk).update(
        name="Office de Tourisme d'Aire, Lys & Marais",
        email_from_address="factures@tourisme-saintomer.example",
        email_reply_to="compta@tourisme-saintomer.example",
    )
    with django_capture_on_commit_callbacks(execute=True):
        issue(organisation, staff_user)
    [message] = mail.outbox
    assert message.message()["From"] == (
        '"Office de Tourisme d\'Aire, Lys & Marais" <factures@tourisme-saintomer.example>'
    )
    assert message.reply_to == ["compta@tourisme-saintomer.example"]


def test_the_settings_page_sets_the_sending_addresses(client, office, staff_user):
    from .test_office_settings import office_data

    client.force_login(staff_user)  # direction: every permission
    data = office_data(
        office,
        email_from_address="factures@tourisme-saintomer.example",
        email_reply_to="compta@tourisme-saintomer.example",
    )
    response = client.post("/saint-omer/gestion/parametres/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    office.refresh_from_db()
    assert (office.email_from_address, office.email_reply_to) == (
        "factures@tourisme-saintomer.example",
        "compta@tourisme-saintomer.example",
    )
    response = client.post(
        "/saint-omer/gestion/parametres/", office_data(office, email_from_address="pas une adresse")
    )
    assert response.status_code == 200
    office.refresh_from_db()
    assert office.email_from_address == "factures@tourisme-saintomer.example"
