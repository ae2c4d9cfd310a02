"""Staff keep the directory current; every change lands on the timeline; bad input writes nothing."""

import pytest

from ensemble.core.models import AuditEntry
from ensemble.directory import services
from ensemble.directory.models import Category, Contact, Establishment, Organisation
from ensemble.directory.services import DirectoryError

from .factories import OrganisationFactory, make_siret


def test_create_organisation_validates_identifiers(office, staff_user):
    siret = make_siret()
    organisation = services.create_organisation(
        office,
        actor=staff_user,
        name="SAS Brasserie de l'Aa",
        siret=siret,
        vat_number="FR40303265045",
        address="1 rue du Canal",
        postcode="62510",
        city="Arques",
        phone="0321000000",
    )
    assert organisation.siren == siret[:9]
    assert organisation.phone == "+33321000000"
    entry = AuditEntry.objects.get(organisation_id=organisation.pk)
    assert (entry.action, entry.actor) == ("organisation.created", staff_user)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"siret": "12345678901234"}, "siret", "SIRET n'est pas valide"),
        ({"vat_number": "FR00000000000"}, "vat_number", "TVA intracommunautaire"),
        ({"phone": "12"}, "phone", "téléphone n'est pas valide"),
        ({"name": ""}, "name", "Ce champ ne peut pas être vide."),
    ],
)
def test_create_organisation_bad_input_writes_nothing(office, staff_user, fields, field, message):
    data = {"name": "Gîte des Faiseurs", "address": "2 rue Haute", "postcode": "62500"}
    data.update(city="Tilques", **fields)
    with pytest.raises(DirectoryError) as error:
        services.create_organisation(office, actor=staff_user, **data)
    assert error.value.field == field
    assert message in error.value.message
    assert Organisation.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_establishment_with_other_office_category_is_refused(office, other_office, staff_user):
    organisation = OrganisationFactory(office=office)
    foreign = Category.objects.filter(office=other_office).first()
    with pytest.raises(DirectoryError, match="catégorie"):
        services.save_establishment(
            organisation,
            actor=staff_user,
            name="Camping du Lac",
            category=foreign,
            address="Route du lac",
            postcode="62120",
            city="Aire-sur-la-Lys",
        )
    assert Establishment.objects.count() == 0


def test_contact_added_then_updated(office, staff_user):
    organisation = OrganisationFactory(office=office)
    contact = services.save_contact(
        organisation,
        actor=staff_user,
        first_name="Maarten",
        last_name="De Vos",
        email="maarten@example.be",
        phone="+32 50 12 34 56",
        language="nl",
        role=Contact.Role.MARKETING,
    )
    assert contact.phone == "+3250123456"
    services.save_contact(organisation, actor=staff_user, contact=contact, role=Contact.Role.BILLING)
    contact.refresh_from_db()
    assert contact.role == "facturation"
    actions = AuditEntry.objects.filter(organisation_id=organisation.pk).values_list("action", flat=True)
    assert sorted(actions) == ["contact.created", "contact.updated"]


def test_contact_with_bad_email_writes_nothing(office, staff_user):
    organisation = OrganisationFactory(office=office)
    with pytest.raises(DirectoryError) as error:
        services.save_contact(
            organisation, actor=staff_user, first_name="A", last_name="B", email="pas-valide"
        )
    assert error.value.field == "email"
    assert Contact.objects.count() == 0
