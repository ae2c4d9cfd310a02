"""`manage.py load_demo`: both offices, partners in every membership state, working demo logins,
and a second run that changes nothing."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from ensemble.accounts.models import StaffMembership, User
from ensemble.core.models import Office
from ensemble.directory.models import Contact, Establishment, Organisation, TimelineEntry
from ensemble.directory.validators import clean_phone, clean_siret
from ensemble.memberships.models import Membership, Payment

PASSWORD = "ensemble-demo"
# The office's staff printed in the partner guide: demo data must not reuse their names.
GUIDE_STAFF_NAMES = ["Lengagne", "Raekelboom", "Delattre", "Krzekotowski", "Duquenne", "Caron"]


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


# The demo shows the 2022 season once it is over; these tests run on a fixed day after it (and
# not on conftest's day inside the season).
DEMO_DAY = datetime.datetime(2023, 1, 16, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


@pytest.fixture(autouse=True)
def _during_the_2022_season():
    """Overrides conftest's fixture of the same name for this module."""
    with time_machine.travel(DEMO_DAY, tick=True):
        yield


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once for this module, in a transaction rolled back after its last test
    (each test still runs in its own savepoint, like any `db` test)."""
    with (
        time_machine.travel(DEMO_DAY, tick=True),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
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


def test_dates_stay_in_the_season_and_in_the_past(demo):
    today = timezone.localdate()
    active = Membership.objects.filter(status=Membership.Status.ACTIVE).select_related("season")
    assert active.exists()
    for membership in active:
        assert membership.season.contains(membership.activated_on)
        assert membership.ends_on == membership.season.ends_on
        for entitlement in membership.entitlements.all():
            assert entitlement.valid_from <= entitlement.valid_until
    received = list(Payment.objects.values_list("received_on", flat=True))
    assert received
    assert [day for day in received if day > today or day.year != 2022] == []
    ended = Membership.objects.filter(status=Membership.Status.EXPIRED)
    assert all(m.season.ends_on < datetime.date(2023, 1, 1) for m in ended)


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
    kinds = set(TimelineEntry.objects.values_list("kind", flat=True))
    assert {TimelineEntry.Kind.CALL, TimelineEntry.Kind.VISIT} <= kinds


@pytest.mark.parametrize(
    "email",
    [
        "admin@ensemble.demo",
        "accueil@saint-omer.demo",
        "relations@saint-omer.demo",
        "staff@aire.demo",
        "partner@saint-omer.demo",
        "partner@both.demo",
    ],
)
def test_demo_logins_work(demo, email):
    user = User.objects.get(email=email)
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.filter(user=user, email=email, verified=True).exists()


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
    assert "(0 créées maintenant)" in output


def test_refuses_to_load_during_the_season(db):
    before = snapshot()
    with time_machine.travel(datetime.datetime(2022, 6, 1, 12, 0, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(CommandError, match="après le 31/12/2022"):
            load_demo()
    assert snapshot() == before
