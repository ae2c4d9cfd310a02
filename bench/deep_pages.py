"""Time one directory page at several depths, in process (no HTTP): the keyset page with its
photos and amenities, on the bench's region office.

    export DJANGO_SETTINGS_MODULE=ensemble.settings.dev
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ensemble_bench .venv/bin/python bench/deep_pages.py
    DATABASE_URL=sqlite:///$PWD/var/bench/region.db .venv/bin/python bench/deep_pages.py
"""

import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.http import QueryDict  # noqa: E402

from ensemble.core.models import Office  # noqa: E402
from ensemble.publishing import selectors  # noqa: E402

RUNS = 7


def page(office, cursor: str):
    queryset = selectors.directory(office, selectors.DirectoryFilters.from_query(QueryDict("")))
    return selectors.keyset_page(selectors.with_card_data(queryset), after=cursor)


def main() -> None:
    office = Office.objects.get(slug="region")
    rows = list(
        selectors.directory(office, selectors.DirectoryFilters.from_query(QueryDict(""))).values_list(
            "sort_name", "pk"
        )
    )
    print(f"{len(rows)} published listings")
    for depth in (0.0, 0.1, 0.5, 0.9):
        cursor = ""
        if depth:
            name, pk = rows[int(len(rows) * depth)]
            cursor = selectors.encode_cursor(SimpleNamespace(sort_name=name, pk=pk))
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            page(office, cursor)
            times.append((time.perf_counter() - start) * 1000)
        print(f"depth {depth:4.0%}: median {statistics.median(times):6.1f} ms over {RUNS} runs")


if __name__ == "__main__":
    main()
