"""What observability costs a request (issue 11, item 7): CPU per request of the trivial view
(/healthz/), in process through Django's test client, without the three middlewares of
observability (request id and access log, metrics, early probes) and with them: the access line
off, written as readable text, or as JSON, to /dev/null. Rounds alternate the variants, so a drift of
the machine touches each alike; the figure is the median of the rounds.

    DJANGO_SETTINGS_MODULE=ensemble.settings.test DATABASE_URL=sqlite:////tmp/obs.db \\
        .venv/bin/python bench/observability_overhead.py
(run `manage.py migrate` on that database first; the office lookup by host is the one query.)
"""

import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from ensemble.core.request_id import JsonFormatter  # noqa: E402

OURS = (
    "ensemble.core.request_id.RequestIdMiddleware",
    "ensemble.core.metrics.MetricsMiddleware",
    "ensemble.core.health.EarlyEndpointsMiddleware",
)
ROUNDS, REQUESTS = 15, 400


def console_handler() -> logging.StreamHandler:
    return next(h for h in logging.getLogger().handlers if h.get_name() == "console")


def cpu_per_request(client: Client) -> float:
    started = time.process_time()
    for _ in range(REQUESTS):
        client.get("/healthz/")
    return (time.process_time() - started) / REQUESTS * 1e6


def main() -> None:
    handler = console_handler()
    handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 — for the whole run
    readable = handler.formatter
    without = [m for m in settings.MIDDLEWARE if m not in OURS]
    with override_settings(MIDDLEWARE=without):
        bare = Client()
        bare.get("/healthz/")
    full = Client()
    full.get("/healthz/")
    access = logging.getLogger("ensemble.access")
    results: dict[str, list[float]] = {
        "without": [],
        "with, no log": [],
        "with, text log": [],
        "with, JSON log": [],
    }
    for _ in range(ROUNDS):
        results["without"].append(cpu_per_request(bare))
        access.setLevel(logging.WARNING)
        results["with, no log"].append(cpu_per_request(full))
        access.setLevel(logging.NOTSET)
        handler.setFormatter(readable)
        results["with, text log"].append(cpu_per_request(full))
        handler.setFormatter(JsonFormatter())
        results["with, JSON log"].append(cpu_per_request(full))
    base = statistics.median(results["without"])
    for name, values in results.items():
        median = statistics.median(values)
        print(f"{name:16} {median:7.1f} µs CPU/request  (+{median - base:5.1f} µs)")


if __name__ == "__main__":
    main()
