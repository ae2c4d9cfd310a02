"""Readiness checks, and the probes and metrics answered before any middleware reads the database.

`OfficeMiddleware` reads the office of the host name on every request: behind it, a liveness
probe would fail while PostgreSQL restarts (and the service manager would restart a healthy app),
and the readiness probe could not say which check failed. `EarlyEndpointsMiddleware`, placed
before it, answers those paths itself, through their URL patterns (ensemble/urls.py).
"""

import logging

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.urls import Resolver404, resolve

logger = logging.getLogger(__name__)

EARLY_PATHS = frozenset({"/healthz/live/", "/healthz/ready/", "/metrics"})


class EarlyEndpointsMiddleware:
    """No host check, no HTTPS redirect, no session for these: the service manager and Prometheus
    call the app server directly. Each view checks its own access (the metrics token)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in EARLY_PATHS:
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)


class _Migrations:
    """Whether every migration the code knows is applied. Loading the migration graph costs
    tens of milliseconds, so once it is complete the answer is kept for the life of the process
    (a deployment migrates before it starts the new code)."""

    complete = False

    def pending(self) -> int:
        if self.complete:
            return 0
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        count = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        self.complete = count == 0
        return count


migrations = _Migrations()


def check_database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    caches["default"].get("ensemble:readiness")  # a miss is an answer too
    return "ok"


def check_migrations() -> str:
    pending = migrations.pending()
    return "ok" if pending == 0 else f"{pending} pending"


def readiness() -> dict[str, str]:
    """Each check's "ok" or why not (the error's type only: no host names or queries leak to an
    unauthenticated endpoint). Migrations are only checked when the database answers."""
    checks = {"database": _run(check_database), "cache": _run(check_cache)}
    checks["migrations"] = _run(check_migrations) if checks["database"] == "ok" else "not checked"
    return checks


def _run(check) -> str:
    try:
        return check()
    except Exception as exc:  # a database error, or a cache client's own (redis.ConnectionError)
        logger.warning("readiness: %s failed: %s", check.__name__, type(exc).__name__)
        return f"error: {type(exc).__name__}"
