"""Test data: plausible, invented businesses of the Saint-Omer area."""

import factory
from stdnum import luhn

from ensemble.accounts.models import StaffMembership, User
from ensemble.accounts.roles import Role
from ensemble.core.models import Office
from ensemble.directory.models import Category, Contact, Establishment, Organisation

_siren_counter = iter(range(10_000_000, 99_999_999))


def make_siret() -> str:
    """A valid SIRET (SIREN and SIRET both pass the Luhn check), unique per call."""
    base = str(next(_siren_counter))
    siren = base + luhn.calc_check_digit(base)
    establishment = siren + "0001"
    return establishment + luhn.calc_check_digit(establishment)


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"office-{n}")
    name = factory.Sequence(lambda n: f"Office de tourisme {n}")
    legal_name = "SPL Tourisme en Pays de Saint-Omer"
    # The legal identity an office needs before it issues an invoice (issue 12, B1): an invented
    # SIRET with valid keys and the French VAT number of its SIREN.
    siret = "80012345700015"
    vat_number = "FR41800123457"
    address = "7, Place Victor Hugo"
    postcode = "62500"
    city = "Saint-Omer"
    email = "relationspro@example.org"
    iban = "FR7630006000011234567890189"
    bic = "AGRIFRPP"
    cheque_payee = "SPL Tourisme en Pays de Saint-Omer"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="fr_FR")
    password = factory.django.Password("correct-horse-battery")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    office = factory.SubFactory(OfficeFactory)
    pole = StaffMembership.Pole.PARTNERS
    # Every right, as the suite's staff had before roles; tests of roles choose theirs.
    role = Role.DIRECTION


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"SARL Les Marais {n}")
    siret = factory.LazyFunction(make_siret)
    siren = factory.LazyAttribute(lambda o: o.siret[:9])
    address = "12 rue de Dunkerque"
    postcode = "62500"
    city = "Saint-Omer"
    email = factory.Sequence(lambda n: f"contact{n}@marais.example")


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    organisation = factory.SubFactory(OrganisationFactory)
    office = factory.SelfAttribute("organisation.office")
    name = factory.Sequence(lambda n: f"Auberge du Marais {n}")
    category = factory.LazyAttribute(
        lambda o: (
            Category.objects.filter(office=o.office).first()
            or Category.objects.create(office=o.office, slug="hebergement", name="Hébergement")
        )
    )
    address = "12 rue de Dunkerque"
    postcode = "62500"
    city = "Saint-Omer"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    office = factory.SelfAttribute("organisation.office")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Delannoy{n}")
    email = factory.Sequence(lambda n: f"camille{n}@marais.example")
    is_primary = True
