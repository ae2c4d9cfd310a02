"""Render budgets (issue 11, item 5): the CPU one uncached request costs, as a multiple of the
trivial view's (/healthz/) in the same run, in process through Django's test client, the page
cache off. Budgets: listing page <= 5x, API item <= 3x, directory page <= 8x.

For each page: one warm-up, then RUNS rounds; in each round every page is requested once, in
turn, so a drift of the machine touches every page alike. CPU is `time.process_time` around
`client.get`; the figure is the median per page, and the queries are counted on one request.
Listings are taken in turn from a sample of published ones (accommodation first: their page
reads the availability too), so the database's cache is not one row's.

    export DJANGO_SETTINGS_MODULE=ensemble.settings.base
    DATABASE_URL=sqlite:///$PWD/var/bench/region.db .venv/bin/python bench/render_budgets.py --office region
    DATABASE_URL=sqlite:////tmp/demo.db .venv/bin/python bench/render_budgets.py --office saint-omer
    ... --profile listing   # cProfile of 200 listing pages, the 25 costliest functions (cumulative)
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ensemble.core.models import Office  # noqa: E402
from ensemble.publishing import selectors  # noqa: E402

BUDGETS = {"listing": 5.0, "api_item": 3.0, "directory": 8.0}
SAMPLE = 50


def sample_ids(office: Office) -> list[int]:
    snapshots = selectors.visible_snapshots(office).order_by("listing_id")
    lodging = [
        row.listing_id for row in snapshots.filter(document__category__has_availability=True)[: SAMPLE // 2]
    ]
    others = list(snapshots.exclude(listing_id__in=lodging).values_list("listing_id", flat=True)[:SAMPLE])
    return (lodging + others)[:SAMPLE]


def urls(office: Office, ids: list[int]) -> dict[str, list[str]]:
    base = f"/{office.slug}"
    return {
        "healthz": ["/healthz/"],
        "listing": [f"{base}/fiches/{pk}/" for pk in ids],
        "api_item": [f"{base}/api/v1/listings/{pk}" for pk in ids],
        "directory": [f"{base}/annuaire/"],
    }


def cpu_ms(client: Client, url: str) -> float:
    start = time.process_time()
    response = client.get(url)
    spent = (time.process_time() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return spent


def measure(client: Client, pages: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    for each in pages.values():
        for url in each[:3]:
            cpu_ms(client, url)  # warm-up: imports, templates, the database's pages
    times: dict[str, list[float]] = {name: [] for name in pages}
    for round_ in range(runs):
        for name, each in pages.items():
            times[name].append(cpu_ms(client, each[round_ % len(each)]))
    return times


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def profile(client: Client, pages: list[str]) -> None:
    profiler = cProfile.Profile(time.process_time)  # CPU, like the figures: other processes do not count
    profiler.enable()
    for index in range(200):
        client.get(pages[index % len(pages)])
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--office", default="saint-omer")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--profile", choices=["listing", "api_item", "directory"])
    args = parser.parse_args()
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    office = Office.objects.get(slug=args.office)
    ids = sample_ids(office)
    pages = urls(office, ids)
    client = Client()
    if args.profile:
        profile(client, pages[args.profile])
        return
    times = measure(client, pages, args.runs)
    trivial = statistics.median(times["healthz"])
    print(f"office {office.slug}: {len(ids)} listings sampled, {args.runs} rounds, {connection.vendor}")
    print("| page | CPU median (ms) | x trivial | budget | queries |\n|---|---|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        budget = BUDGETS.get(name)
        verdict = (
            "" if budget is None else f"<= {budget:g}x {'met' if median / trivial <= budget else 'NOT met'}"
        )
        print(
            f"| {name} | {median:.2f} | {median / trivial:.1f} | {verdict} "
            f"| {queries(client, pages[name][0])} |"
        )


if __name__ == "__main__":
    main()
