"""What every API answer goes through: CORS for the office's own sites, conditional requests,
HEAD, and JSON errors.

- CORS: `Access-Control-Allow-Origin` echoes the request's `Origin` only when it is one of the
  office's `api_allowed_origins`; `Vary: Origin` always; preflight (OPTIONS) answered here; no
  credentials (the API has no cookies and no login).
- Messages (errors) in French, whatever language the client asks for.
- A cache of the views' answers for a minute (`core.page_cache`, per path, query and language);
  what follows is computed for each request, cached answer or not.
- Conditional requests: a strong `ETag` (a hash of the body) and the `Last-Modified` the view
  set; `If-None-Match` / `If-Modified-Since` answer 304. A validator that cannot be parsed is
  ignored (Django's parsers drop it), as is an `If-Modified-Since` in the future.
"""

import hashlib
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe
from django.views.decorators.csrf import csrf_exempt

from ensemble.core import page_cache
from ensemble.core.origins import normalise_origin

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
ALLOWED_REQUEST_HEADERS = frozenset(
    {"accept", "accept-language", "cache-control", "if-modified-since", "if-none-match"}
)
PREFLIGHT_MAX_AGE = 86400
CACHE_CONTROL = "public, max-age=60"


def allowed_origin(request: HttpRequest) -> str | None:
    """The request's Origin if the office lists it, else None."""
    origin = request.headers.get("Origin", "")
    office = getattr(request, "office", None)
    if not origin or office is None:
        return None
    return origin if normalise_origin(origin) in office.api_origins else None


def api_view(view):
    """Wrap one view of the API (a ninja route, the schema, the JSON 404)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            return preflight(request)
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        request.GET = without_nul(request.GET)
        response = page_cache.serve(request, lambda: _french(view, request, *args, **kwargs))
        if head:
            request.method = "HEAD"
        response = conditional(request, response)
        add_cors_headers(request, response)
        if head:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response

    return csrf_exempt(wrapped)


def _french(view, request: HttpRequest, *args, **kwargs) -> HttpResponse:
    with translation.override("fr"):  # the API's messages are French, whatever the client asks
        return view(request, *args, **kwargs)


def without_nul(query: QueryDict) -> QueryDict:
    """The query without NUL characters, which PostgreSQL refuses in any text (a 500 otherwise)."""
    if not any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()):
        return query
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
    cleaned._mutable = False
    return cleaned


def preflight(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(status=204)
    response["Allow"] = ALLOWED_METHODS
    patch_vary_headers(
        response, ("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers")
    )
    origin = allowed_origin(request)
    if origin and request.headers.get("Access-Control-Request-Method"):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        requested = request.headers.get("Access-Control-Request-Headers", "").split(",")
        allowed = [
            name.strip().lower() for name in requested if name.strip().lower() in ALLOWED_REQUEST_HEADERS
        ]
        if allowed:
            response["Access-Control-Allow-Headers"] = ", ".join(allowed)
        response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


def add_cors_headers(request: HttpRequest, response: HttpResponse) -> None:
    patch_vary_headers(response, ("Origin",))
    origin = allowed_origin(request)
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = "ETag"


def conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """ETag on every 200, then 304 when the client's copy is current."""
    if response.status_code != 200 or request.method not in ("GET", "HEAD"):
        return response
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    response.headers.setdefault("Cache-Control", CACHE_CONTROL)
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    if since is not None and since > timezone.now().timestamp():
        del request.META["HTTP_IF_MODIFIED_SINCE"]  # a date in the future is not a validator
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    return get_conditional_response(
        request, etag=response["ETag"], last_modified=last_modified, response=response
    )


def json_error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})
