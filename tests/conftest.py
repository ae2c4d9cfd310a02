"""Every test has two offices (Saint-Omer and a smaller one) so isolation is always in play."""

import contextlib
import dataclasses
import datetime
import itertools
import zoneinfo
from unittest.mock import ANY

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.cache import cache, caches
from django.utils import translation

from ensemble.billing import services as billing_services
from ensemble.core.errors import EnsembleError
from ensemble.directory.models import Category
from ensemble.directory.services import ensure_default_categories
from ensemble.memberships import services
from ensemble.memberships.models import Membership, Offer, TermsDocument

from .browser import browser  # noqa: F401 — the Chromium fixture, for every test module
from .db_guards import _flush_past_the_money_guards  # noqa: F401 — flush passes the money guards
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


def verified(user):
    """allauth requires a verified address to log in (ACCOUNT_EMAIL_VERIFICATION=mandatory)."""
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


@pytest.fixture
def staff_user(office):
    user = StaffFactory(office=office, user=UserFactory(email="staff@saint-omer.example")).user
    return verified(user)


@pytest.fixture
def other_staff_user(other_office):
    return verified(StaffFactory(office=other_office, user=UserFactory(email="staff@aire.example")).user)


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


# The seed is the 2022 partner guide: tests run on a day of its season, whatever today is, so
# that dates such as "effective the day payment arrives" stay inside the season.
SEASON_DAY = datetime.datetime(2022, 12, 28, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


@pytest.fixture(autouse=True)
def _during_the_2022_season():
    with time_machine.travel(SEASON_DAY, tick=True):
        yield


@pytest.fixture(autouse=True)
def _clear_mail():
    mail.outbox = []


@pytest.fixture(autouse=True)
def _in_french():
    """Each test starts in French: service messages are translated when raised, and a request
    in English (LocaleMiddleware) leaves its language active in the thread for whatever runs next
    in the same worker."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _shared_cache_left_clean(request):
    """The rate limits count in the shared cache (a database table Django's flush does not empty):
    what a transactional test committed there is cleared, so the next test of the worker starts
    with no counts. Other tests' writes roll back with their transaction."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so torn down after the clearing
    yield
    cache.clear()


# --- Service-level helpers: "nothing written" checks and memberships built through services ---

TRACKED_MODELS = [
    "directory.Organisation",
    "directory.Establishment",
    "directory.Contact",
    "directory.OrganisationMember",
    "core.AuditEntry",
    "directory.Category",
    "accounts.User",
    "account.EmailAddress",
    "core.OutboundEmail",
    "memberships.Season",
    "memberships.Offer",
    "memberships.OfferEntitlement",
    "memberships.TermsDocument",
    "memberships.Membership",
    "memberships.MembershipLine",
    "memberships.MembershipTransition",
    "memberships.TermsAcceptance",
    "billing.Payment",
    "memberships.Entitlement",
    "memberships.EntitlementConsumption",
    "listings.Listing",
    "listings.ListingVersion",
    "listings.ChangeProposal",
    "listings.OpeningPeriod",
    "listings.Price",
    "listings.Photo",
    "listings.Availability",
]


def row_counts() -> dict[str, int]:
    """Rows per tracked model, counted in the database."""
    return {label: apps.get_model(label).objects.count() for label in TRACKED_MODELS}


@contextlib.contextmanager
def assert_refused(message: str, *, field=ANY):
    """The block must raise an EnsembleError with this French message (and field), and leave
    every tracked table as it was."""
    before = row_counts()
    with pytest.raises(EnsembleError) as info:
        yield info
    assert info.value.message == message
    assert info.value.field == field
    assert row_counts() == before


BULLETIN_ON = datetime.date(2022, 3, 1)
PAID_ON = datetime.date(2022, 3, 2)
NOTICE_ON = datetime.date(2022, 6, 1)
_applicant_numbers = itertools.count(1)


@pytest.fixture
def make_membership(submit, staff_user):
    """Build a membership in `status` through the services (2022 dates: bulletin 1 March,
    payment 2 March, notice 1 June). Each call uses a new applicant e-mail and SIRET."""
    S = Membership.Status

    def _make(status: str = S.REQUESTED, **overrides) -> Membership:
        overrides.setdefault("email", f"partenaire{next(_applicant_numbers)}@marais.example")
        membership = submit(**overrides).membership
        if status == S.REFUSED:
            services.refuse_membership(membership, actor=staff_user, reason="Dossier incomplet")
        elif status != S.REQUESTED:
            services.record_signed_bulletin(membership, actor=staff_user, received_on=BULLETIN_ON)
            billing_services.accept_and_invoice(membership, actor=staff_user)
            if status != S.AWAITING_PAYMENT:
                membership.refresh_from_db()
                billing_services.record_membership_payment(
                    membership,
                    actor=staff_user,
                    method="transfer",
                    amount=membership.amount_due,
                    received_on=PAID_ON,
                )
            _finish(membership, status)
        membership.refresh_from_db()
        assert membership.status == status
        return membership

    def _finish(membership: Membership, status: str) -> None:
        if status == S.NOTICE_GIVEN:
            services.give_notice(membership, actor=None, received_on=NOTICE_ON)
        elif status == S.SUSPENDED:
            services.suspend_membership(membership, actor=staff_user, reason="Fiche non à jour")
        elif status == S.TERMINATED:
            services.terminate_membership(membership, actor=staff_user, reason="Manquement")
        elif status == S.EXPIRED:
            services.close_due_memberships(today=datetime.date(2023, 1, 1))

    return _make


# --- The espace pro: partners with a listing ---


@pytest.fixture
def make_partner(submit):
    """A partner of the office: the join request's applicant (owner of its organisation, e-mail
    verified so they can log in), its establishment's listing, and the membership."""
    from ensemble.listings import services as listing_services

    def _make(email: str, *, name: str = "Le Moulin des Marais", **overrides):
        result = submit(email=email, establishment_name=name, **overrides)
        membership = result.membership
        listing = listing_services.ensure_listing(membership.establishment)
        return dataclasses.make_dataclass("Partner", ["user", "listing", "membership"])(
            verified(membership.applicant), listing, membership
        )

    return _make


@pytest.fixture
def partner(make_partner):
    return make_partner("camille@moulin.example")


@pytest.fixture
def other_partner(make_partner):
    return make_partner("louis@brasserie.example", name="La Brasserie du Haut-Pont")


@pytest.fixture
def page_cache_on(settings):
    """The public page cache on, as in production (6 hours), emptied before and after."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 6 * 3600
    caches["pages"].clear()
    yield
    caches["pages"].clear()
