"""Views of the deployment itself, outside any office."""

import hmac
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.views import View, defaults

from . import metrics
from .health import readiness
from .selectors import task_queue_health


class HealthView(View):
    """The trivial view: answers "ok" as plain text, with no template and no query of its own
    (the middleware still runs). The benchmarks compare every page's throughput with this view's.
    The service manager and the proxy use the probes below (LiveView, ReadyView)."""

    def get(self, request):
        return HttpResponse("ok", content_type="text/plain; charset=utf-8")


class QueueHealthView(View):
    """The background queue for monitoring: waiting tasks, the oldest one's age, running and
    failed tasks, as JSON. 503 when the oldest waiting task is older than
    `TASK_QUEUE_MAX_WAIT_SECONDS` (no worker is taking the work). Counts only, no task data."""

    def get(self, request):
        health = task_queue_health(timezone.now())
        stale = health["oldest_waiting_seconds"] > settings.TASK_QUEUE_MAX_WAIT_SECONDS
        health["ok"] = not stale
        response = JsonResponse(health, status=503 if stale else 200)
        response["Cache-Control"] = "no-store"
        return response


class LiveView(View):
    """Liveness: the process answers. No database, no cache (EarlyEndpointsMiddleware answers it
    before OfficeMiddleware's query): a database restart must not get healthy app servers
    restarted."""

    def get(self, request):
        response = HttpResponse("ok", content_type="text/plain; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response


class ReadyView(View):
    """Readiness: the database answers `SELECT 1`, the shared cache answers, every migration is
    applied. 503 with the failing check named, so the proxy sends the traffic elsewhere."""

    def get(self, request):
        checks = readiness()
        ok = all(value == "ok" for value in checks.values())
        response = JsonResponse({"ok": ok, "checks": checks}, status=200 if ok else 503)
        response["Cache-Control"] = "no-store"
        return response


class MetricsView(View):
    """Prometheus metrics, for `Authorization: Bearer <METRICS_TOKEN>`. No token configured: the
    endpoint does not exist (404); a wrong or missing token: 403."""

    def get(self, request):
        expected = settings.METRICS_TOKEN
        if not expected:
            raise Http404
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
            return HttpResponse("forbidden", status=403, content_type="text/plain; charset=utf-8")
        body, content_type = metrics.scrape(request.headers.get("Accept", ""))
        response = HttpResponse(body, content_type=content_type)
        response["Cache-Control"] = "no-store"
        return response


# The database restarting or unreachable, a connection dropped under us: transient, worth a retry.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """handler500: a database that does not answer gets the 503 page (with Retry-After), not the
    500 one. Django calls it inside its `except` block, wherever the error arose (a view or a
    middleware, such as OfficeMiddleware's office lookup), so the exception is at hand."""
    if isinstance(sys.exception(), DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    return defaults.server_error(request)


def database_unavailable(request) -> HttpResponse:
    """A page that needs nothing the outage took away: no database, no session, no office
    (the template extends nothing that reads them). JSON for the probes."""
    if request.path_info.startswith("/healthz/"):
        response = JsonResponse({"ok": False, "checks": {"database": "error: unavailable"}}, status=503)
    else:
        language = translation.get_language_from_request(request)
        with translation.override(language):
            content = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(content, status=503)
        response.headers["Content-Language"] = language
        response.headers["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response
