"""What a rendered directory page costs, uncached: the whole request through Django's test client
(middleware, selectors, form, cards, map data, template), in process, one user, the page cache
off. Median of 15 requests after one warm-up.

    export DJANGO_SETTINGS_MODULE=ensemble.settings.base
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ensemble_bench .venv/bin/python bench/directory_pages.py
    DATABASE_URL=sqlite:///$PWD/var/bench/region.db .venv/bin/python bench/directory_pages.py
"""

import argparse
import statistics
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from ensemble.core.models import Office  # noqa: E402
from ensemble.directory.models import Establishment  # noqa: E402

RUNS = 15


def median_ms(client: Client, url: str) -> float:
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--office", default="region")
    args = parser.parse_args()
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    settings.ALLOWED_HOSTS = ["*"]
    office = Office.objects.get(slug=args.office)
    town = Establishment.objects.filter(office=office).order_by("city").values_list("city", flat=True)[0]
    base = f"/{office.slug}/annuaire/"
    pages = {
        "first page": base,
        "a category": f"{base}hebergement/",
        f"a town ({town})": f"{base}?ville={town}",
        "a category and an amenity": f"{base}hebergement/?equipement=wifi",
    }
    client = Client()
    print("| page | median (ms) |\n|---|---|")
    for label, url in pages.items():
        print(f"| {label} | {median_ms(client, url):.1f} |")


if __name__ == "__main__":
    main()
