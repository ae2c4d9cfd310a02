"""Helpers for the real-thread concurrency tests, which run against PostgreSQL.

Each test marks itself `@pytest.mark.postgres` and `@pytest.mark.django_db(transaction=True)`
(threads only see committed rows), calls `require_postgresql()` first, closes the test thread's
connection before starting the threads (the pool holds at most 10), and counts rows in the
database afterwards.
"""

import os
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.db import connection

T = TypeVar("T")


def require_postgresql() -> None:
    """Skip on SQLite when run by hand; in CI (CI=true) a missing PostgreSQL is a failure."""
    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI") == "true":
        pytest.fail(
            "CI must run the concurrency tests on PostgreSQL (DATABASE_URL=postgres://…), "
            f"not on {connection.vendor}."
        )
    pytest.skip(
        f"Needs PostgreSQL (running on {connection.vendor}): "
        "set DATABASE_URL=postgres://… to run the real-thread concurrency test."
    )


def run_in_threads(count: int, work: Callable[[], T], *, timeout: float = 60) -> list[T]:
    """Run `work()` in `count` threads released together by a barrier; return what each returned.

    An exception in any thread fails the test (re-raised here with the others), and so does a
    thread still running after `timeout` seconds. Each thread closes its connection when done
    (back to the pool)."""
    barrier = threading.Barrier(count)
    outcomes: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def runner():
        try:
            barrier.wait(timeout=30)
            outcome = work()
            with lock:
                outcomes.append(outcome)
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner) for _ in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout  # time_machine leaves the monotonic clock alone
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), f"threads still running after {timeout} s"
    assert not errors, errors
    assert len(outcomes) == count
    return outcomes
