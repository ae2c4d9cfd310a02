"""What a cached answer costs to read and write in each `pages` backend (docs/decisions.md, part 6).

    .venv/bin/python bench/page_cache_backends.py [entries]

In process, one client: per hit, the office's version and a 40 kB answer (two reads, as
core.page_cache.serve does); per write with `entries` answers already stored, Django's
FileBasedCache (it lists the folder at every write) against core.page_cache.FileCache, the
database cache on SQLite, and Redis (127.0.0.1:6379/15, skipped if none answers).
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import django
from django.conf import settings

ENTRIES = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
WORK = Path(tempfile.mkdtemp(prefix="page-cache-bench-"))
settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(WORK / "db.sqlite3")}},
    CACHES={
        "django_files": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(WORK / "django"),
            "OPTIONS": {"MAX_ENTRIES": ENTRIES * 2},
        },
        "files": {
            "BACKEND": "ensemble.core.page_cache.FileCache",
            "LOCATION": str(WORK / "ours"),
            "OPTIONS": {"MAX_ENTRIES": ENTRIES * 2},
        },
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "bench_cache",
            "OPTIONS": {"MAX_ENTRIES": ENTRIES * 2},
        },
        "redis": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"bench-{os.getpid()}",
        },
    },
    USE_TZ=True,
)
django.setup()

from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402

PAGE = (b"<p>Fiche du Moulin des Marais, chambres d'hotes.</p>\n" * 800)[:40_000]


def per_call(function, runs: int) -> float:
    start = time.perf_counter()
    for n in range(runs):
        function(n)
    return (time.perf_counter() - start) / runs * 1000


def fill(cache, entries: int) -> None:
    if hasattr(cache, "_dir"):  # files: written directly, the fill is not what is measured
        cache.set("page:0", PAGE, 3600)
        content = Path(cache._key_to_file("page:0")).read_bytes()
        for n in range(1, entries):
            Path(cache._key_to_file(f"page:{n}")).write_bytes(content)
    else:
        cache.set_many({f"page:{n}": PAGE for n in range(entries)}, 3600)


def main() -> None:
    call_command("createcachetable", verbosity=0)
    print(f"{ENTRIES} answers of {len(PAGE) // 1000} kB stored; ms per operation")
    for alias in ("django_files", "files", "database", "redis"):
        cache = caches[alias]
        try:
            cache.set("pagever:1", "jeton", None)
        except Exception as error:  # noqa: BLE001 — no Redis here: say so and go on
            print(f"{alias:13} unavailable ({error.__class__.__name__})")
            continue
        fill(cache, ENTRIES)
        hit = per_call(lambda n, c=cache: (c.get("pagever:1"), c.get(f"page:{n % ENTRIES}")), 500)
        write = per_call(lambda n, c=cache: c.set(f"new:{n}", PAGE, 3600), 200)
        print(f"{alias:13} hit (version + answer) {hit:6.3f}   write {write:7.3f}")
        # Not clear() on Redis: that would flush the whole database 15, other runs' keys included.
        cache.delete_many(
            ["pagever:1", *(f"page:{n}" for n in range(ENTRIES)), *(f"new:{n}" for n in range(200))]
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
