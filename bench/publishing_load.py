"""Load on the public channels of a region-sized office: a locust file, and its helpers.

bench/run_publishing.sh drives it; by hand, per scenario:

    .venv/bin/python bench/publishing_load.py probe --host http://127.0.0.1:8077 \\
        --targets var/bench/publishing/targets.json --scenario search --out /tmp/search-urls.json
    BENCH_SCENARIO=search BENCH_URLS=/tmp/search-urls.json .venv/bin/locust -f bench/publishing_load.py \\
        --headless -u 16 -r 16 -t 30s --host http://127.0.0.1:8077 --csv /tmp/postgres-search --only-summary
    .venv/bin/python bench/publishing_load.py report /tmp --database postgres

Scenarios (the office's paths; targets from `bench/generate_region.py --targets`):

    healthz, healthz_end  /healthz/, the trivial view (first and last run of a series)
    directory             /<office>/annuaire/ (first page)
    search                /<office>/annuaire/?q=<word>, a word drawn from the targets' list
    deep                  directory pages 10 %, 50 % and 90 % down the name order: the "next" link
                          of the first page is read and its cursor replaced by the targets' cursors;
                          failing that, "next" links are followed (--follow pages) and the last
                          pages are kept
    detail                /<office>/fiches/<id>/, an id drawn from 2,000 published listings
    api_item              /<office>/api/v1/listings/<id> (or …/<id>/)
    api_list              /<office>/api/v1/listings (or …/listings/)
    api_deep              the API list's "next" link, as for `deep`

`probe` resolves a scenario's URLs, answers "skip" with the reason when the page answers 404 (or
anything but 200), and warms the server up (one request per URL, at most BENCH_WARMUP, 50). Each locust user
then requests the scenario's URLs in a closed loop, with no wait: 16 users = 16 connections
always busy. `report` reads the locust CSVs: p50/p95/p99 (locust rounds times above 100 ms to
two significant digits), requests per second, and each throughput relative to the trivial view's
in the same series.
"""

import argparse
import base64
import binascii
import csv
import html
import json
import os
import random
import re
import sys
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from locust import FastHttpUser, constant, events, task

SCENARIOS = [
    "healthz", "search", "directory", "deep", "detail", "api_item", "api_list", "api_deep", "healthz_end",
]  # fmt: skip
# Targets of the issue (PostgreSQL, 100,000 listings, 16 connections): p95 in ms.
P95_TARGETS = {"search": 100, "detail": 30, "api_item": 30, "deep": 200, "api_deep": 200}
TARGET_USERS = 16
WARMUP = int(os.environ.get("BENCH_WARMUP", "50"))  # run_publishing.sh CACHE=warm: every URL
TIMEOUT = 30


# ---- the locust user ------------------------------------------------------------------------


def _load_urls() -> list[str]:
    path = os.environ.get("BENCH_URLS", "")
    if not path:
        return []
    return json.loads(Path(path).read_text(encoding="utf-8"))["urls"]


URLS = _load_urls()
SCENARIO = os.environ.get("BENCH_SCENARIO", "page")


class Visitor(FastHttpUser):
    """Requests one scenario's URLs at random, back to back (no think time)."""

    wait_time = constant(0)

    @task
    def get(self) -> None:
        response = self.client.get(random.choice(URLS), name=SCENARIO)
        CACHE_ANSWERS[response.headers.get("X-Cache", "-") if response.headers else "-"] += 1


CACHE_ANSWERS: Counter = Counter()  # the page cache's X-Cache header: hit, miss, or - (not cacheable)


@events.quitting.add_listener
def _write_cache_answers(environment, **kwargs) -> None:
    out = os.environ.get("BENCH_CACHE_OUT", "")
    if out:
        Path(out).write_text(json.dumps(dict(CACHE_ANSWERS)), encoding="utf-8")


# ---- probe: resolve a scenario's URLs -------------------------------------------------------


def fetch(url: str) -> tuple[int, str]:
    if not url.startswith(("http://", "https://")):
        raise SystemExit(f"Not an HTTP URL: {url}")
    request = urllib.request.Request(url, headers={"Accept-Language": "fr"})  # noqa: S310 (checked above)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


class Skip(Exception):
    """The scenario cannot run: its page does not exist (yet) or does not answer 200."""


def first_answering(host: str, paths: list[str]) -> tuple[str, str]:
    """The first of `paths` answering 200 (variants with and without a trailing slash)."""
    seen = []
    for path in paths:
        status, body = fetch(host + path)
        if status == 200:
            return path, body
        seen.append(f"{path} answered {status}")
    raise Skip("; ".join(seen))


def decode_cursor(value: str) -> list | None:
    """A keyset cursor: base64url of a JSON list ending with [sort_name, id] (the directory's
    `publishing.selectors.encode_cursor`; the API's adds a prefix). None for anything else."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if isinstance(decoded, list) and len(decoded) >= 2:
        if isinstance(decoded[-2], str) and isinstance(decoded[-1], int):
            return decoded
    return None


def next_link(page_url: str, body: str) -> str:
    """The "next" link of an HTML page or of a JSON list ("next", "next_url", "links.next")."""
    if body.lstrip().startswith(("{", "[")):
        data = json.loads(body)
        if isinstance(data, dict):
            link = data.get("next") or data.get("next_url") or (data.get("links") or {}).get("next")
            return urljoin(page_url, link) if isinstance(link, str) and link else ""
        return ""
    for tag in re.findall(r"<(?:a|link)\b[^>]*>", body):
        if re.search(r"""\brel=["']?next\b""", tag):
            href = re.search(r"""\bhref=["']([^"']+)["']""", tag)
            if href:
                return urljoin(page_url, html.unescape(href.group(1)))
    return ""


def with_cursor(url: str, row: list) -> str:
    """`url` with its cursor pointing after `row` ([sort_name, id]); "" when it has no cursor."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    found = [(name, decode_cursor(value)) for name, value in params if decode_cursor(value)]
    if not found:
        return ""
    name, decoded = found[0]
    raw = json.dumps([*decoded[:-2], *row]).encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    params = [(key, cursor if key == name else value) for key, value in params]
    return urlunsplit(parts._replace(query=urlencode(params)))


def deep_urls(host: str, first_path: str, targets: dict, follow: int) -> tuple[list[str], str]:
    """URLs deep down a list: cursors from the targets, or else the end of `follow` next links."""
    url = host + first_path
    status, body = fetch(url)
    link = next_link(url, body)
    if not link:
        raise Skip(f"{first_path} has no 'next' link")
    urls = [with_cursor(link, row) for row in targets["deep_rows"].values()]
    if all(urls):
        for deep in urls:
            status, _ = fetch(deep)
            if status != 200:
                raise Skip(f"{deep} answered {status}")
        depths = ", ".join(targets["deep_rows"])
        return [u.removeprefix(host) for u in urls], f"cursors of the rows {depths} down the name order"
    visited = []
    while link and len(visited) < follow:
        status, body = fetch(link)
        if status != 200:
            raise Skip(f"{link} answered {status} after {len(visited)} pages")
        visited.append(link)
        link = next_link(link, body)
    return [
        u.removeprefix(host) for u in visited[-3:]
    ], f"pages {len(visited) - 2}-{len(visited)} (next links followed)"


def scenario_paths(scenario: str, host: str, targets: dict, follow: int) -> tuple[list[str], str]:
    office = targets["office"]
    ids = targets["listing_ids"]
    if scenario in ("healthz", "healthz_end"):
        return ["/healthz/"], "trivial view"
    if scenario == "directory":
        return [first_answering(host, [f"/{office}/annuaire/"])[0]], "first page"
    if scenario == "search":
        first_answering(host, [f"/{office}/annuaire/?q={quote(targets['search_words'][0])}"])
        words = targets["search_words"]
        return [f"/{office}/annuaire/?q={quote(word)}" for word in words], f"{len(words)} words"
    if scenario == "deep":
        first, _ = first_answering(host, [f"/{office}/annuaire/"])
        return deep_urls(host, first, targets, follow)
    if scenario == "detail":
        first_answering(host, [f"/{office}/fiches/{ids[0]}/"])
        return [f"/{office}/fiches/{pk}/" for pk in ids], f"{len(ids)} listings"
    if scenario == "api_item":
        first, _ = first_answering(
            host, [f"/{office}/api/v1/listings/{ids[0]}", f"/{office}/api/v1/listings/{ids[0]}/"]
        )
        slash = "/" if first.endswith("/") else ""
        return [f"/{office}/api/v1/listings/{pk}{slash}" for pk in ids], f"{len(ids)} listings"
    if scenario in ("api_list", "api_deep"):
        first, _ = first_answering(host, [f"/{office}/api/v1/listings", f"/{office}/api/v1/listings/"])
        return ([first], "first page") if scenario == "api_list" else deep_urls(host, first, targets, follow)
    raise SystemExit(f"Unknown scenario: {scenario} (known: {', '.join(SCENARIOS)})")


def warm_up(host: str, paths: list[str]) -> list[str]:
    """One request per URL (at most WARMUP); the URLs that did not answer 200."""
    bad = []
    for path in random.Random(1).sample(paths, k=min(WARMUP, len(paths))):
        status, _ = fetch(host + path)
        if status != 200:
            bad.append(f"{path} answered {status}")
    return bad


def probe(args) -> int:
    targets = json.loads(args.targets.read_text(encoding="utf-8"))
    host = args.host.rstrip("/")
    try:
        paths, note = scenario_paths(args.scenario, host, targets, args.follow)
    except Skip as reason:
        result = {"scenario": args.scenario, "status": "skip", "reason": str(reason), "urls": []}
        print(f"SKIP {args.scenario}: {reason}")
    else:
        bad = warm_up(host, paths)
        result = {
            "scenario": args.scenario,
            "status": "ok",
            "note": note,
            "urls": paths,
            "warm_up_errors": bad,
        }
        print(f"{args.scenario}: {len(paths)} URL(s), {note}, e.g. {paths[0]}")
        for line in bad:
            print(f"  warm-up: {line}")
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if result["status"] == "ok" else 3


# ---- report ---------------------------------------------------------------------------------


def read_stats(directory: Path, database: str, scenario: str) -> dict | None:
    path = directory / f"{database}-{scenario}_stats.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == scenario:
                return row
    return None


def probe_result(directory: Path, database: str, scenario: str) -> dict:
    path = directory / f"{database}-{scenario}-urls.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def cache_hits(directory: Path, database: str, scenario: str) -> str:
    """The share of answers the page cache served (its X-Cache header), e.g. "97 %"."""
    path = directory / f"{database}-{scenario}-cache.json"
    answers = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    cacheable = answers.get("hit", 0) + answers.get("miss", 0)
    if not cacheable:
        return "not cached"
    return f"{100 * answers.get('hit', 0) / sum(answers.values()):.0f} %"


def verdict(scenario: str, p95: float, ratio: float | None, users: int) -> str:
    if users != TARGET_USERS:
        return f"(targets are for {TARGET_USERS} users)"
    checks = []
    if scenario in P95_TARGETS:
        limit = P95_TARGETS[scenario]
        checks.append(f"p95 ≤ {limit} ms: {'met' if p95 <= limit else 'NOT met'}")
    if ratio is not None and not scenario.startswith("healthz"):
        checks.append(f"≥ 0.5 × trivial: {'met' if ratio >= 0.5 else 'NOT met'}")
    return "; ".join(checks)


def report(args) -> int:
    directory, database = args.directory, args.database
    rows = {s: read_stats(directory, database, s) for s in SCENARIOS}
    trivial = [float(rows[s]["Requests/s"]) for s in ("healthz", "healthz_end") if rows[s]]
    baseline = sum(trivial) / len(trivial) if trivial else None
    lines = [
        "| scenario | requests | failures | p50 (ms) | p95 (ms) | p99 (ms) | requests/s | × trivial "
        "| cache hits | targets |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scenario in SCENARIOS:
        row = rows[scenario]
        if row is None:
            reason = probe_result(directory, database, scenario).get("reason", "not run")
            lines.append(f"| {scenario} | skipped: {reason} | | | | | | | | |")
            continue
        rps = float(row["Requests/s"])
        ratio = rps / baseline if baseline else None
        cells = [
            scenario,
            f"{int(row['Request Count']):,}",
            row["Failure Count"],
            row["50%"],
            row["95%"],
            row["99%"],
            f"{rps:.1f}",
            f"{ratio:.2f}" if ratio else "",
            cache_hits(directory, database, scenario),
            verdict(scenario, float(row["95%"]), ratio, args.users),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if baseline:
        lines.append("")
        lines.append(f"Trivial view baseline: {baseline:.1f} requests/s (mean of {len(trivial)} run(s)).")
    lines.insert(0, f"{database}, {args.users} users:\n")
    text = "\n".join(lines)
    print(text)
    (directory / f"{database}-report.md").write_text(text + "\n", encoding="utf-8")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("probe", help="resolve a scenario's URLs (or say why it is skipped)")
    p.add_argument("--host", required=True)
    p.add_argument("--targets", type=Path, required=True)
    p.add_argument("--scenario", required=True, choices=SCENARIOS)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--follow", type=int, default=100, help="next links to follow when no cursor is found")
    r = commands.add_parser("report", help="a markdown table from the locust CSVs of a series")
    r.add_argument("directory", type=Path)
    r.add_argument("--database", required=True)
    r.add_argument("--users", type=int, default=TARGET_USERS, help="locust users of the series")
    args = parser.parse_args()
    return probe(args) if args.command == "probe" else report(args)


if __name__ == "__main__":
    sys.exit(main())
