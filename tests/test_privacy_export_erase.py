"""RGPD (issue 10, item 7): export everything about a person, erase it except what the law keeps,
then prove it by scanning every text field of every model; the back-office pages."""

import io
import json
import zipfile

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import models
from django.urls import reverse
from django.utils import timezone

from ensemble.accounts.models import StaffMembership, User
from ensemble.accounts.roles import Role
from ensemble.billing import services as billing_services
from ensemble.billing.models import Invoice, InvoiceDocument
from ensemble.core import audit
from ensemble.directory import services as directory_services
from ensemble.directory.models import Contact, OrganisationMember
from ensemble.memberships import services as membership_services
from ensemble.memberships.models import TermsAcceptance
from ensemble.privacy import registry
from ensemble.privacy.errors import PrivacyError
from ensemble.privacy.services import erase_person, export_person, held_counts

from .conftest import BULLETIN_ON, verified
from .factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "philomene@chambres.example"
LAST_NAME = "Vandenbussche"
PHONE_TYPED = "03 21 38 45 67"
PHONE_STORED = "+33321384567"
NEEDLES = (EMAIL, LAST_NAME, PHONE_STORED, PHONE_TYPED)
# What the law keeps, and only that: the buyer printed on the issued invoice.
LEGALLY_KEPT = {("billing.Invoice", "buyer_name")}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


@pytest.fixture
def person(make_partner, staff_user, client):
    """A sole trader built like the demo partners: join request (acceptances, e-mails, audit log),
    accepted and invoiced (unpaid), a staff note naming them, a login with a session and TOTP."""
    partner = make_partner(
        EMAIL,
        name=f"Philomène {LAST_NAME}, chambres d'hôtes",
        first_name="Philomène",
        last_name=LAST_NAME,
        phone=PHONE_TYPED,
    )
    membership = partner.membership
    membership_services.record_signed_bulletin(membership, actor=staff_user, received_on=BULLETIN_ON)
    billing_services.accept_and_invoice(membership, actor=staff_user)
    invoice = Invoice.objects.get(organisation=membership.organisation)
    InvoiceDocument.objects.create(
        invoice=invoice,
        file=ContentFile(b"%PDF-1.7 facture", name=f"{invoice.number}.pdf"),
        sha256="0" * 64,
        generated_at=timezone.now(),
    )
    directory_services.add_timeline_note(
        membership.organisation,
        kind="call",
        summary=f"Appel de Philomène {LAST_NAME} ({PHONE_TYPED})",
        body=f"Rappeler au {PHONE_STORED} ou écrire à {EMAIL}.",
        actor=staff_user,
    )
    audit.record("test.login", actor=partner.user, office=membership.office, ip_address="192.0.2.44")
    Authenticator.objects.create(user=partner.user, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"})
    client.force_login(partner.user)

    return partner


def scan(needles) -> list[tuple[str, str, int]]:
    """Every (model, field, pk) whose text holds one of the needles, over every model of every app."""
    found = []
    lowered = [n.lower() for n in needles]
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        for row in model._base_manager.values("pk", *[f.attname for f in fields]).iterator():
            for field in fields:
                value = row[field.attname]
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if text and any(n in text.lower() for n in lowered):
                    found.append((model._meta.label, field.name, row["pk"]))
    return found


def test_export_then_erase_leaves_only_what_the_law_keeps(person, office, staff_user):
    before = {(label, field) for label, field, _pk in scan(NEEDLES)}
    assert ("directory.Contact", "email") in before and ("core.OutboundEmail", "to") in before
    assert ("core.AuditEntry", "data") in before and ("billing.Invoice", "buyer_name") in before

    archive = zipfile.ZipFile(io.BytesIO(export_person(office, email=EMAIL.upper(), actor=staff_user)))
    names = set(archive.namelist())
    assert {"compte.json", "contacts.json", "acceptations.json", "factures.json", "emails.json"} <= names
    assert {"journal.json", "adhesions.json", "double_authentification.json", "index.json"} <= names
    invoice = Invoice.objects.get(organisation=person.membership.organisation)
    assert archive.read(f"factures/{invoice.number}.pdf") == b"%PDF-1.7 facture"
    contact = json.loads(archive.read("contacts.json"))[0]
    assert (contact["last_name"], contact["phone"]) == (LAST_NAME, PHONE_STORED)
    factures = json.loads(archive.read("factures.json"))
    assert factures[0]["total_ttc"] == str(invoice.total_ttc)  # Decimal as a string
    assert factures[0]["issue_date"] == invoice.issue_date.isoformat()
    totp = archive.read("double_authentification.json").decode()
    assert '"totp"' in totp and "JBSWY3DPEHPK3PXP" not in totp  # the secret never leaves
    acceptances = json.loads(archive.read("acceptations.json"))
    assert {a["ip_address"] for a in acceptances} == {"192.0.2.10"}

    report = erase_person(office, email=EMAIL, actor=staff_user)

    assert set(scan(NEEDLES)) == {
        ("billing.Invoice", "buyer_name", invoice.pk),
    }
    assert {(label, field) for label, field, _pk in scan(NEEDLES)} <= LEGALLY_KEPT
    user = User.objects.get(pk=person.user.pk)
    assert not user.is_active and not user.has_usable_password()
    assert user.email.endswith("@efface.invalid") and user.full_name == "Personne effacée"
    assert not OrganisationMember.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]
    contact = Contact.objects.get(organisation=person.membership.organisation)
    assert contact.full_name == "Personne effacée" and contact.phone == ""
    assert apps.get_model("core.AuditEntry").objects.filter(actor=user, ip_address__isnull=False).count() == 0
    # The evidence stays whole, IP included; the unpaid invoice is kept with both reasons.
    evidence_ips = set(TermsAcceptance.objects.filter(user=user).values_list("ip_address", flat=True))
    assert evidence_ips == {"192.0.2.10"}
    kept = {item.label: item for item in report.kept}
    assert "Acceptation de la charte ou des CGV" in kept
    assert "Code civil, art. 2224" in kept["Acceptation de la charte ou des CGV"].reason
    invoice_item = kept["Facture ou avoir"]
    assert invoice_item.description == invoice.number
    assert "L123-22" in invoice_item.reason and "non soldée" in invoice_item.reason
    assert report.changed["Contact dans l'annuaire"] == 1 and report.deleted["Double authentification"] == 1


def test_a_paid_invoice_is_kept_without_the_unpaid_reason(make_membership, office, staff_user):
    membership = make_membership("active", email="paye@marais.example")
    report = erase_person(office, email="paye@marais.example", actor=staff_user)
    reasons = [item.reason for item in report.kept if item.label == "Facture ou avoir"]
    assert len(reasons) == 1 and "L123-22" in reasons[0] and "non soldée" not in reasons[0]
    assert Invoice.objects.filter(organisation=membership.organisation, state="issued").count() == 1


def test_a_login_known_to_another_office_is_kept_active(person, office, other_office, staff_user):
    StaffFactory(office=other_office, user=person.user)
    report = erase_person(office, email=EMAIL, actor=staff_user)
    user = User.objects.get(pk=person.user.pk)
    assert user.is_active and user.email == EMAIL
    assert any("autre office" in item.reason for item in report.kept)
    # This office's data about them is erased all the same.
    assert not Contact.objects.filter(office=office, email__iexact=EMAIL).exists()
    assert StaffMembership.objects.filter(user=user, office=other_office).exists()


def test_bad_requests_are_refused_and_write_nothing(person, office, other_office, staff_user):
    with pytest.raises(PrivacyError) as info:
        erase_person(office, email="pas-une-adresse", actor=staff_user)
    assert info.value.message == "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."
    with pytest.raises(PrivacyError) as info:
        erase_person(other_office, email=EMAIL, actor=staff_user)  # unknown to the other office
    assert info.value.message == "Aucune personne n'a cette adresse e-mail dans l'office."
    assert Contact.objects.get(office=office, email=EMAIL).last_name == LAST_NAME
    assert User.objects.get(pk=person.user.pk).is_active


def test_the_registry_covers_every_model_with_personal_looking_fields():
    """A new model with an e-mail, a phone, an IP or a link to a user is in the registry (one
    `Entry`) or declared not personal: the export and the erasure then cannot forget it."""
    covered = {entry.model for entry in registry.ENTRIES} | set(registry.NOT_PERSONAL)
    missing = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        looks_personal = any(
            isinstance(f, models.EmailField | models.GenericIPAddressField)
            or "phone" in f.name
            or (f.is_relation and f.related_model is User and f.name not in PROVENANCE)
            for f in fields
        )
        if looks_personal and model._meta.label not in covered:
            missing.append(model._meta.label)
    assert missing == []


# Who created or decided a record: links to a user that erasure anonymises with the user.
PROVENANCE = {
    "created_by", "launched_by", "closed_by", "confirmed_by", "decided_by", "issued_by", "recorded_by",
    "cancelled_by", "uploaded_by", "started_by", "last_confirmed_by", "sent_by", "actor",
}  # fmt: skip


# ---- the back-office pages --------------------------------------------------------------------


def staff_with(office, role: str):
    user = verified(UserFactory(email=f"{role}@saint-omer.example"))
    StaffFactory(office=office, user=user, role=role)
    return user


@pytest.fixture(autouse=True)
def _no_second_factor_in_page_tests(settings):
    settings.STAFF_MFA_ENFORCED = False


def url(name: str) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": "saint-omer"})


def test_pages_answer_by_role(person, office, client):
    client.force_login(staff_with(office, Role.DIRECTION))
    page = client.get(url("privacy"), {"email": EMAIL})
    assert page.status_code == 200
    assert ("Contact dans l'annuaire", 1) in page.context["counts"]
    assert client.get(url("privacy_register")).status_code == 200
    csv = client.get(url("privacy_register_csv"))
    assert csv.status_code == 200
    assert "Facturation et comptabilité" in b"".join(csv.streaming_content).decode()
    export = client.post(url("privacy_export"), {"email": EMAIL})
    assert export.status_code == 200 and export["Content-Type"] == "application/zip"
    assert client.get(url("privacy_erase"), {"email": EMAIL}).status_code == 200
    mismatch = client.post(url("privacy_erase"), {"email": EMAIL, "confirm": "autre@example.org"})
    assert mismatch.status_code == 400 and Contact.objects.filter(email=EMAIL).exists()
    done = client.post(url("privacy_erase"), {"email": EMAIL, "confirm": EMAIL})
    assert done.status_code == 200 and "Code civil, art. 2224" in done.content.decode()
    assert not Contact.objects.filter(email=EMAIL).exists()


def test_reception_reads_the_register_but_cannot_export_or_erase(person, office, client):
    client.force_login(staff_with(office, Role.RECEPTION))
    assert client.get(url("privacy_register")).status_code == 200
    assert client.post(url("privacy_export"), {"email": EMAIL}).status_code == 403
    assert client.post(url("privacy_erase"), {"email": EMAIL, "confirm": EMAIL}).status_code == 403
    assert client.post(url("privacy_register"), {"email_body_days": 1}).status_code == 403
    assert Contact.objects.filter(email=EMAIL).exists()


def test_held_counts_are_scoped_to_the_office(person, office, other_office):
    assert held_counts(other_office, email=EMAIL) == []
    assert ("Identifiant de connexion", 1) in held_counts(office, email=EMAIL)


def test_the_public_privacy_page_shows_the_office_durations(office, client):
    from ensemble.privacy.models import RetentionPolicy

    RetentionPolicy.objects.create(office=office, email_body_days=3)
    page = client.get(reverse("public:privacy", kwargs={"office_slug": office.slug}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Traitements et durées de conservation" in text and "3 jours après l&#x27;envoi" in text


def test_erasure_is_one_transaction(person, office, staff_user, monkeypatch):
    from ensemble.privacy.services import erase as erase_module

    def broken(model, row, entry, subject):
        if entry.model == "listings.Listing":
            raise RuntimeError("boom")
        return original(model, row, entry, subject)

    original = erase_module._anonymise
    monkeypatch.setattr(erase_module, "_anonymise", broken)
    with pytest.raises(RuntimeError):
        erase_person(office, email=EMAIL, actor=staff_user)
    assert Contact.objects.get(office=office, email=EMAIL).last_name == LAST_NAME
    assert User.objects.get(pk=person.user.pk).is_active
