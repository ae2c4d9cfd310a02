"""Staff sessions: a second factor really met, an idle limit and a maximum age, logins logged.

A session that has entered a back office is marked with its start; from then on it ends after
`STAFF_SESSION_IDLE_SECONDS` without a request or `STAFF_SESSION_MAX_AGE_SECONDS` in all (a
partner's session is not concerned). Logins, failed logins and second-factor set-ups are written
to the audit log.
"""

import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa.signals import authenticator_added
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.core import audit
from ensemble.core.client_ip import client_ip

from .models import StaffMembership

STARTED = "staff_session_started"
SEEN = "staff_session_seen"
# The last-seen time is written at most this often, not at every request.
SEEN_RESOLUTION = 60

audit.register_actions(
    {
        "account.logged_in": gettext_lazy("Connexion de %(target)s (%(method)s)"),
        "account.login_failed": gettext_lazy("Échec de connexion pour %(login)s"),
        "account.mfa_added": gettext_lazy("Double authentification activée par %(target)s"),
        "account.staff_session_expired": gettext_lazy("Session de %(target)s terminée (%(reason)s)"),
    }
)


def mark_staff_session(request) -> None:
    """Start the staff clock at login (or at the first back-office page), then note the last
    request at most once a minute (each note is a session write)."""
    now = int(time.time())
    if STARTED not in request.session:
        request.session[STARTED] = now
    if now - request.session.get(SEEN, 0) >= SEEN_RESOLUTION:
        request.session[SEEN] = now


def met_second_factor(request, totp) -> bool:
    """The code was given at login, or TOTP was set up during this session (which asks for a
    code too)."""
    if any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user)):
        return True
    started = request.session.get(STARTED)
    return started is not None and totp.created_at.timestamp() >= started


def expired_reason(session, now: float) -> str | None:
    started = session.get(STARTED)
    if started is None:
        return None
    if now - started > settings.STAFF_SESSION_MAX_AGE_SECONDS:
        return "max_age"
    if now - session.get(SEEN, started) > settings.STAFF_SESSION_IDLE_SECONDS + SEEN_RESOLUTION:
        return "idle"
    return None


class StaffSessionMiddleware:
    """Ends a staff session that was idle too long or is too old, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only a request carrying a session cookie can be a staff session: the others are not made
        # to load one (public pages stay cacheable, without « Vary: Cookie »).
        user = getattr(request, "user", None) if settings.SESSION_COOKIE_NAME in request.COOKIES else None
        if user is not None and user.is_authenticated:
            reason = expired_reason(request.session, time.time())
            if reason is not None:
                audit.record(
                    "account.staff_session_expired",
                    actor=user,
                    office=getattr(request, "office", None),
                    target=user,
                    data={"reason": reason},
                )
                logout(request)
                messages.info(request, _("Votre session a expiré : reconnectez-vous."))
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="ensemble_audit_login")
def _logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    if StaffMembership.objects.filter(user=user, is_active=True).exists():
        mark_staff_session(request)
    records = get_authentication_records(request, user)
    method = records[-1].get("method", "") if records else ""
    audit.record(
        "account.logged_in",
        actor=user,
        office=getattr(request, "office", None),
        target=user,
        data={"method": method},
        ip_address=client_ip(request),
    )


@receiver(user_login_failed, dispatch_uid="ensemble_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    login = str(credentials.get("email") or credentials.get("username") or "")[:200]
    audit.record(
        "account.login_failed",
        actor=None,
        office=getattr(request, "office", None) if request is not None else None,
        data={"login": login},
        ip_address=client_ip(request) if request is not None else None,
    )


@receiver(authenticator_added, dispatch_uid="ensemble_mfa_added")
def _authenticator_added(sender, request, user, authenticator, **kwargs):
    audit.record("account.mfa_added", actor=user, office=None, target=user, data={"type": authenticator.type})
