"""Click tracking: /<office>/go/<listing_id>/<kind>/ counts a click on a published listing's
phone, e-mail, website or booking link and redirects to it.

Only the listing's own contact details are ever a target (nothing comes from the query string),
so the view cannot be used as an open redirect; a listing that is not published, or has no
such detail, or an unknown kind, answers 404. Nothing about the visitor is kept.
"""

import re
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views import View

from ensemble.listings.models import Listing
from ensemble.publishing.selectors import published_listings
from ensemble.stats import services as stats
from ensemble.stats.models import VisibilityCount

Kind = VisibilityCount.Kind
KINDS = {
    "phone": Kind.CLICK_PHONE,
    "email": Kind.CLICK_EMAIL,
    "website": Kind.CLICK_WEBSITE,
    "booking": Kind.CLICK_BOOKING,
}
PHONE = re.compile(r"\+?[0-9]{3,20}")
WEB = URLValidator(schemes=["http", "https"])


class OutboundRedirect(HttpResponseRedirect):
    allowed_schemes = ["http", "https", "tel", "mailto"]


def _web(url: str) -> str:
    try:
        WEB(url)
    except ValidationError:
        return ""
    return url


def _phone(phone: str) -> str:
    return f"tel:{phone}" if PHONE.fullmatch(phone) else ""


def _email(email: str) -> str:
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return f"mailto:{quote(email, safe='@')}"


def target(listing: Listing, kind: str) -> str:
    """The URL a click of `kind` leads to: the listing's own detail, checked; "" if none."""
    establishment = listing.establishment
    if kind == "phone":
        return _phone(establishment.phone) if establishment.phone else ""
    if kind == "email":
        return _email(establishment.email) if establishment.email else ""
    url = establishment.website if kind == "website" else listing.booking_url
    return _web(url) if url else ""


class GoView(View):
    http_method_names = ["get", "head"]

    def _redirect(self, request, listing_id: int, kind: str, *, count: bool):
        if kind not in KINDS:
            raise Http404
        listing = get_object_or_404(
            published_listings(request.office).select_related("establishment"), pk=listing_id
        )
        url = target(listing, kind)
        if not url:
            raise Http404
        if count:
            stats.record_click(listing, KINDS[kind], request=request)
        response = OutboundRedirect(url)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get(self, request, *args, listing_id: int, kind: str, **kwargs):
        return self._redirect(request, listing_id, kind, count=True)

    def head(self, request, *args, listing_id: int, kind: str, **kwargs):
        return self._redirect(request, listing_id, kind, count=False)
