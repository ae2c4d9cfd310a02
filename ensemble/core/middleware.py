"""Resolve the current office from the URL prefix (/<office_slug>/…) or from its own host name.

On an office's own host name, a path without the prefix is served as if it had it
(`/adherer/` is `/<office_slug>/adherer/`); prefixed links keep working there too.
"""

from django.conf import settings
from django.db.models import Q
from django.http import Http404

from .models import Office

# Paths that belong to the deployment, not to an office, even on an office's own host name.
GLOBAL_PREFIXES = ("/admin/", "/comptes/", "/i18n/", "/static/", "/media/", "/healthz/")


class OfficeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.office = None
        host = request.get_host().split(":")[0].lower()
        # One query for both ways of naming the office: its host name, or the first segment of
        # the path (which process_view then finds here instead of reading the office again).
        segment = request.path_info.lstrip("/").split("/", 1)[0]
        found = list(Office.objects.filter((Q(domain=host) & ~Q(domain="")) | Q(slug=segment))[:2])
        office = next((each for each in found if each.domain and each.domain == host), None)
        request._office_by_slug = next((each for each in found if each.slug == segment), None)
        if office is not None:
            request.office = office
            prefix = f"/{office.slug}/"
            path = request.path_info
            if not path.startswith(prefix) and not path.startswith(GLOBAL_PREFIXES):
                request.path_info = prefix + path.lstrip("/")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("office_slug")
        if slug is None:
            return None
        if request.office is not None and request.office.slug == slug:
            return None
        known = getattr(request, "_office_by_slug", None)
        if known is not None and known.slug == slug:
            request.office = known
            return None
        try:
            request.office = Office.objects.get(slug=slug)
        except Office.DoesNotExist:
            raise Http404("Office inconnu.") from None
        return None


class ContentSecurityPolicyMiddleware:
    """A strict CSP: no inline scripts, no third-party origin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
