"""Time the join form and the staff memberships list against a fresh database of N partners.

    .venv/bin/python bench/bench_membership.py                       # SQLite, var/bench/bench.db
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ensemble_bench \\
        .venv/bin/python bench/bench_membership.py                   # PostgreSQL (recreated)

Steps: recreate the database (SQLite file deleted; PostgreSQL database dropped and created with
dropdb/createdb), migrate, generate the partners (bench/generate_partners.py), then through
django.test.Client, in-process (no network, no web server):

  (a) the join form: GET /bench/adherer/ (hidden charter_id, cgv_id, submission_key read from the
      page), then POST it with a fresh SIRET and e-mail; the POST is timed alone;
  (b) the staff list GET /bench/gestion/adhesions/ (first page, and ?page=100) as bench staff.

Each is run --warmup times untimed, then --runs times with time.perf_counter; the median and p95
(nearest rank) are printed. SQL queries per request are counted separately, on one more request
with CaptureQueriesContext (capturing slows queries down, so never during timed runs).

Settings: ensemble.settings.base with DEBUG off (dev's DEBUG=True keeps every query in memory
and renders debug pages); ALLOWED_HOSTS gets "testserver". E-mails are only queued (database task
backend), as in production, and no worker runs.
"""

import argparse
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"


def configure_environment() -> str:
    """Environment for the bench process, set before Django is imported."""
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ENSEMBLE_VAR_DIR", str(BENCH_VAR))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_VAR / 'bench.db'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ensemble.settings.base")
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    return os.environ["DATABASE_URL"]


def recreate_database(url: str) -> None:
    if url.startswith("sqlite:"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    args = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    args += ["-U", parsed.username or "postgres"]
    for tool in ("dropdb", "createdb"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: create an empty database yourself and pass --keep")
    subprocess.run(["dropdb", *args, "--if-exists", name], check=True)
    subprocess.run(["createdb", *args, name], check=True)


def summarise(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {
        "median": statistics.median(ordered) * 1000,
        "p95": p95 * 1000,
        "min": ordered[0] * 1000,
        "max": ordered[-1] * 1000,
        "n": len(ordered),
    }


HIDDEN = re.compile(r'name="(charter_id|cgv_id|submission_key)"[^>]*?value="([^"]*)"')
FIRST_VALUE = {
    "category": re.compile(r'<select name="category"[^>]*>.*?<option value="(\d+)"', re.S),
    "pack": re.compile(r'name="pack" value="(\d+)"'),
}


class JoinForm:
    """Fetches the form, fills it in as a new partner would, posts it."""

    def __init__(self, client_class, office_slug: str):
        self.client_class = client_class
        self.url = f"/{office_slug}/adherer/"
        self.counter = 0

    def fetch(self):
        client = self.client_class()
        response = client.get(self.url)
        assert response.status_code == 200, response.status_code
        html = response.content.decode()
        fields = dict(HIDDEN.findall(html))
        for name, pattern in FIRST_VALUE.items():
            match = pattern.search(html)
            assert match, f"no {name} in the join form"
            fields[name] = match.group(1)
        assert set(fields) == {"charter_id", "cgv_id", "submission_key", "category", "pack"}, fields
        return client, fields

    def data(self, hidden: dict) -> dict:
        from generate_partners import siret

        self.counter += 1
        n = self.counter
        return {
            **hidden,
            "establishment_name": f"Nouveau partenaire {n}",
            "first_name": "Camille",
            "last_name": f"Essai{n}",
            "address": f"{n}, rue de l'Essai",
            "postcode": "62500",
            "city": "Saint-Omer",
            "phone": "03 21 12 34 56",
            "email": f"join-{n}-{uuid.uuid4().hex[:8]}@bench.example",
            "siret": siret(70_000_000 + n),
            "payment_method": "cheque",
            "accept_charter": "on",
            "accept_cgv": "on",
        }

    def post(self, client, data: dict):
        response = client.post(self.url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"].endswith("/adherer/merci/"), response["Location"]
        return response


def time_join(form: JoinForm, runs: int, warmup: int) -> dict:
    get_samples, post_samples = [], []
    for i in range(warmup + runs):
        started = time.perf_counter()
        client, hidden = form.fetch()
        fetched = time.perf_counter()
        form.post(client, form.data(hidden))
        posted = time.perf_counter()
        if i >= warmup:
            get_samples.append(fetched - started)
            post_samples.append(posted - fetched)
    return {"join GET /bench/adherer/": summarise(get_samples), "join POST": summarise(post_samples)}


def count_join_queries(form: JoinForm) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as get_queries:
        client, hidden = form.fetch()
    data = form.data(hidden)
    with CaptureQueriesContext(connection) as post_queries:
        form.post(client, data)
    return {"join GET /bench/adherer/": len(get_queries), "join POST": len(post_queries)}


def list_urls(office_slug: str) -> dict[str, str]:
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("backoffice:memberships", kwargs={"office_slug": office_slug})
    except NoReverseMatch:
        return {}
    return {f"staff list {url}": url, f"staff list {url}?page=100": f"{url}?page=100"}


def time_get(client, url: str, runs: int, warmup: int) -> dict:
    samples = []
    for i in range(warmup + runs):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        if i >= warmup:
            samples.append(elapsed)
    return summarise(samples)


def count_get_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), "?")
    return {
        "cpu": model,
        "cores (os.cpu_count)": os.cpu_count(),
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "load average (1, 5, 15 min) before measuring": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def code_version() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    dirty = " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return f"commit {git('rev-parse', '--short', 'HEAD')}{dirty}"


def database_description() -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]} (WAL)"
        else:
            cursor.execute("show server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    return f"{version}, Django {django.get_version()}"


def print_report(context: dict, timings: dict, queries: dict) -> None:
    print("\n## Context")
    for key, value in context.items():
        print(f"- {key}: {value}")
    print("\n| request | runs | median (ms) | p95 (ms) | min (ms) | max (ms) | SQL queries |")
    print("|---|---|---|---|---|---|---|")
    for name, s in timings.items():
        print(
            f"| {name} | {s['n']} | {s['median']:.1f} | {s['p95']:.1f} | {s['min']:.1f} "
            f"| {s['max']:.1f} | {queries.get(name, '?')} |"
        )


def analyse_after_bulk_load() -> None:
    """PostgreSQL: refresh the planner's statistics, as autovacuum would soon after a bulk load,
    so the plans measured are the ones a settled database uses. (SQLite keeps no statistics
    unless ANALYZE is run, and Ensemble does not run it: left as is.)"""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def prepare(args) -> tuple[dict, dict]:
    """Fresh database, migrations, generated partners; returns the generator's result and the
    context of the measure."""
    url = configure_environment()
    if not args.keep:
        recreate_database(url)
    sys.path.insert(0, str(ROOT / "bench"))
    from generate_partners import OFFICE_SLUG, generate_partners, setup_django

    setup_django("ensemble.settings.base")
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    result = generate_partners(args.partners)
    generated = time.perf_counter()
    analyse_after_bulk_load()
    context = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "code": code_version(),
        "database": database_description(),
        "data": f"{result['created']} partners generated in /{OFFICE_SLUG}/ "
        f"({generated - migrated:.1f} s; migrate {migrated - started:.1f} s)",
        **machine(),
    }
    return result, context


def measure(result: dict, args) -> tuple[dict, dict]:
    from django.test import Client

    slug = result["office"].slug
    form = JoinForm(Client, slug)
    timings = time_join(form, args.runs, args.warmup)
    queries = count_join_queries(form)
    staff = Client()
    staff.force_login(result["staff"])
    urls = list_urls(slug)
    if not urls:
        print("backoffice:memberships does not exist yet: staff list not measured")
    for name, path in urls.items():
        timings[name] = time_get(staff, path, args.runs, args.warmup)
        queries[name] = count_get_queries(staff, path)
    return timings, queries


def run(args) -> None:
    from_start = time.perf_counter()
    result, context = prepare(args)
    timings, queries = measure(result, args)
    from ensemble.memberships.models import Membership

    context["memberships in the office at the end"] = Membership.objects.filter(
        office=result["office"]
    ).count()
    context["whole run"] = f"{time.perf_counter() - from_start:.1f} s"
    context["load average after measuring"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print_report(context, timings, queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
