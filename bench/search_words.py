"""What an uncached directory search costs the server, word by word: the selectors of one search
page (its rows, photos and amenities) and its capped count, in process, one user; no cache, no
HTTP, no template.

    export DJANGO_SETTINGS_MODULE=ensemble.settings.base
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ensemble_bench .venv/bin/python bench/search_words.py
    DATABASE_URL=sqlite:///$PWD/var/bench/region.db .venv/bin/python bench/search_words.py

Per word: the median of 5 runs of the first page, and one run of the page at offset 980 (the
last the directory offers).
"""

import argparse
import statistics
import time

import django

django.setup()

from ensemble.core.models import Office  # noqa: E402
from ensemble.public.directory_views import COUNT_CAP  # noqa: E402
from ensemble.publishing import selectors  # noqa: E402
from ensemble.publishing.selectors import DirectoryFilters  # noqa: E402

WORDS = [
    "marais", "cathédrale", "bière", "gîte", "moeras", "beer", "Saint-Omer", "vandamme",
    "gite marais", "zzyzx",
]  # fmt: skip


def one_page(office: Office, word: str, offset: int) -> tuple[float, int, int]:
    start = time.perf_counter()
    browse = selectors.with_card_data(selectors.directory(office, DirectoryFilters()))
    page = selectors.search_page(browse, word, offset=offset, size=20)
    count = selectors.directory(office, DirectoryFilters(q=word)).order_by().values("pk")
    count = count[: COUNT_CAP + 1].count()
    return (time.perf_counter() - start) * 1000, len(page.items), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--office", default="region")
    args = parser.parse_args()
    office = Office.objects.get(slug=args.office)
    print("| word | first page (ms, median of 5) | page at offset 980 (ms) | matches (capped) |")
    print("|---|---|---|---|")
    for word in WORDS:
        firsts = [one_page(office, word, 0) for _ in range(5)]
        deep, _, _ = one_page(office, word, 980)
        count = firsts[0][2]
        shown = f"{count:,}" if count <= COUNT_CAP else f"> {COUNT_CAP:,}"
        print(f"| {word} | {statistics.median(f[0] for f in firsts):.1f} | {deep:.1f} | {shown} |")


if __name__ == "__main__":
    main()
