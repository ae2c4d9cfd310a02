"""`manage.py load_demo`: both offices, partners in every membership state, working demo logins,
and a second run that changes nothing."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from ensemble.accounts.models import StaffMembership, User
from ensemble.accounts.roles import Role
from ensemble.billing.payments import Payment
from ensemble.core.models import AuditEntry, Office
from ensemble.demo.offices import DEMO_DAY, PREVIOUS_YEAR, SEASON_YEAR
from ensemble.directory.models import Contact, Establishment, Organisation
from ensemble.directory.validators import clean_phone, clean_siret
from ensemble.memberships.models import Membership

PASSWORD = "ensemble-demo"
# The office's staff printed in the partner guide: demo data must not reuse their names.
GUIDE_STAFF_NAMES = ["Lengagne", "Raekelboom", "Delattre", "Krzekotowski", "Duquenne", "Caron"]


@pytest.fixture(autouse=True)
def _during_the_2022_season():
    """The demo is set in the real current season: no time travel here (see conftest)."""
    yield


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once for this module, in a transaction rolled back after its last test
    (each test still runs in its own savepoint, like any `db` test)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db):
    return demo_output


def test_both_offices_with_their_partners_and_staff(demo):
    saint_omer = Office.objects.get(slug="saint-omer")
    aire = Office.objects.get(slug="aire-sur-la-lys")
    assert saint_omer.legal_name == "SPL Tourisme en Pays de Saint-Omer"
    assert Organisation.objects.filter(office=saint_omer).count() >= 40
    assert Organisation.objects.filter(office=aire).count() >= 6
    categories = set(Establishment.objects.filter(office=saint_omer).values_list("category__slug", flat=True))
    assert categories == {"hebergement", "restauration", "bars", "loisirs", "terroir"}
    poles = set(StaffMembership.objects.filter(office=saint_omer).values_list("pole", flat=True))
    assert poles == set(StaffMembership.Pole.values)
    assert StaffMembership.objects.filter(office=aire, user__email="staff@aire.demo").exists()
    assert "partner@saint-omer.demo" in demo


def test_every_membership_status_is_present(demo):
    statuses = set(Membership.objects.filter(office__slug="saint-omer").values_list("status", flat=True))
    assert statuses == set(Membership.Status.values)


def test_last_season_holds_the_former_partners_and_this_season_the_others(demo):
    by_season = {
        year: set(Membership.objects.filter(season__year=year).values_list("status", flat=True))
        for year in (PREVIOUS_YEAR, SEASON_YEAR)
    }
    assert by_season[PREVIOUS_YEAR] == {"expired", "terminated"}
    assert set(Membership.Status.values) - by_season[SEASON_YEAR] == {"expired"}


def test_every_date_is_in_its_season_up_to_the_demo_day(demo):
    """The seasons are replayed day by day: nothing is stamped with the real date."""
    for membership in Membership.objects.select_related("season"):
        season = membership.season
        assert season.contains(timezone.localtime(membership.created_at).date())
        for day in (membership.accepted_on, membership.activated_on, membership.notice_given_on):
            assert day is None or (season.contains(day) and day <= DEMO_DAY)
        if membership.status == Membership.Status.ACTIVE:
            assert membership.ends_on == season.ends_on
            assert all(e.valid_from <= e.valid_until for e in membership.entitlements.all())
    received = list(Payment.objects.values_list("received_on", "invoice__membership__season__year"))
    assert received
    assert [r for r in received if r[0] > DEMO_DAY or r[0].year != r[1]] == []
    latest_note = AuditEntry.objects.filter(action="organisation.note_added").order_by("-created_at").first()
    assert timezone.localtime(latest_note.created_at).date() <= DEMO_DAY


def test_identifiers_are_valid_and_people_invented(demo):
    for siret, phone in Organisation.objects.values_list("siret", "phone"):
        assert clean_siret(siret) == siret
        assert clean_phone(phone) == phone
    assert set(Contact.objects.values_list("language", flat=True)) == {"fr", "en", "nl"}
    for latitude, longitude in Establishment.objects.values_list("latitude", "longitude"):
        assert 50.55 < latitude < 50.9 and 2.0 < longitude < 2.55
    names = list(User.objects.values_list("full_name", flat=True))
    names += [c.full_name for c in Contact.objects.all()]
    assert not [n for n in names if any(guide in n for guide in GUIDE_STAFF_NAMES)]
    notes = AuditEntry.objects.filter(action="organisation.note_added")
    assert {"call", "visit"} <= {note.data["kind"] for note in notes}


@pytest.mark.parametrize(
    "email",
    [
        "admin@ensemble.demo",
        "direction@saint-omer.demo",
        "accueil@saint-omer.demo",
        "relations@saint-omer.demo",
        "administration@saint-omer.demo",
        "promotion@saint-omer.demo",
        "stagiaire@saint-omer.demo",
        "staff@aire.demo",
        "partner@saint-omer.demo",
        "partner@both.demo",
    ],
)
def test_demo_logins_work(demo, email):
    user = User.objects.get(email=email)
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.filter(user=user, email=email, verified=True).exists()


def test_the_demo_has_one_staff_account_per_role(demo):
    saint_omer = StaffMembership.objects.filter(office__slug="saint-omer")
    assert set(saint_omer.values_list("role", flat=True)) == set(Role.values)
    assert StaffMembership.objects.get(user__email="staff@aire.demo").role == Role.DIRECTION


def test_partner_logins_own_active_memberships(demo):
    assert User.objects.get(email="admin@ensemble.demo").is_superuser
    partner = User.objects.get(email="partner@saint-omer.demo")
    assert Membership.objects.filter(
        office__slug="saint-omer",
        organisation__organisationmember__user=partner,
        organisation__organisationmember__role="owner",
        status=Membership.Status.ACTIVE,
    ).exists()
    both = User.objects.get(email="partner@both.demo")
    offices = set(both.organisations.values_list("office__slug", flat=True))
    assert offices == {"saint-omer", "aire-sur-la-lys"}


def snapshot() -> tuple:
    counts = {model._meta.label: model._default_manager.count() for model in apps.get_models()}
    memberships = list(Membership.objects.order_by("pk").values_list("pk", "status", "updated_at", "ends_on"))
    users = list(User.objects.order_by("pk").values_list("pk", "password", "full_name"))
    offices = list(Office.objects.order_by("pk").values())
    return counts, memberships, users, offices


def test_second_run_changes_nothing(demo):
    before = snapshot()
    output = load_demo()
    assert snapshot() == before
    assert "(dont 0 créée par ce chargement)" in output


def test_billing_at_work(demo):
    """Invoices with their PDFs, payments, a credit note, reminders and a customer credit."""
    from ensemble.billing.models import Invoice
    from ensemble.billing.payments import CustomerCredit
    from ensemble.billing.reminders import InvoiceReminder

    issued = Invoice.objects.filter(state="issued")
    assert issued.filter(kind="invoice").count() >= 20
    assert issued.filter(kind="credit_note").exists()
    assert InvoiceReminder.objects.exists()
    assert CustomerCredit.objects.exists()
    assert InvoiceReminder.objects.filter(email__isnull=False).exists()  # e-mailed
    # The PDFs are rendered by the worker after each commit (see make run); not in this test.


def test_quotes_in_every_state(demo):
    from ensemble.billing.quotes import Quote

    states = set(Quote.objects.values_list("state", flat=True))
    assert states >= {"draft", "sent", "accepted", "declined", "invoiced"}


def test_listings_in_three_languages_and_one_waiting_for_moderation(demo):
    from ensemble.listings.models import Availability, ChangeProposal, Listing

    listings = Listing.objects.all()
    assert listings.count() >= 30
    assert not listings.filter(short_description_nl="").exists()
    assert not listings.filter(version_number__lt=2).exists()  # initial + the office's content
    assert Availability.objects.exists()
    assert ChangeProposal.objects.filter(
        status="pending", submitted_by__email="partner@saint-omer.demo"
    ).exists()


def test_espace_pro_requests_and_a_running_campaign(demo):
    from ensemble.campaigns.models import CampaignTarget, UpdateCampaign
    from ensemble.claims.models import Claim, GiftCode

    statuses = set(Claim.objects.values_list("status", flat=True))
    assert {"done", "refused", "requested"} <= statuses
    assert GiftCode.objects.count() >= 10
    assert UpdateCampaign.objects.filter(status="launched").exists()
    assert CampaignTarget.objects.exists()


def test_office_places_and_reception_screens(demo):
    from ensemble.listings.models import Listing
    from ensemble.publishing.selectors import published_listings
    from ensemble.screens.models import Screen

    office = Office.objects.get(slug="saint-omer")
    places = Listing.objects.filter(office=office, is_office_place=True)
    assert places.count() == 2
    assert set(places) <= set(published_listings(office))
    assert Screen.objects.filter(office=office, revoked_at__isnull=True).count() == 3
