"""Prometheus metrics: requests and their latency counted in process, the task queue and the
e-mail outbox read from the database at scrape time.

With several gunicorn workers, each process counts its own requests: set
`PROMETHEUS_MULTIPROC_DIR` (an empty folder per app server, wiped at its start) in the
environment and prometheus-client writes the counts to files there, which a scrape of any worker
adds up. The database-derived gauges are exact whatever the worker, so they never go through
those files. docs/observability.md lists the metrics.
"""

import os
import time

from django.db import DatabaseError
from django.db.models import Count
from django.utils import timezone
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder

from .models import OutboundEmail
from .selectors import task_queue_health

# No `_created` series beside each counter: one more series per view, that nobody graphs.
disable_created_metrics()

REQUESTS = Counter(
    "ensemble_http_requests",
    "HTTP requests answered, by view (URL name) and status class.",
    ["view", "status"],
)
LATENCY = Histogram(
    "ensemble_http_request_duration_seconds",
    "Time until the view returned, by view (URL name).",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
# Answers given before URL resolution (413, the probes answered early) or to unknown paths.
UNROUTED = "unrouted"


def view_label(request) -> str:
    """The URL's name (`public:listing`; the view's dotted path when the URL has no name): a
    bounded set, where the path would be one series per listing."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else UNROUTED


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        LATENCY.labels(view).observe(time.perf_counter() - started)
        REQUESTS.labels(view, f"{response.status_code // 100}xx").inc()
        return response


class DatabaseCollector:
    """Gauges read at scrape time: a scrape is two aggregate queries. If the database does not
    answer, `ensemble_database_up` is 0 and the request metrics are still served."""

    def collect(self):
        up = GaugeMetricFamily("ensemble_database_up", "1 when the scrape could read the database.")
        try:
            families = [*task_families(), email_family()]
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


def task_families() -> list[GaugeMetricFamily]:
    health = task_queue_health(timezone.now())
    tasks = GaugeMetricFamily("ensemble_tasks", "Background tasks by state.", labels=["state"])
    for state in ("waiting", "running", "failed"):
        tasks.add_metric([state], health[state])
    oldest = GaugeMetricFamily(
        "ensemble_task_oldest_waiting_seconds", "How long the oldest due task has waited (0: none)."
    )
    oldest.add_metric([], health["oldest_waiting_seconds"])
    return [tasks, oldest]


def email_family() -> GaugeMetricFamily:
    # Every office's outbox together: one series per office would be thousands of series.
    counts = dict(OutboundEmail.objects.order_by().values_list("status").annotate(n=Count("id")))
    emails = GaugeMetricFamily("ensemble_emails", "E-mails in the outbox, by status.", labels=["status"])
    for status in OutboundEmail.Status.values:
        emails.add_metric([status], counts.get(status, 0))
    return emails


class _InProcess:
    """This process's own metrics (no multiprocess folder): the default registry, with Python's
    process and garbage-collector metrics."""

    def collect(self):
        return REGISTRY.collect()


def scrape(accept_header: str) -> tuple[bytes, str]:
    """The exposition (text format, or OpenMetrics when the scraper asks) and its content type."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_InProcess())
    registry.register(DatabaseCollector())
    encoder, content_type = choose_encoder(accept_header)
    return encoder(registry), content_type
