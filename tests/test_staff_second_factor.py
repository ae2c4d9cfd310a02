"""Staff meet their second factor where their role asks for it, and staff sessions expire.

The rest of the suite logs staff in with force_login and STAFF_MFA_ENFORCED off; here it is on.
"""

import datetime
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from ensemble.accounts.models import StaffMembership
from ensemble.accounts.roles import Role, role_requires_mfa
from ensemble.core.models import AuditEntry

from .conftest import verified
from .factories import StaffFactory, UserFactory
from .test_staff_mfa import current_code

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture
def enforced(settings):
    settings.STAFF_MFA_ENFORCED = True


def dashboard(office) -> str:
    return reverse("backoffice:dashboard", kwargs={"office_slug": office.slug})


def staff_with_role(office, role: str, email: str):
    user = UserFactory(email=email)
    user.set_password(PASSWORD)
    user.save()
    StaffFactory(office=office, user=user, role=role)
    return verified(user)


def log_in(client, user):
    return client.post("/comptes/login/", {"login": user.email, "password": PASSWORD})


def activate_totp(client, capture) -> str:
    """Set up TOTP in the logged-in session; return the secret. allauth announces the new
    authenticator after commit: `capture` runs those callbacks, as a real request would."""
    client.post("/comptes/reauthenticate/", {"password": PASSWORD})
    client.get("/comptes/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]
    with capture(execute=True):
        response = client.post("/comptes/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    return secret


def test_the_roles_that_touch_money_exports_settings_or_staff_require_it():
    assert {r for r in Role.values if role_requires_mfa(r)} == {
        Role.DIRECTION,
        Role.PARTNERS,  # exports
        Role.ACCOUNTING,
    }


def test_an_accountant_without_totp_is_sent_to_set_it_up_then_gets_in(
    client, office, enforced, django_capture_on_commit_callbacks
):
    accountant = staff_with_role(office, Role.ACCOUNTING, "compta@saint-omer.example")
    log_in(client, accountant)
    response = client.get(dashboard(office))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))

    activate_totp(client, django_capture_on_commit_callbacks)
    assert client.get(dashboard(office)).status_code == 200  # setting it up proved the code
    assert AuditEntry.objects.filter(action="account.mfa_added", actor=accountant).exists()


def test_a_read_only_member_gets_in_without_totp_unless_the_office_requires_it(
    client, office, enforced, django_capture_on_commit_callbacks
):
    reader = staff_with_role(office, Role.READ_ONLY, "lecture@saint-omer.example")
    log_in(client, reader)
    assert client.get(dashboard(office)).status_code == 200

    office.require_staff_mfa = True
    office.save(update_fields=["require_staff_mfa"])
    response = client.get(dashboard(office))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_the_password_alone_is_not_enough_once_totp_is_set(
    client, office, enforced, django_capture_on_commit_callbacks
):
    director = staff_with_role(office, Role.DIRECTION, "direction@saint-omer.example")
    log_in(client, director)
    secret = activate_totp(client, django_capture_on_commit_callbacks)
    client.logout()

    response = log_in(client, director)
    assert response["Location"] == "/comptes/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.get(dashboard(office)).status_code == 302  # still anonymous: to the login

    client.post("/comptes/2fa/authenticate/", {"code": current_code(secret)})
    assert client.get(dashboard(office)).status_code == 200


def test_a_session_that_skipped_the_second_factor_is_logged_out(client, office, enforced):
    """force_login stands for any way in that did not ask for the code (a one-time e-mailed
    code, a session opened before TOTP was set): the back office logs the person out."""
    director = staff_with_role(office, Role.DIRECTION, "direction@saint-omer.example")
    Authenticator.objects.create(
        user=director,
        type=Authenticator.Type.TOTP,
        data={"secret": "x"},
        created_at=timezone.now() - datetime.timedelta(days=1),
    )
    client.force_login(director)
    response = client.get(dashboard(office))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_totp_codes_are_locked_for_a_while(
    client, office, enforced, django_capture_on_commit_callbacks
):
    director = staff_with_role(office, Role.DIRECTION, "direction@saint-omer.example")
    log_in(client, director)
    secret = activate_totp(client, django_capture_on_commit_callbacks)
    client.logout()
    log_in(client, director)
    for _ in range(5):
        client.post("/comptes/2fa/authenticate/", {"code": "000000"})
    # Locked: even the right code is refused until the window passes (ACCOUNT_RATE_LIMITS).
    response = client.post("/comptes/2fa/authenticate/", {"code": current_code(secret)})
    assert "_auth_user_id" not in client.session
    assert "Trop de tentatives" in response.content.decode() or response.status_code == 429


@override_settings(STAFF_SESSION_IDLE_SECONDS=2 * 3600, STAFF_SESSION_MAX_AGE_SECONDS=12 * 3600)
def test_a_staff_session_ends_after_two_idle_hours(client, office, staff_user):
    with time_machine.travel(time.time(), tick=False) as clock:
        client.force_login(staff_user)
        assert client.get(dashboard(office)).status_code == 200
        clock.shift(3600)
        assert client.get(dashboard(office)).status_code == 200
        clock.shift(2 * 3600 + 120)
        response = client.get(dashboard(office))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="account.staff_session_expired", data__reason="idle").exists()


@override_settings(STAFF_SESSION_IDLE_SECONDS=2 * 3600, STAFF_SESSION_MAX_AGE_SECONDS=12 * 3600)
def test_a_staff_session_ends_after_twelve_hours_even_when_busy(client, office, staff_user):
    with time_machine.travel(time.time(), tick=False) as clock:
        client.force_login(staff_user)
        for _ in range(12):
            assert client.get(dashboard(office)).status_code == 200
            clock.shift(3600)
        response = client.get(dashboard(office))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_partner_session_is_not_cut_by_the_staff_limits(client, partner, office):
    with time_machine.travel(time.time(), tick=False) as clock:
        client.force_login(partner.user)
        portal = reverse("portal:home", kwargs={"office_slug": office.slug})
        assert client.get(portal).status_code == 200
        clock.shift(13 * 3600)
        assert client.get(portal).status_code == 200


def test_a_deactivated_staff_member_gets_404(client, office, staff_user):
    client.force_login(staff_user)
    assert client.get(dashboard(office)).status_code == 200
    StaffMembership.objects.filter(user=staff_user).update(is_active=False)
    assert client.get(dashboard(office)).status_code == 404


def test_logins_and_failures_are_logged(client, office):
    reader = staff_with_role(office, Role.READ_ONLY, "lecture@saint-omer.example")
    client.post("/comptes/login/", {"login": reader.email, "password": "wrong"})
    assert AuditEntry.objects.filter(action="account.login_failed", data__login=reader.email).exists()
    log_in(client, reader)
    entry = AuditEntry.objects.get(action="account.logged_in", actor=reader)
    assert entry.data["method"] == "password"
    assert entry.ip_address == "127.0.0.1"


def test_the_menu_offers_only_what_the_role_may_open(client, office):
    reader = staff_with_role(office, Role.READ_ONLY, "lecture@saint-omer.example")
    client.force_login(reader)
    html = client.get(reverse("backoffice:invoices", kwargs={"office_slug": office.slug})).content.decode()
    for name in ("team", "privacy", "datatourisme_import", "accounting"):
        assert reverse(f"backoffice:{name}", kwargs={"office_slug": office.slug}) not in html, name
    StaffMembership.objects.filter(user=reader).update(role=Role.DIRECTION)
    html = client.get(reverse("backoffice:invoices", kwargs={"office_slug": office.slug})).content.decode()
    for name in ("team", "privacy", "datatourisme_import", "accounting"):
        assert reverse(f"backoffice:{name}", kwargs={"office_slug": office.slug}) in html, name
