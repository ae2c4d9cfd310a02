"""Every test has two offices (Saint-Omer and a smaller one) so isolation is always in play."""

import pytest
from django.core import mail

from ensemble.directory.models import Category
from ensemble.directory.services import ensure_default_categories
from ensemble.memberships import services
from ensemble.memberships.models import Offer, TermsDocument

from .factories import OfficeFactory, StaffFactory, UserFactory, make_siret


@pytest.fixture
def office(db):
    office = OfficeFactory(slug="saint-omer", name="Office de Tourisme du Pays de Saint-Omer")
    ensure_default_categories(office)
    return office


@pytest.fixture
def other_office(db):
    office = OfficeFactory(slug="aire-sur-la-lys", name="Office de Tourisme d'Aire-sur-la-Lys")
    ensure_default_categories(office)
    return office


@pytest.fixture
def season(office):
    return services.install_seed_catalogue(office, year=2022)


@pytest.fixture
def other_season(other_office):
    return services.install_seed_catalogue(other_office, year=2022)


@pytest.fixture
def staff_user(office):
    return StaffFactory(office=office, user=UserFactory(email="staff@saint-omer.example")).user


@pytest.fixture
def other_staff_user(other_office):
    return StaffFactory(office=other_office, user=UserFactory(email="staff@aire.example")).user


@pytest.fixture
def pack(season):
    return Offer.objects.get(season=season, code="pack-partenaire")


def offer(season, code):
    return Offer.objects.get(season=season, code=code)


def make_application(season, **overrides) -> services.JoinApplication:
    """A valid join application for `season`; override any field."""
    terms = {d.kind: d for d in TermsDocument.objects.filter(season=season, is_current=True)}
    category = Category.objects.filter(office_id=season.office_id).first()
    data = dict(
        establishment_name="Le Moulin des Marais",
        first_name="Camille",
        last_name="Delannoy",
        address="3 rue de l'Écusserie",
        postcode="62500",
        city="Saint-Omer",
        phone="03 21 12 34 56",
        email="camille@moulin.example",
        siret=make_siret(),
        category_id=category.pk,
        pack_id=Offer.objects.get(season=season, code="pack-partenaire").pk,
        options={},
        payment_method="cheque",
        accepted_charter_id=terms["charter"].pk,
        accepted_cgv_id=terms["cgv"].pk,
        language="fr",
        submission_key="",
    )
    data.update(overrides)
    return services.JoinApplication(**data)


EVIDENCE = services.Evidence(ip_address="192.0.2.10", user_agent="pytest")


@pytest.fixture
def submit(season):
    """Submit a join request to `season` and return the JoinResult."""

    def _submit(**overrides):
        return services.submit_join_request(
            season.office, make_application(season, **overrides), evidence=EVIDENCE
        )

    return _submit


@pytest.fixture(autouse=True)
def _clear_mail():
    mail.outbox = []
