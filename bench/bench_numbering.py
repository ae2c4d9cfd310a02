"""Invoice numbering throughput on PostgreSQL: 1 thread, then 16 threads on one series.

    .venv/bin/python bench/bench_numbering.py        # drops and recreates ensemble_bench_numbering
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/other_db .venv/bin/python bench/bench_numbering.py

Steps: recreate the database with dropdb/createdb, migrate, create the offices and one partner
organisation per office. Each "invoice" is one transaction that does what staff issuing a free
invoice does: `create_draft` (one HT line) then `issue_invoice`, then the connection goes back
to the pool (as at the end of a request). The PDF that `issue_invoice` queues on commit is
patched out (`_enqueue_pdf` → no-op): the bench measures numbering and issuing, not WeasyPrint.

Phases (each in its own office, so each series starts at 1):

  warm-up      1 thread, --warmup invoices, untimed;
  1 thread     --single invoices one after the other;
  16 threads   --threads threads × --per-thread invoices, all in ONE series (one office), the
               threads released together by a barrier;
  16 offices   the same threads, each issuing in its own office (16 series): what the same
               work costs when the threads do not share a series.

Per phase: wall time from release to the last commit, invoices per second, and the latency of
one transaction (median, p95 nearest rank). After each phase the numbers are read back from the
invoice rows and checked: exactly 1..N per series, no duplicate, and the counter row at N.

Settings: ensemble.settings.base with DEBUG off, psycopg 3 with Django's connection pool
(max_size 10, so 16 threads share 10 connections, as 16 web workers would).
"""

import argparse
import collections
import os
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ensemble_bench_numbering"

sys.path.insert(0, str(ROOT / "bench"))


def configure_environment() -> str:
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ENSEMBLE_VAR_DIR", str(BENCH_VAR))
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ensemble.settings.base")
    os.environ["DEBUG"] = "0"
    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench_numbering measures PostgreSQL: set DATABASE_URL=postgres://…")
    return url


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), "?")
    return {
        "cpu": model,
        "cores (nproc)": len(os.sched_getaffinity(0)),
        "memory (MemTotal)": f"{memory_kb:,} kB",
    }


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def make_offices(count: int, prefix: str) -> list:
    """`count` offices with a billing profile and one partner organisation each."""
    from ensemble.billing.services import billing_profile
    from ensemble.core.models import Office
    from ensemble.directory.models import Organisation

    organisations = []
    for i in range(1, count + 1):
        office = Office.objects.create(
            slug=f"{prefix}-{i}",
            name=f"Office de tourisme bench {prefix} {i}",
            legal_name="SPL Tourisme bench",
            siret="80012345700015",  # an invoice needs the seller's legal identity (issue 12, B1)
            vat_number="FR41800123457",
            address="1 place du Marché",
            postcode="62500",
            city="Saint-Omer",
            iban="FR7630006000011234567890189",
            bic="AGRIFRPP",
        )
        billing_profile(office)
        organisations.append(
            Organisation.objects.create(
                office=office,
                name=f"SARL Les Prés du Marais {i}",
                address="12 rue des Maraîchers",
                postcode="62500",
                city="Saint-Omer",
            )
        )
    return organisations


def issue_one(organisation) -> float:
    """One issuing transaction (draft + issue), connection back to the pool; its duration."""
    from django.db import connection, transaction

    from ensemble.billing import services
    from ensemble.billing.amounts import LineInput

    line = LineInput("Encart guide touristique", Decimal(1), Decimal(20), unit_price_ht=Decimal(150))
    started = time.perf_counter()
    with transaction.atomic():
        invoice = services.create_draft(organisation, lines=[line], actor=None)
        services.issue_invoice(invoice, actor=None)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def run_threads(organisations: list, per_thread: int) -> tuple[float, list[float]]:
    """One thread per organisation, released together; wall time and every latency."""
    from django.db import connection

    connection.close()  # the main thread's connection back to the pool, for the workers
    barrier = threading.Barrier(len(organisations) + 1)
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(organisation):
        try:
            barrier.wait(timeout=60)
            mine = [issue_one(organisation) for _ in range(per_thread)]
            with lock:
                latencies.extend(mine)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(org,)) for org in organisations]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} thread(s) failed: {errors[:3]}")
    return wall, latencies


def check_series(organisation, expected: int) -> str:
    """Read the numbers back from the rows: exactly 1..expected, and the counter at expected."""
    from django.utils import timezone

    from ensemble.billing.models import Invoice, NumberCounter

    year = timezone.localdate().year
    numbers = Invoice.objects.filter(office_id=organisation.office_id, state=Invoice.State.ISSUED)
    sequences = collections.Counter(
        int(number.rsplit("-", 1)[1]) for number in numbers.values_list("number", flat=True)
    )
    counter = NumberCounter.objects.get(office_id=organisation.office_id, series="FA", year=year)
    ok = (
        sum(sequences.values()) == expected
        and set(sequences) == set(range(1, expected + 1))
        and max(sequences.values()) == 1
        and counter.last_number == expected
    )
    if not ok:
        raise AssertionError(f"series of {organisation.office}: {len(sequences)} numbers, counter {counter}")
    return f"FA-{year}-00001 … {expected:05d}, no gap, no duplicate"


def summarise(name: str, threads: int, wall: float, latencies: list[float], check: str) -> dict:
    ordered = sorted(latencies)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    return {
        "phase": name,
        "threads": threads,
        "invoices": len(ordered),
        "wall (s)": f"{wall:.2f}",
        "invoices/s": f"{len(ordered) / wall:.0f}",
        "median (ms)": f"{statistics.median(ordered) * 1000:.1f}",
        "p95 (ms)": f"{p95 * 1000:.1f}",
        "numbers (read back)": check,
    }


def count_queries(organisation) -> int:
    """SQL statements Django sends for one issuing transaction (savepoints included; the
    BEGIN and COMMIT of the outer transaction are not in the log), outside timed runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        issue_one(organisation)
    return len(queries)


def measure(args, context: dict) -> list[dict]:
    rows = []
    (warm,) = make_offices(1, "warmup")
    for _ in range(args.warmup):
        issue_one(warm)
    context["SQL statements per invoice (savepoints included)"] = count_queries(warm)

    (single,) = make_offices(1, "single")
    wall, latencies = run_threads([single], args.single)
    rows.append(summarise("1 thread, one series", 1, wall, latencies, check_series(single, args.single)))

    (shared,) = make_offices(1, "shared")
    expected = args.threads * args.per_thread
    wall, latencies = run_threads([shared] * args.threads, args.per_thread)
    check = check_series(shared, expected)
    rows.append(summarise(f"{args.threads} threads, one series", args.threads, wall, latencies, check))

    separate = make_offices(args.threads, "separate")
    wall, latencies = run_threads(separate, args.per_thread)
    checks = {check_series(org, args.per_thread) for org in separate}
    check = f"{args.threads} series, each {checks.pop()}"
    name = f"{args.threads} threads, {args.threads} offices"
    rows.append(summarise(name, args.threads, wall, latencies, check))
    return rows


def print_report(context: dict, rows: list[dict]) -> None:
    print("\n## Context")
    for key, value in context.items():
        print(f"- {key}: {value}")
    print()
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for row in rows:
        print("| " + " | ".join(str(v) for v in row.values()) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--per-thread", type=int, default=200)
    parser.add_argument("--single", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is")
    args = parser.parse_args()

    from_start = time.perf_counter()
    url = configure_environment()
    from bench_membership import code_version, database_description, recreate_database
    from generate_partners import setup_django

    if not args.keep:
        recreate_database(url)
    setup_django("ensemble.settings.base")
    from django.core.management import call_command

    from ensemble.billing.services import invoices

    invoices._enqueue_pdf = lambda invoice_id: None  # the PDF is not what is measured
    call_command("migrate", verbosity=0)
    context = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "code": code_version(),
        "database": database_description(),
        **machine(),
        "load average (1, 5, 15 min) before measuring": load_average(),
    }
    rows = measure(args, context)
    context["load average after measuring"] = load_average()
    context["whole run"] = f"{time.perf_counter() - from_start:.1f} s"
    print_report(context, rows)


if __name__ == "__main__":
    main()
