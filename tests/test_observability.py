"""Observability (issue 11, item 7) and a clean failure while the database restarts: request ids
in answers and logs, JSON logs, the metrics endpoint and its token, Sentry only with a DSN, the
liveness and readiness probes, and a 503 page (not a 500) when the database does not answer."""

import concurrent.futures
import contextlib
import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.test import Client
from django.utils.functional import SimpleLazyObject
from prometheus_client.mmap_dict import MmapedDict

from ensemble.core import health
from ensemble.core.models import OutboundEmail
from ensemble.core.request_id import JsonFormatter, RequestContextFilter

from .concurrency import require_postgresql
from .factories import OfficeFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "metrics-" + "s3cr3t" * 8


@pytest.fixture
def client():
    """Errors answered as a server would (the default test client re-raises them)."""
    return Client(raise_request_exception=False)


@contextlib.contextmanager
def json_log_lines():
    """The configured console handler (with its request-context filter), writing JSON to a buffer:
    what production writes to stdout."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream, formatter = handler.stream, handler.formatter
    buffer = io.StringIO()
    handler.setStream(buffer)
    handler.setFormatter(JsonFormatter())
    lines: list[dict] = []
    try:
        yield lines
    finally:
        handler.setStream(stream)
        handler.setFormatter(formatter)
        lines.extend(json.loads(line) for line in buffer.getvalue().splitlines())


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "ensemble.access"]


def fail_every_query(error: type[Exception]):
    """The database refusing every statement, as while PostgreSQL restarts."""

    def wrapper(execute, sql, params, many, context):
        raise error("server closed the connection unexpectedly")

    return connection.execute_wrapper(wrapper)


# --- request id ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_without_id_gets_a_fresh_one(client):
    first = client.get("/healthz/")["X-Request-ID"]
    second = client.get("/healthz/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_when_sane_and_replaced_otherwise(client):
    assert client.get("/healthz/", HTTP_X_REQUEST_ID="0f3c9a1e77d24b5c")["X-Request-ID"] == "0f3c9a1e77d24b5c"
    for forged in ["short", "two words here", "x" * 129, 'a"quote"inside', "line\nbreak-in-id"]:
        answered = client.get("/healthz/", HTTP_X_REQUEST_ID=forged)["X-Request-ID"]
        assert answered != forged and re.fullmatch(r"[0-9a-f]{32}", answered)


@pytest.mark.django_db
def test_even_a_refused_upload_has_a_request_id_and_an_access_line(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 10
    with json_log_lines() as lines:
        response = client.post("/saint-omer/adherer/", {"x": "y" * 100}, HTTP_X_REQUEST_ID="refused-0001")
    assert response.status_code == 413 and response["X-Request-ID"] == "refused-0001"
    assert [(line["status"], line["request_id"]) for line in access_lines(lines)] == [(413, "refused-0001")]


# --- logs ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_log_line_of_a_request_carries_its_id_office_and_user(client, office, staff_user):
    client.force_login(staff_user)
    with json_log_lines() as lines:
        client.get("/saint-omer/gestion/?q=secret-search", HTTP_X_REQUEST_ID="req-staff-0001")
        client.get("/saint-omer/nulle-part/", HTTP_X_REQUEST_ID="req-missing-0002")  # logs a warning
    (staff, missing) = access_lines(lines)
    assert staff["request_id"] == "req-staff-0001" and staff["office"] == "saint-omer"
    assert staff["user_id"] == staff_user.pk
    assert (staff["method"], staff["path"], staff["status"]) == ("GET", "/saint-omer/gestion/", 200)
    assert staff["view"] == "backoffice:dashboard" and isinstance(staff["duration_ms"], float)
    assert "secret-search" not in json.dumps(lines)  # no query string
    not_found = next(line for line in lines if line["logger"] == "django.request")
    assert not_found["request_id"] == "req-missing-0002" and not_found["level"] == "WARNING"
    assert missing["status"] == 404 and missing["view"] == ""
    assert "@" not in json.dumps(lines)  # no e-mail (the staff member's is staff@saint-omer.example)
    assert "127.0.0.1" not in json.dumps(lines)  # no client address


@pytest.mark.django_db
def test_an_anonymous_visitor_has_no_user_id_and_the_log_line_loads_no_user(
    client, office, django_assert_num_queries
):
    with json_log_lines() as lines:
        client.get("/healthz/", HTTP_X_REQUEST_ID="anonymous-0001")
    (line,) = access_lines(lines)
    assert line["user_id"] is None and line["office"] is None and line["view"] == "healthz"

    # Logging inside a request never evaluates request.user (a session read, a query).
    request = types.SimpleNamespace(request_id="x" * 8, office=office)
    request.user = SimpleLazyObject(lambda: pytest.fail("the user was loaded"))
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "m", (), None)
    with (
        mock.patch("ensemble.core.request_id._current_request") as current,
        django_assert_num_queries(0),
    ):
        current.get.return_value = request
        RequestContextFilter().filter(record)
    assert (record.request_id, record.office, record.user_id) == ("x" * 8, "saint-omer", None)


def test_the_json_formatter_writes_one_parsable_line_with_extras_and_the_exception():
    logger = logging.getLogger("ensemble.test")
    record = None
    try:
        raise ValueError("boom")
    except ValueError:
        record = logger.makeRecord(
            "ensemble.test",
            logging.ERROR,
            __file__,
            1,
            "failed for %s\nsecond line",
            ("invoice 12",),
            sys.exc_info(),
            extra={"invoice_id": 12, "request": object(), "ratio": 0.5},
        )
    RequestContextFilter().filter(record)  # outside a request: nulls
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed for invoice 12\nsecond line"
    assert (entry["level"], entry["logger"], entry["invoice_id"], entry["ratio"]) == (
        "ERROR",
        "ensemble.test",
        12,
        0.5,
    )
    assert entry["request_id"] is None and "request" not in entry  # an object: left out
    assert "ValueError: boom" in entry["exception"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["time"])


# --- metrics ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_do_not_exist_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
def test_metrics_refuse_a_wrong_or_missing_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 403
    assert client.get(f"/metrics?token={TOKEN}").status_code == 403  # never in a URL
    with mock.patch("ensemble.core.views.hmac.compare_digest", return_value=False) as compare:
        assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 403
    compare.assert_called_once()  # the constant-time comparison decides


def metric(text: str, name: str, *, default: float | None = None, **labels) -> float:
    """One series' value; `default` when the series is absent (not counted yet), else it fails."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    series = f"{name}{{{wanted}}}" if labels else name
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.split(" ")[0] == series]
    if not values and default is not None:
        return default
    assert len(values) == 1, f"{series} not in the exposition"
    return values[0]


@pytest.mark.django_db
def test_metrics_count_requests_by_view_and_status_and_read_tasks_and_emails(
    client, settings, office, other_office
):
    from .test_settings import _task

    settings.METRICS_TOKEN = TOKEN
    scrape = lambda: client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")  # noqa: E731
    before = scrape().content.decode()
    client.get("/healthz/")
    client.get("/healthz/")
    client.get("/saint-omer/nulle-part/")
    for status, offices in [("queued", [office, other_office]), ("sent", [office]), ("failed", [office])]:
        for owner in offices:
            OutboundEmail.objects.create(
                office=owner, to="x@example.org", subject="s", body_text="b", template="t", status=status
            )
    from django.utils import timezone

    _task("READY", timezone.now())
    _task("FAILED", timezone.now())
    response = scrape()
    text = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("text/plain")
    delta = lambda name, **labels: metric(text, name, **labels) - metric(before, name, default=0, **labels)  # noqa: E731
    assert delta("ensemble_http_requests_total", view="healthz", status="2xx") == 2
    assert delta("ensemble_http_requests_total", view="unrouted", status="4xx") == 1
    assert delta("ensemble_http_request_duration_seconds_count", view="healthz") == 2
    assert metric(text, "ensemble_database_up") == 1
    assert metric(text, "ensemble_tasks", state="waiting") == 1
    assert metric(text, "ensemble_tasks", state="failed") == 1
    assert metric(text, "ensemble_tasks", state="running") == 0
    assert metric(text, "ensemble_emails", status="queued") == 2  # every office together
    assert metric(text, "ensemble_emails", status="sent") == 1
    assert metric(text, "ensemble_emails", status="failed") == 1
    assert "saint-omer" not in text and "x@example.org" not in text


@pytest.mark.django_db
def test_metrics_are_still_served_when_the_database_does_not_answer(client, settings):
    settings.METRICS_TOKEN = TOKEN
    with fail_every_query(OperationalError):
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    text = response.content.decode()
    assert response.status_code == 200 and metric(text, "ensemble_database_up") == 0
    assert "ensemble_http_requests_total" in text and "ensemble_tasks" not in text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, **headers) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 — our local test server
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@contextlib.contextmanager
def gunicorn(tmp_path, *, workers: int, preload: bool = False, **env):
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ensemble.settings.test",
        "ENSEMBLE_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        **env,
    }
    server = subprocess.Popen(  # noqa: S603 — our own interpreter, fixed arguments
        [sys.executable, "-m", "gunicorn", "ensemble.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
        + (["--preload"] if preload else []),
        env=environment,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(f"{url}/healthz/live/")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        server.wait(timeout=30)


def test_metrics_add_up_the_requests_of_every_gunicorn_worker(tmp_path):
    """Multiprocess mode: two workers each count the requests they answer in a file under
    PROMETHEUS_MULTIPROC_DIR; whichever worker answers a scrape reports the sum. (Without the
    folder each scrape would report one worker's share.) No database is needed for any of it."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    # --preload: both workers are forked ready, so both take requests from the first one.
    with gunicorn(
        tmp_path,
        workers=2,
        preload=True,
        PROMETHEUS_MULTIPROC_DIR=str(folder),
        METRICS_TOKEN=TOKEN,
        DATABASE_URL=empty,
    ) as url:
        count = 60
        with concurrent.futures.ThreadPoolExecutor(6) as pool:  # several workers busy at once
            statuses = list(pool.map(lambda _: get(f"{url}/healthz/live/")[0], range(count - 1)))
        assert statuses == [200] * (count - 1)  # and the wait for the server made one
        scrapes = [get(f"{url}/metrics", Authorization=f"Bearer {TOKEN}") for _ in range(6)]
    per_process = [live_requests_in(path) for path in folder.glob("counter_*.db")]
    assert sum(per_process) == count and sum(1 for n in per_process if n) >= 2  # shared out
    for status, _headers, text in scrapes:
        assert status == 200
        assert metric(text, "ensemble_http_requests_total", view="healthz_live", status="2xx") == count
        assert metric(text, "ensemble_database_up") == 0  # an empty SQLite file: no tables


def live_requests_in(path: Path) -> float:
    """What one process counted for the liveness probe, read from its file."""
    values = MmapedDict(str(path), read_mode=True)
    try:
        return sum(value for key, value, _ts in values.read_all_values() if '"healthz_live"' in key)
    finally:
        values.close()


# --- probes -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_liveness_answers_without_the_database(client):
    with fail_every_query(OperationalError), mock.patch.object(connection, "ensure_connection") as connect:
        connect.side_effect = OperationalError("could not connect to server")
        response = client.get("/healthz/live/")
    assert response.status_code == 200 and response.content == b"ok"


@pytest.mark.django_db
def test_readiness_checks_the_database_the_cache_and_the_migrations(client):
    response = client.get("/healthz/ready/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response.json() == {"ok": True, "checks": {"database": "ok", "cache": "ok", "migrations": "ok"}}


@pytest.mark.django_db
def test_readiness_fails_when_the_database_is_unreachable(client):
    with fail_every_query(OperationalError):
        response = client.get("/healthz/ready/")
    checks = response.json()["checks"]
    assert response.status_code == 503 and response.json()["ok"] is False
    assert (checks["database"], checks["migrations"]) == ("error: OperationalError", "not checked")


@pytest.mark.django_db
def test_readiness_fails_when_the_cache_or_the_migrations_are_not_there(client):
    with mock.patch("ensemble.core.health.caches") as caches:
        caches.__getitem__.return_value.get.side_effect = ConnectionError("redis is down")
        response = client.get("/healthz/ready/")
    assert response.status_code == 503 and response.json()["checks"]["cache"] == "error: ConnectionError"

    health.migrations.complete = False
    try:
        with mock.patch("ensemble.core.health.MigrationExecutor") as executor:
            executor.return_value.migration_plan.return_value = [("core", "9999_next")]
            response = client.get("/healthz/ready/")
    finally:
        health.migrations.complete = False  # the next probe loads the real graph again
    assert response.status_code == 503 and response.json()["checks"]["migrations"] == "1 pending"
    assert client.get("/healthz/ready/").status_code == 200 and health.migrations.complete


# --- the database restarting --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_database_that_does_not_answer_gets_a_503_page_then_the_next_request_works(client, office):
    with fail_every_query(OperationalError):  # OfficeMiddleware's own query fails first
        response = client.get("/saint-omer/", HTTP_X_REQUEST_ID="outage-0001")
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30" and response["Cache-Control"] == "no-store"
    assert (
        response["X-Request-ID"] == "outage-0001"
        and "script-src 'self'" in response["Content-Security-Policy"]
    )
    assert "Service momentanément indisponible" in html and 'lang="fr"' in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert client.get("/saint-omer/").status_code == 200  # the database is back: no restart needed


@pytest.mark.django_db
def test_a_connection_lost_inside_a_view_is_a_503_too_but_a_bug_stays_a_500(client, office):
    with mock.patch(
        "ensemble.core.views.HealthView.get", side_effect=InterfaceError("connection already closed")
    ):
        assert client.get("/healthz/").status_code == 503
    with mock.patch("ensemble.core.views.HealthView.get", side_effect=ProgrammingError("no such column")):
        response = client.get("/healthz/")
    assert response.status_code == 500 and "Retry-After" not in response


@pytest.mark.django_db
def test_the_outage_is_logged_once_with_the_request_id(client, office):
    with json_log_lines() as lines, fail_every_query(OperationalError):
        client.get("/saint-omer/", HTTP_X_REQUEST_ID="outage-0002")
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert len(errors) == 1 and errors[0]["request_id"] == "outage-0002"
    assert "OperationalError" in errors[0]["exception"] and errors[0]["status_code"] == 503


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the server must see the office
def test_postgresql_restarting_under_a_running_server(tmp_path):
    """A real gunicorn on the test database. Its connections are killed (what a restart does to
    them): the next request still succeeds, the pool lends a checked connection. The database
    then refuses every connection: a 503 page, liveness still fine. It accepts them again: the
    same server answers, without a restart."""
    require_postgresql()
    import psycopg

    OfficeFactory(slug="saint-omer", name="Office de Tourisme du Pays de Saint-Omer")
    UserFactory(email="someone@saint-omer.example")
    settings_dict = connection.settings_dict
    name = settings_dict["NAME"]
    database_url = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{name}"
    )
    connection.close()
    connection.close_pool()  # this test process keeps no connection to the test database
    admin = psycopg.connect(
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    # Only the server's connections (libpq names them from PGAPPNAME): the test process's own
    # other connections (a live server thread of an earlier test on this xdist worker) must live.
    app_name = f"ensemble-restart-test-{os.getpid()}"
    terminate = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = %s AND application_name = %s AND pid <> pg_backend_pid()"
    )
    try:
        with gunicorn(tmp_path, workers=1, DATABASE_URL=database_url, PGAPPNAME=app_name) as url:
            assert get(f"{url}/healthz/")[0] == 200  # reads the office by host: a query
            assert get(f"{url}/healthz/")[0] == 200
            killed = admin.execute(terminate, [name, app_name]).fetchall()
            assert killed  # the server's pooled connections
            assert get(f"{url}/healthz/")[0] == 200  # not a 503: the dead connection was replaced

            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute(terminate, [name, app_name])
            status, headers, html = get(f"{url}/saint-omer/")
            assert status == 503 and headers["Retry-After"] == "30"
            assert "Service momentanément indisponible" in html
            assert get(f"{url}/healthz/live/")[0] == 200
            status, _headers, body = get(f"{url}/healthz/ready/")
            assert status == 503 and json.loads(body)["checks"]["database"].startswith("error")

            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            assert get(f"{url}/healthz/")[0] == 200
            assert get(f"{url}/healthz/ready/")[0] == 200
            assert get(f"{url}/saint-omer/")[0] == 200
    finally:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.close()


# --- Sentry and the production logs -------------------------------------------------------------

PROBE = (
    "import logging, sentry_sdk; c = sentry_sdk.get_client(); "
    "print(c.is_active(), c.options.get('environment'), c.options.get('release'), "
    "c.options['data_collection']['user_info'] if c.is_active() else None); "
    "logging.getLogger('ensemble.probe').warning('started', extra={'worker': 3})"
)


def run_production(tmp_path, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "DJANGO_SETTINGS"))}
    environment = {
        **base,
        "DJANGO_SETTINGS_MODULE": "ensemble.settings.production",
        "SECRET_KEY": "p" * 64,
        "ALLOWED_HOSTS": "ensemble.example.org",
        "ENSEMBLE_VAR_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(  # noqa: S603 — our interpreter, our manage.py
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", PROBE],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_sentry_is_not_initialised_without_a_dsn_and_production_logs_are_json(tmp_path):
    done = run_production(tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-2].split() == ["False", "None", "None", "None"]
    entry = json.loads(lines[-1])  # on stdout, for journald
    assert (entry["logger"], entry["message"], entry["worker"], entry["request_id"]) == (
        "ensemble.probe",
        "started",
        3,
        None,
    )


def test_sentry_is_initialised_with_a_dsn_without_personal_data(tmp_path):
    done = run_production(
        tmp_path,
        SENTRY_DSN="https://0123456789abcdef@sentry.example.org/42",
        SENTRY_ENVIRONMENT="preprod",
        SENTRY_RELEASE="ensemble@1.2.3",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-2].split() == ["True", "preprod", "ensemble@1.2.3", "False"]
