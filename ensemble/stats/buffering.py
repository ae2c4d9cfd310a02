"""Visitors' counts gathered in memory and written together, at most every
`VISIBILITY_FLUSH_SECONDS` (5 s by default; 0 writes at once, as the tests do).

A page served from the cache costs about what a trivial view costs; one upsert per view would
have doubled it (docs/benchmarks.md). Each server process keeps its own buffer; the request that
finds it due writes it, one upsert per (day, kind) through `services.add_increments`, and the
process writes what is left when it exits. What a crashed process had not written is lost, a few
seconds of counts at most: they are statistics, never money. A failed write keeps the counts for
the next one.
"""

import atexit
import datetime
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

logger = logging.getLogger(__name__)
MAX_KEYS = 5000  # distinct (day, kind, listing) before a write is due whatever the time

Key = tuple[datetime.date, str, int]


class CountBuffer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[Key] = Counter()
        self._since = time.time()

    def add(self, listing_ids: Iterable[int], kind: str) -> None:
        day = timezone.localdate()
        with self._lock:
            for listing_id in listing_ids:
                self._counts[(day, kind, int(listing_id))] += 1
            elapsed = time.time() - self._since  # negative if the clock was set back: write
            due = not 0 <= elapsed < flush_seconds() or len(self._counts) >= MAX_KEYS
        if due:
            self.flush()

    def pending(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def flush(self) -> int:
        """Write what is buffered; returns the number of counters touched."""
        from . import services  # services records through this module

        with self._lock:
            counts, self._counts = self._counts, Counter()
            self._since = time.time()
        if not counts:
            return 0
        groups: dict[tuple[datetime.date, str], Counter] = {}
        for (day, kind, listing_id), n in counts.items():
            groups.setdefault((day, kind), Counter())[listing_id] += n
        touched = 0
        for (day, kind), increments in sorted(groups.items()):
            try:
                touched += services.add_increments(increments, kind=kind, day=day)
            except DatabaseError:
                logger.exception("Visibility counts not written; kept for the next write.")
                with self._lock:
                    for listing_id, n in increments.items():
                        self._counts[(day, kind, listing_id)] += n
        return touched


def flush_seconds() -> float:
    return float(getattr(settings, "VISIBILITY_FLUSH_SECONDS", 5))


BUFFER = CountBuffer()
add = BUFFER.add
flush = BUFFER.flush
atexit.register(BUFFER.flush)
