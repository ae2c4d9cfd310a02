"""Time the staff list's query alone: `membership_list` as it is now (`paid` by a correlated
subquery) against the Sum() + GROUP BY it used first, on the database bench_membership.py left.

    .venv/bin/python bench/list_query_variants.py                       # var/bench/bench.db
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ensemble_bench \\
        .venv/bin/python bench/list_query_variants.py

Both variants must return the same rows and amounts (checked) for page 1 and page 100 (50 rows).
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_membership import configure_environment  # noqa: E402
from generate_partners import OFFICE_SLUG, setup_django  # noqa: E402

PER_PAGE = 50
RUNS = 30


def sum_variant(office):
    """How `membership_list` first computed `paid`: Sum() over the payments join, which groups
    every membership of the office before the page is cut."""
    from django.db.models import Sum, Value
    from django.db.models.functions import Coalesce

    from ensemble.memberships.models import Membership

    return (
        Membership.objects.filter(office=office)
        .select_related("season", "organisation", "establishment__category")
        .annotate(paid=Coalesce(Sum("payments__amount"), Value(0), output_field=Membership.amount_due.field))
        .order_by("-created_at", "-id")
    )


def median_ms(fetch) -> float:
    for _ in range(3):
        fetch()
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fetch()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    configure_environment()
    setup_django("ensemble.settings.base")
    from django.db import connection

    from ensemble.core.models import Office
    from ensemble.memberships.selectors import membership_list

    office = Office.objects.get(slug=OFFICE_SLUG)
    variants = {
        "Sum + GROUP BY (before)": sum_variant,
        "membership_list (correlated subquery, now)": membership_list,
    }
    pages = {"page 1": slice(0, PER_PAGE), "page 100": slice(99 * PER_PAGE, 100 * PER_PAGE)}
    for name, page in pages.items():
        rows = [[(m.pk, m.paid) for m in build(office)[page]] for build in variants.values()]
        assert rows[0] == rows[1] and len(rows[0]) == PER_PAGE, name
    print(f"{connection.vendor}, {membership_list(office).count()} memberships, median of {RUNS} runs")
    for variant, build in variants.items():
        for name, page in pages.items():
            ms = median_ms(lambda build=build, page=page: list(build(office)[page]))
            print(f"- {variant}, {name}: {ms:.1f} ms")


if __name__ == "__main__":
    main()
