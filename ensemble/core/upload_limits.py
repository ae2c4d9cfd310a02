"""The request body capped before anything reads it (`MAX_REQUEST_BODY_BYTES`).

First in MIDDLEWARE: a request announcing a longer body (its Content-Length) gets a short 413 page
and not a byte of the body is read, by Django or by us (only `request.META` is looked at). The web
server in front has the same limit (nginx `client_max_body_size`) and normally refuses first.

A body without a length (`Transfer-Encoding: chunked`) is refused with 411 rather than read
through a limited reader: Django only ever reads `CONTENT_LENGTH` bytes, so such a body would
reach the view as an empty form anyway; saying so is clearer, and leaves no way round the cap.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import number_format

DEFAULT_MAX_REQUEST_BODY_BYTES = 25 * 1024 * 1024


def _declared_length(meta) -> int:
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # as Django does: a body it will not read


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "MAX_REQUEST_BODY_BYTES", DEFAULT_MAX_REQUEST_BODY_BYTES)
        if "HTTP_TRANSFER_ENCODING" in request.META:
            return self.refuse(request, status=411, limit=limit)
        if _declared_length(request.META) > limit:
            return self.refuse(request, status=413, limit=limit)
        return self.get_response(request)

    def refuse(self, request, *, status: int, limit: int) -> HttpResponse:
        # LocaleMiddleware has not run yet: the language comes from the cookie or the browser.
        language = translation.get_language_from_request(request)
        with translation.override(language):
            megabytes = number_format(limit // (1024 * 1024), force_grouping=True)
            content = render_to_string("413.html", {"status": status, "limit": megabytes})
        response = HttpResponse(content, status=status)
        response.headers["Content-Language"] = language
        # The later middleware, which would add it, does not run for this answer.
        response.headers["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response
