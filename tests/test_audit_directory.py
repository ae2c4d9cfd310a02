"""The directory's services write one audit entry each, which the organisation's timeline shows."""

import pytest

from ensemble.core import audit
from ensemble.core.models import AuditEntry
from ensemble.directory import services
from ensemble.directory.models import Category, Contact, OrganisationMember

from .conftest import verified
from .factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

M = "ensemble.directory.services."
AUDITED = {
    M + "create_category": "category.created",
    M + "add_timeline_note": "organisation.note_added",
    M + "create_organisation": "organisation.created",
    M + "update_organisation": "organisation.updated",
    M + "save_establishment": ("establishment.created", "establishment.updated"),
    M + "save_contact": ("contact.created", "contact.updated"),
    M + "invite_member": "portal_member.invited",
    M + "remove_member": "portal_member.removed",
}
NOT_AUDITED = {
    M + "ensure_default_categories": "installs the five rubrics when an office is set up; idempotent",
    M + "email_organisation": "queues an e-mail inside the acting service, whose entry records it",
    M + "primary_contact": "reads only",
    M + "grant_portal_access": "called inside the join and renewal services, whose entries record it",
}


def entries_of(action: str):
    return AuditEntry.objects.filter(action=action)


def one_new_entry(before: int, action: str, actor, organisation) -> AuditEntry:
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.actor, entry.office_id) == (action, actor, organisation.office_id)
    assert entry.organisation_id == organisation.pk
    assert "—" not in audit.describe(entry)
    return entry


def test_creating_and_updating_an_organisation(office, staff_user):
    before = AuditEntry.objects.count()
    organisation = services.create_organisation(
        office,
        actor=staff_user,
        name="Brasserie de l'Aa",
        address="1 rue du Canal",
        postcode="62510",
        city="Arques",
    )
    one_new_entry(before, "organisation.created", staff_user, organisation)
    services.update_organisation(organisation, actor=staff_user, address="3 rue du Canal")
    entry = one_new_entry(before + 1, "organisation.updated", staff_user, organisation)
    assert entry.data == {"fields": ["address"]}


def test_establishments_and_contacts(office, staff_user):
    organisation = OrganisationFactory(office=office)
    before = AuditEntry.objects.count()
    establishment = services.save_establishment(
        organisation,
        actor=staff_user,
        name="Gîte",
        category=Category.objects.filter(office=office).first(),
        address="2 rue Haute",
        postcode="62500",
        city="Tilques",
    )
    one_new_entry(before, "establishment.created", staff_user, organisation)
    services.save_establishment(
        organisation, actor=staff_user, establishment=establishment, city="Clairmarais"
    )
    one_new_entry(before + 1, "establishment.updated", staff_user, organisation)
    contact = services.save_contact(organisation, actor=staff_user, first_name="Léa", last_name="Roussel")
    one_new_entry(before + 2, "contact.created", staff_user, organisation)
    services.save_contact(organisation, actor=staff_user, contact=contact, role=Contact.Role.BILLING)
    one_new_entry(before + 3, "contact.updated", staff_user, organisation)


def test_a_refused_change_writes_no_entry(office, staff_user):
    organisation = OrganisationFactory(office=office)
    before = AuditEntry.objects.count()
    with pytest.raises(services.DirectoryError):
        services.save_contact(organisation, actor=staff_user, first_name="A", last_name="B", email="non")
    with pytest.raises(services.DirectoryError):
        services.add_timeline_note(organisation, kind="status", summary="x", actor=staff_user)
    with pytest.raises(services.DirectoryError):
        services.create_category(office, name=" ", actor=staff_user)
    assert AuditEntry.objects.count() == before


def test_a_note_and_a_category(office, staff_user):
    organisation = OrganisationFactory(office=office)
    before = AuditEntry.objects.count()
    services.add_timeline_note(organisation, kind="call", summary="Rappel demandé", actor=staff_user)
    entry = one_new_entry(before, "organisation.note_added", staff_user, organisation)
    assert audit.describe(entry) == "Rappel demandé"
    category = services.create_category(office, name="Musées", actor=staff_user)
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.target_id, entry.actor) == ("category.created", str(category.pk), staff_user)


def test_the_espace_pro_team(office, partner):
    organisation = partner.membership.organisation
    owner = partner.user
    before = AuditEntry.objects.count()
    member = services.invite_member(organisation, email="Colleague@Moulin.example", actor=owner)
    entry = one_new_entry(before, "portal_member.invited", owner, organisation)
    assert entry.data["email"] == "colleague@moulin.example"
    assert entry.data["email_id"] is not None
    services.remove_member(organisation, user=member.user, actor=owner)
    one_new_entry(before + 1, "portal_member.removed", owner, organisation)
    assert not OrganisationMember.objects.filter(pk=member.pk).exists()
    with pytest.raises(services.DirectoryError):
        services.remove_member(organisation, user=verified(UserFactory()), actor=owner)
    assert AuditEntry.objects.count() == before + 2


def test_dates_and_amounts_read_in_the_readers_language():
    from django.utils import translation

    entry = AuditEntry(action="quote.sent", target_label="DE-2022-00001")
    entry.data = {"number": "DE-2022-00001", "total_ttc": "1200.00", "valid_until": "2023-01-27"}
    with translation.override("fr"):
        french = audit.describe(entry)
    with translation.override("en"):
        english = audit.describe(entry)
    assert "1\xa0200,00" in french and "27/01/2023" in french
    assert "1,200.00" in english and "01/27/2023" in english
