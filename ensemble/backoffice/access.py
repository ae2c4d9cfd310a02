"""Who may enter the back office of an office, what their role lets them do, and how its records
are looked up."""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from ensemble.accounts.models import StaffMembership
from ensemble.accounts.roles import Permission
from ensemble.accounts.selectors import active_staff_membership, totp_authenticator
from ensemble.accounts.sessions import mark_staff_session, met_second_factor
from ensemble.core import audit
from ensemble.core.models import Office

logger = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class StaffRequiredMixin:
    """Staff of `request.office` only, with the permission the view declares.

    Every view declares `permission` (what reading it needs) and, when its POST does more than
    that, `action_permission`; a view that declares none refuses to run. Anonymous people are sent
    to the login page; anyone else who is not staff of the office (a partner, another office's
    staff) gets a 404, so another office's pages do not even exist for them. Staff whose role
    lacks the permission get a 403 with a message, and the attempt is logged. Roles that touch
    money, exports, settings or staff (or every role, if the office asks) must have met their
    second factor. The object is then loaded in `load_object()` before the HTTP method runs:
    a record of another office answers 404 to every method.
    """

    nav: str = ""
    permission: str | None = None
    action_permission: str | None = None
    # A download worth an audit entry (a private document); attachments served by views that need
    # the export permission are logged as exports without saying so.
    logged_as: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        office = getattr(request, "office", None)
        staff = active_staff_membership(request.user, office) if office is not None else None
        if staff is None:
            raise Http404
        self.office = office
        self.staff = staff
        mark_staff_session(request)
        refusal = second_factor_refusal(request, staff)
        if refusal is not None:
            return refusal
        self.check_permission(request, staff)
        self.load_object(**kwargs)
        response = super().dispatch(request, *args, **kwargs)
        self.log_download(request, response)
        return response

    def log_download(self, request, response) -> None:
        if request.method != "GET" or response.status_code != 200:
            return
        code = self.logged_as
        exported = "attachment" in response.get("Content-Disposition", "")
        if not code and exported and self.required_permission("GET") == Permission.EXPORT:
            code = "data.exported"
        if code:
            audit.record(
                code,
                actor=request.user,
                office=self.office,
                data={"path": request.path, "query": request.GET.urlencode()},
            )

    @classmethod
    def required_permission(cls, method: str) -> str:
        if cls.permission is None:
            raise ImproperlyConfigured(f"{cls.__name__} declares no permission.")
        if method.upper() in SAFE_METHODS:
            return cls.permission
        return cls.action_permission or cls.permission

    def check_permission(self, request, staff: StaffMembership) -> None:
        needed = self.required_permission(request.method)
        if staff.has_permission(needed):
            return
        label = Permission(needed).label
        audit.record(
            "access.denied",
            actor=request.user,
            office=self.office,
            data={"permission": needed, "path": request.path, "method": request.method},
        )
        logger.warning(
            "access denied: %s %s %s needs %s", request.user.pk, request.method, request.path, needed
        )
        raise PermissionDenied(
            _("Votre rôle (%(role)s) ne permet pas cette action : il faut le droit « %(permission)s ».")
            % {"role": staff.get_role_display(), "permission": label}
        )

    def load_object(self, **kwargs) -> None:
        """Look up the view's object through an office-scoped selector (raise Http404)."""

    def can(self, permission: str) -> bool:
        return self.staff.has_permission(permission)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav"] = self.nav
        context["staff"] = self.staff
        context["perms_here"] = StaffPermissions(self.staff)
        return context

    def office_url(self, name: str, **kwargs) -> str:
        return office_url(self.office, name, **kwargs)


class StaffPermissions:
    """`{{ perms_here.invoice }}` in templates: may this staff member do it here?"""

    def __init__(self, staff: StaffMembership):
        self._staff = staff

    def __getattr__(self, name: str) -> bool:
        return self._staff.has_permission(name)


def second_factor_refusal(request, staff: StaffMembership):
    """None when the person may go on; otherwise where they must go first.

    A person with TOTP must have used it in this session (a one-time e-mailed code alone is a
    partner's login). A role that requires TOTP without it set up goes to its activation."""
    if not settings.STAFF_MFA_ENFORCED:
        return None
    totp = totp_authenticator(request.user)
    if totp is not None:
        if met_second_factor(request, totp):
            return None
        # Logged in without it (a one-time e-mailed code, or a session older than the TOTP): log
        # in again, and allauth asks for the code.
        next_path = request.get_full_path()
        logout(request)
        messages.warning(request, _("Connectez-vous avec votre code de double authentification."))
        return redirect_to_login(next_path)
    if staff.requires_mfa():
        messages.warning(
            request,
            _(
                "Votre rôle demande une double authentification : activez une application "
                "d'authentification pour continuer."
            ),
        )
        return redirect(reverse("mfa_activate_totp") + "?next=" + request.get_full_path())
    return None


def office_url(office: Office, name: str, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": office.slug, **kwargs})


def get_or_404(selector: Callable[..., Any], *args, **kwargs) -> Any:
    """Call an office-scoped selector that raises DoesNotExist; answer 404 instead."""
    try:
        return selector(*args, **kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None
