"""What the staff and espace-pro pages of one office cost when the database holds many offices:
the whole request through Django's test client (middleware, session, selectors, template), in
process, uncached, logged in with `force_login` (the generator's read-only staff login, and the
espace-pro login of the office's first organisation).

    export DJANGO_SETTINGS_MODULE=ensemble.settings.base
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ensemble_offices \\
        .venv/bin/python bench/offices_pages.py --office o0500 --compare small0001 --runs 30 --explain

Data from bench/generate_offices.py. For each page: 3 untimed warm-up requests, then `--runs`
timed ones (`time.perf_counter` around `client.get`): p50 and p95 by nearest rank (the 29th of
30 sorted values), and the median CPU time of this process per request (`time.process_time`:
Python's share, which other processes on a busy machine inflate far less; the database's time
is not in it). The SQL queries are counted, and their time added up, on one more request with
CaptureQueriesContext, outside the timed runs. `--compare` measures a second office in the same
run (a small one, say, generated with another --prefix and fewer partners). `--explain`
(PostgreSQL) then runs every SELECT of every page again under EXPLAIN ANALYZE: each page's
database time as the server measures it, and the queries that read a table of at least 5,000
rows whole (the check tests/test_query_plans.py makes on a smaller database).
"""

import argparse
import logging
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 3


def setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("ENSEMBLE_VAR_DIR", str(ROOT / "var" / "bench" / "offices"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench' / 'offices.db'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ensemble.settings.base")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    logging.disable(logging.INFO)  # the access log line of every request would drown the table


def pages(slug: str) -> list[tuple[str, str, str]]:
    """(who, label, URL): the office's staff lists, dashboard and details; the partner's home."""
    from ensemble.billing.models import Invoice
    from ensemble.core.models import Office
    from ensemble.directory.models import Organisation
    from ensemble.memberships.models import Membership

    office = Office.objects.get(slug=slug)
    organisation = Organisation.objects.filter(office=office).order_by("id").first()
    membership = Membership.objects.filter(office=office, organisation=organisation).order_by("-id").first()
    invoice = Invoice.objects.filter(office=office, organisation=organisation).order_by("-id").first()
    staff, pro = f"/{slug}/gestion/", f"/{slug}/espace-pro/"
    return [
        ("staff", "dashboard", staff),
        ("staff", "organisations, page 1", f"{staff}organisations/"),
        ("staff", "organisations, page 4", f"{staff}organisations/?page=4"),
        ("staff", "organisations, search", f"{staff}organisations/?q=Vandamme"),
        ("staff", "memberships, page 1", f"{staff}adhesions/"),
        ("staff", "invoices, page 1", f"{staff}factures/"),
        ("staff", "an organisation", f"{staff}organisations/{organisation.pk}/"),
        ("staff", "a membership", f"{staff}adhesions/{membership.pk}/"),
        ("staff", "an invoice", f"{staff}factures/{invoice.pk}/"),
        ("partner", "espace pro, home", pro),
        ("partner", "espace pro, invoices", f"{pro}factures/"),
    ]


def clients(slug: str) -> dict:
    from django.test import Client

    from ensemble.accounts.models import User

    staff, partner = Client(), Client()
    staff.force_login(User.objects.get(email=f"staff@{slug}.bench.example"))
    partner.force_login(User.objects.get(email=f"pro0@{slug}.bench.example"))
    return {"staff": staff, "partner": partner}


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(client, url: str, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {
        "p50": statistics.median(times),
        "p95": nearest_rank(times, 0.95),
        "max": max(times),
        "cpu": statistics.median(cpu),
        "queries": len(queries),
        "sql": sum(float(q["time"]) for q in queries.captured_queries) * 1000,
    }


def seq_scans(plan: dict) -> list[str]:
    found = [plan["Relation Name"]] if plan.get("Node Type") == "Seq Scan" else []
    for child in plan.get("Plans", []):
        found += seq_scans(child)
    return found


def explain_pages(slug: str, min_rows: int = 5000) -> tuple[list[str], dict[str, float]]:
    """Each page's SELECTs run again under EXPLAIN (ANALYZE, FORMAT JSON): the ones whose plan
    has a Seq Scan on a table of at least `min_rows` rows, and each page's database time
    (planning and execution, as the server measures it: no round trips, no client)."""
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= %s", [min_rows])
        large = {name for (name,) in cursor.fetchall()}
    logged_in, found, server = clients(slug), [], {}
    for who, label, url in pages(slug):
        with CaptureQueriesContext(connection) as queries:
            logged_in[who].get(url)
        server[label] = 0.0
        for query in queries:
            if not query["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
                raw = cursor.fetchone()[0]
            explained = (json.loads(raw) if isinstance(raw, str) else raw)[0]
            server[label] += explained["Planning Time"] + explained["Execution Time"]
            found += [
                f"{label}: Seq Scan on {t}: {query['sql'][:300]}"
                for t in seq_scans(explained["Plan"])
                if t in large
            ]
    return found, server


def run(slug: str, runs: int) -> list[tuple[str, str, dict]]:
    logged_in = clients(slug)
    return [(who, label, measure(logged_in[who], url, runs)) for who, label, url in pages(slug)]


def describe(slug: str) -> str:
    from ensemble.core.models import Office
    from ensemble.directory.models import Organisation

    offices = Office.objects.count()
    partners = Organisation.objects.filter(office__slug=slug).count()
    return f"/{slug}/: {partners:,} organisations (the database holds {offices:,} offices)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--office", default="o0500")
    parser.add_argument("--compare", help="a second office measured in the same run")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true", help="list whole-table reads (PostgreSQL)")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = ["*"]
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    slugs = [args.office] + ([args.compare] if args.compare else [])
    results = {slug: run(slug, args.runs) for slug in slugs}
    print(f"{connection.vendor} ({connection.settings_dict['NAME']}), {args.runs} runs per page")
    for slug in slugs:
        print(describe(slug))
    header = " | ".join(
        f"{s} p50 (ms) | {s} p95 (ms) | {s} CPU p50 (ms) | {s} queries | {s} SQL (ms)" for s in slugs
    )
    print(f"\n| page | {header} |\n|---|" + "---|" * (5 * len(slugs)))
    for n, (who, label, _) in enumerate(results[slugs[0]]):
        cells = " | ".join(
            f"{r['p50']:.1f} | {r['p95']:.1f} | {r['cpu']:.1f} | {r['queries']} | {r['sql']:.1f}"
            for r in (results[s][n][2] for s in slugs)
        )
        print(f"| {who}: {label} | {cells} |")
    if args.explain:
        problems, server = explain_pages(args.office)
        print(f"\n/{args.office}/, database time per page (EXPLAIN ANALYZE: planning + execution)")
        print("\n".join(f"  {label}: {ms:.1f} ms" for label, ms in server.items()))
        print(f"Whole-table reads of tables with 5,000 rows or more: {len(problems)}")
        print("\n".join(problems))


if __name__ == "__main__":
    main()
