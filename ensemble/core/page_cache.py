"""A short-lived cache of what anonymous visitors read: the public directory, listing and agenda
pages, the widget and the open-data API.

The same answer is kept for `PUBLIC_PAGE_CACHE_SECONDS` (60 s by default; 0 turns the cache off),
per office host, path with its query string, and language. A visitor may so see a change up to a
minute late; the API already tells clients as much (`Cache-Control: public, max-age=60`). What
changes for each request stays out of the cache: conditional answers (304) and CORS are computed
by the API's wrapper around it, the visibility counters are counted again at each serving
(`on_serve`), and a request that carries a session cookie (a partner or staff member logged in)
or a pending message is never served from, nor stored in, the cache. Only complete 200 answers
that set no cookie, hold no CSRF token (the language menu posts without one for that reason)
and show no message are kept.

Why: a page that reads the database and renders a template costs 10-20 ms of CPU, a cached one
about what a trivial view costs; at 16 busy connections on two cores that decides whether the
public site keeps up (docs/benchmarks.md). The cache is the `pages` alias (per-process memory
by default, bounded by MAX_ENTRIES), so it needs nothing more to run.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

ALIAS = "pages"
HEADER = "X-Cache"  # hit or miss, on the answers the cache could keep (for operators and bench/)
Replay = Callable[[HttpRequest], None]


@dataclass
class Entry:
    status: int
    content: bytes
    headers: list[tuple[str, str]]
    replays: list[Replay] = field(default_factory=list)
    frameable: bool = False  # xframe_options_exempt (the widget), read by the middleware


def seconds() -> int:
    return int(getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 0))


def cache_key(request: HttpRequest) -> str | None:
    """The request's key, or None when it must not be cached."""
    if not seconds() or request.method not in ("GET", "HEAD"):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
        return None  # logged in, or a message waits for this visitor (« Vous êtes déconnecté »…)
    office = getattr(request, "office", None)
    parts = (
        request.scheme,
        request.get_host(),
        str(office.pk if office else "-"),
        get_language() or "",
        request.get_full_path(),
    )
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"page:{digest}"


def on_serve(request: HttpRequest, replay: Replay) -> None:
    """Run `replay(request=request)` now, and again with each request this answer is served to
    from the cache (a counter of views). It is stored with the answer: a module-level function
    or a functools.partial of one."""
    replay(request=request)
    request.__dict__.setdefault("_page_cache_replays", []).append(replay)


def serve(request: HttpRequest, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The cached answer to `request` if there is one, else `render()`'s, kept for next time."""
    key = cache_key(request)
    if key is None:
        return render()
    entry = caches[ALIAS].get(key)
    if entry is not None:
        for replay in entry.replays:
            replay(request=request)
        response = _response(entry)
        response.headers[HEADER] = "hit"
        return response
    response = render()
    if callable(getattr(response, "render", None)) and not getattr(response, "is_rendered", True):
        response.render()
    if _storable(request, response):
        entry = Entry(
            status=response.status_code,
            content=response.content,
            headers=list(response.headers.items()),
            replays=request.__dict__.get("_page_cache_replays", []),
            frameable=getattr(response, "xframe_options_exempt", False),
        )
        caches[ALIAS].set(key, entry, seconds())
        response.headers[HEADER] = "miss"
    return response


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    """A complete 200 that sets no cookie, holds no CSRF token (a token is tied to one
    visitor's cookie: the middleware marks the request when a page asked for one) and shows
    no flash message (one visitor's)."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(getattr(request, "_messages", None), "used", False)  # shows a message
    )


def _response(entry: Entry) -> HttpResponse:
    response = HttpResponse(entry.content, status=entry.status)
    for name, value in entry.headers:
        response.headers[name] = value
    if entry.frameable:
        response.xframe_options_exempt = True
    return response


def cached_page(view):
    """Decorate a public view (function or `as_view()`) with the cache."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return serve(request, lambda: view(request, *args, **kwargs))

    return wrapped
