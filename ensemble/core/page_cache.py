"""A cache of what anonymous visitors read — the public directory, listing and agenda pages,
the widget and the open-data API — shared by every process, and exact.

Exact: every answer is keyed by its office's content version, a random token kept in the same
cache. Whatever changes what an office publishes calls `invalidate_office(office_id)`: the
listings, memberships and directory services through `core.publication.content_changed` (which
this module listens to), the events, categories, amenities and office settings services
directly; once the transaction commits, the office gets a new token and the next request
renders again: a change is visible at once, in every process.
A token, not a counter: if the version key is evicted, a fresh token makes every old answer
miss, where a counter starting again at 1 could serve them. The key also holds the local date
(Europe/Paris), so what depends on today — the agenda's upcoming events, availability, a
season that starts — is rendered again each morning, and a fingerprint of the code, so a
deploy's new templates show at once. Answers can then live for hours:
`PUBLIC_PAGE_CACHE_SECONDS` (6 hours by default; 0 turns the cache off). The API still tells
browsers and CDNs `Cache-Control: public, max-age=60`; this server side is exact.

Shared: the `pages` alias is Redis when REDIS_URL is set, else a folder (var/cache/pages) every
process of the machine reads, culled by `FileCache` below (docs/decisions.md, part 6).

What changes for each request stays out of the cache: conditional answers (304) and CORS are
computed by the API's wrapper around it, the visibility counters are counted again at each
serving (`on_serve`), and a request that carries a session cookie (a partner or staff member
logged in) or a pending message is never served from, nor stored in, the cache. Only complete
200 answers that set no cookie, hold no CSRF token (the language menu is plain links for
that reason) and show no message are kept.

Why: a page that reads the database and renders a template costs 10-20 ms of CPU, a cached one
about what a trivial view costs; at 16 busy connections on two cores that decides whether the
public site keeps up (docs/benchmarks.md).
"""

import hashlib
import os
import pickle
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial, wraps
from pathlib import Path

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
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


# --- Content versions -----------------------------------------------------------------------


def _version_key(office_id: int) -> str:
    return f"pagever:{office_id}"


def _new_token() -> str:
    return secrets.token_urlsafe(12)  # 96 random bits: never the same twice


def office_version(office_id: int) -> str:
    """The office's current content version, made on first use (the first process to add it
    wins; the others read its token)."""
    cache = caches[ALIAS]
    version = cache.get(_version_key(office_id))
    if version is not None:
        return version
    token = _new_token()
    if cache.add(_version_key(office_id), token, None):
        return token
    # Lost the race: the winner's token. (None if evicted meanwhile: ours then keys answers
    # nobody will read, which is safe.)
    return cache.get(_version_key(office_id)) or token


def bump_office_version(office_id: int) -> None:
    """A new token for the office: every answer cached under the old one is never read again
    (and expires by itself)."""
    caches[ALIAS].set(_version_key(office_id), _new_token(), None)


def invalidate_office(office_id: int) -> None:
    """What `office_id` publishes has changed (or is about to, in this transaction): its cached
    answers are dropped once the transaction commits (at once outside one), so no request that
    starts after the commit is answered from the rows before the change. Services call it; it is
    cheap (one cache write) and calling it more than needed only costs a render per page."""
    # robust: the change is committed whatever happens; a cache that cannot be written is logged
    # (Django's "Error calling ... in on_commit()") rather than turned into an error page.
    transaction.on_commit(partial(bump_office_version, office_id), robust=True)


def invalidate_all_offices() -> None:
    """Every office's answers, e.g. after `manage.py restore` (the rows changed under versions
    the cache may still hold)."""
    from .models import Office

    for office_id in Office.objects.values_list("pk", flat=True):
        invalidate_office(office_id)


def on_content_changed(change) -> None:
    """`core.publication`'s listener (registered by CoreConfig.ready): every change an app reports
    there — a listing, a membership, an establishment, an amenity — drops its office's answers,
    whether or not a publication snapshot changed (an amenity's new name is in the directory's
    filters even when no listing carries it)."""
    invalidate_office(change.office_id)


@cache
def code_version() -> str:
    """A fingerprint of this process's code, templates and translations (the `ensemble` package's
    files), taken once: after a deploy, answers rendered by the previous release are not served
    for the hours they would still live, and two app servers on different releases during an
    upgrade each read their own. About 0.1 s, on the first cached request of a process."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        for name in sorted(files):
            path = Path(folder, name)
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def local_date() -> str:
    """Today in the deployment's time zone (Europe/Paris): what is "upcoming" or "available"
    changes at local midnight."""
    return timezone.localdate(timezone=timezone.get_default_timezone()).isoformat()


# --- Serving --------------------------------------------------------------------------------


def cache_key(request: HttpRequest) -> str | None:
    """The request's key, or None when it must not be cached. The office's version is read
    here, before anything renders: an answer rendered from rows older than a change is then
    stored under the version the change replaced, where nobody reads it."""
    if not seconds() or request.method not in ("GET", "HEAD"):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
        return None  # logged in, or a message waits for this visitor (« Vous êtes déconnecté »…)
    office = getattr(request, "office", None)
    if office is None:
        return None  # every public page belongs to an office: without one, no version to key by
    parts = (request.scheme, request.get_host(), get_language() or "", request.get_full_path())
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"page:{office.pk}:{office_version(office.pk)}:{local_date()}:{code_version()}:{digest}"


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


# --- The one-machine backend ----------------------------------------------------------------


class FileCache(FileBasedCache):
    """Django's file cache, culled as a cache of thousands of pages needs. Django's lists the
    whole folder at every write to count it (20 ms at 10,000 entries on the bench machine) and
    then removes a random third, content versions included; this one counts every
    `CULL_EVERY` writes of a process (an option, 100 by default: the folder may pass MAX_ENTRIES
    by that much per process) and removes the third written longest ago — the expired answers
    first, as every page lives as long — sparing the entries kept without a timeout (the
    offices' versions: losing one would make all of its office's answers miss)."""

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._cull_every = max(1, int(params.get("OPTIONS", {}).get("CULL_EVERY", 100)))
        self._writes = 0

    def _cull(self):
        self._writes += 1
        if self._writes % self._cull_every:
            return
        with os.scandir(self._dir) as found:
            entries = [entry for entry in found if entry.name.endswith(self.cache_suffix)]
        if len(entries) < self._max_entries:
            return
        if self._cull_frequency == 0:
            self.clear()
            return
        wanted = len(entries) // self._cull_frequency
        for entry in sorted(entries, key=_written_at):
            if wanted <= 0:
                break
            if not _kept_for_ever(entry.path) and self._delete(entry.path):
                wanted -= 1


def _written_at(entry: os.DirEntry) -> float:
    try:
        return entry.stat().st_mtime
    except FileNotFoundError:  # removed by another process meanwhile
        return 0.0


def _kept_for_ever(path: str) -> bool:
    """The entry was set with no timeout (FileBasedCache writes its expiry first, None then)."""
    try:
        with open(path, "rb") as file:
            return pickle.load(file) is None  # noqa: S301 — our own cache files, in our own folder
    except (FileNotFoundError, EOFError, pickle.UnpicklingError):
        return False
