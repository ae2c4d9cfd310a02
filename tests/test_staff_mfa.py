"""Staff may protect their login with a TOTP second factor (django-allauth's mfa)."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)


def current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def login(client, email):
    return client.post("/comptes/login/", {"login": email, "password": "correct-horse-battery"})


def login_and_confirm_password(client, email):
    """allauth asks for the password again before security changes."""
    login(client, email)
    client.post("/comptes/reauthenticate/", {"password": "correct-horse-battery"})


def test_staff_enables_totp_then_login_asks_for_the_code(client, staff_user):
    login_and_confirm_password(client, staff_user.email)
    assert client.get("/comptes/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/comptes/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff_user, type=Authenticator.Type.TOTP).exists()

    client.logout()
    response = login(client, staff_user.email)
    assert response["Location"] == "/comptes/2fa/authenticate/"  # the second step
    assert "_auth_user_id" not in client.session  # not logged in yet


def test_a_wrong_code_activates_nothing(client, staff_user):
    login_and_confirm_password(client, staff_user.email)
    client.get("/comptes/2fa/totp/activate/")
    response = client.post("/comptes/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=staff_user).exists()
