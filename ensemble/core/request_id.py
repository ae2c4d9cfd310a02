"""A request id on every answer and every log line, one access-log line per request, JSON logs.

`RequestIdMiddleware` (first in MIDDLEWARE) keeps the proxy's `X-Request-ID` when it is a sane
token (nginx: `proxy_set_header X-Request-ID $request_id;`), else makes one, sends it back in the
response header and keeps the request in a context variable for the duration of the request.
`RequestContextFilter`, on the log handlers, adds to every record the request id, the office's
slug and the user's id when they are already known — never an e-mail or an address
(docs/security.md keeps client addresses to the audit log and the rate limits, hashed there).
`JsonFormatter` writes one JSON object a line (production: stdout, read by journald).
"""

import contextvars
import datetime
import json
import logging
import re
import time
import uuid

import sentry_sdk
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty

access_logger = logging.getLogger("ensemble.access")

# nginx's $request_id is 32 hex digits; load balancers send UUIDs or dotted/colon forms. Anything
# else (spaces, quotes, newlines, 4 kB of junk) is replaced rather than written to the logs.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")

_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "ensemble_request", default=None
)


def current_request_id() -> str | None:
    request = _current_request.get()
    return getattr(request, "request_id", None) if request is not None else None


def incoming_request_id(value: str) -> str:
    """The proxy's id when it is a sane token, else a fresh one."""
    return value if SANE_REQUEST_ID.fullmatch(value) else uuid.uuid4().hex


def known_user_id(request: HttpRequest) -> int | None:
    """The logged-in user's id if the request has already loaded the user. A log line must not
    be what loads it (a session read, a query, inside a logging call)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped  # noqa: SLF001 — the only way to look without evaluating
        if user is empty:
            return None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def office_slug(request: HttpRequest) -> str | None:
    office = getattr(request, "office", None)
    return office.slug if office is not None else None


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = incoming_request_id(request.META.get("HTTP_X_REQUEST_ID", ""))
        token = _current_request.set(request)
        sentry_sdk.set_tag("request_id", request.request_id)  # a no-op without SENTRY_DSN
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response.headers["X-Request-ID"] = request.request_id
            log_access(request, response, duration_ms=(time.perf_counter() - started) * 1000)
            return response
        finally:
            _current_request.reset(token)


def log_access(request: HttpRequest, response, *, duration_ms: float) -> None:
    """One line a request. The path without its query string (tokens and searches live there);
    the time is until the view returned (a streamed export goes on after it)."""
    match = getattr(request, "resolver_match", None)
    path = request.path.encode("unicode_escape").decode("ascii")  # no forged line breaks
    access_logger.info(
        "%s %s %s %.1fms",
        request.method,
        path,
        response.status_code,
        duration_ms,
        extra={
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": round(duration_ms, 1),
            "view": match.view_name if match is not None else "",
        },
    )


class RequestContextFilter(logging.Filter):
    """Adds request_id, office and user_id to every record (None outside a request: the task
    worker, the scheduler, management commands). Put it on the handlers, so records propagated
    from every logger get it."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _current_request.get()
        if request is None and isinstance(getattr(record, "request", None), HttpRequest):
            # Django logs a 4xx answer after the middleware has returned, naming the request.
            request = record.request
        record.request_id = getattr(request, "request_id", None)
        record.office = office_slug(request) if request is not None else None
        record.user_id = known_user_id(request) if request is not None else None
        return True


# What every LogRecord carries; the rest of a record's attributes came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
_JSON_SCALARS = (str, int, float, bool, type(None))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the request context and the
    record's scalar extras (Django's `request` object and the like are left out)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if (
                key not in _STANDARD_ATTRIBUTES
                and not key.startswith("_")
                and isinstance(value, _JSON_SCALARS)
            ):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)
