"""Who may enter the back office of an office, and how its records are looked up."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.urls import reverse

from ensemble.accounts.selectors import is_office_staff
from ensemble.core.models import Office


class StaffRequiredMixin:
    """Staff of `request.office` only.

    Anonymous people are sent to the login page; anyone else (a partner, another office's staff)
    gets a 404, so one office's staff cannot even learn that another office's pages exist.
    Subclasses load their object in `load_object()`, which runs before the HTTP method is
    dispatched: a record of another office answers 404 to every method, GET and POST alike.
    """

    nav: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        office = getattr(request, "office", None)
        if office is None or not is_office_staff(request.user, office):
            raise Http404
        self.office = office
        self.load_object(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load_object(self, **kwargs) -> None:
        """Look up the view's object through an office-scoped selector (raise Http404)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav"] = self.nav
        return context

    def office_url(self, name: str, **kwargs) -> str:
        return office_url(self.office, name, **kwargs)


def office_url(office: Office, name: str, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": office.slug, **kwargs})


def get_or_404(selector: Callable[..., Any], *args, **kwargs) -> Any:
    """Call an office-scoped selector that raises DoesNotExist; answer 404 instead."""
    try:
        return selector(*args, **kwargs)
    except ObjectDoesNotExist:
        raise Http404 from None
