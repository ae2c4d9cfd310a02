"""Work that is never lost (issue 11, item 1), with real processes on a real database file.

A deployment of its own (ENSEMBLE_VAR_DIR: an SQLite file, private files and e-mails written to
files) is seeded with issued invoices and queued e-mails through the services; then real
`manage.py worker` processes run them. What happened is read from the database file and the
disk, not through the code under test. Control: ENSEMBLE_TEST_WORKER_COMMAND=db_worker (django-
tasks' own worker, no lease) makes the first test fail, its killed task RUNNING for ever.
"""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.deployment  # its own database file: .ci/run runs it once, with SQLite
ROOT = Path(__file__).resolve().parent.parent
INVOICES = 6

SEED = f"""
import datetime
from django.db import transaction
from ensemble.core.models import Office
from ensemble.billing import services as billing
from ensemble.directory.models import Category
from ensemble.directory.services import ensure_default_categories
from ensemble.memberships import services
from tests.conftest import EVIDENCE, make_application
from tests.factories import StaffFactory, make_siret

office = Office.objects.create(
    slug="travaux", name="Office des travaux", siret="80012345700015", vat_number="FR41800123457",
    address="7, Place Victor Hugo", postcode="62500", city="Saint-Omer",
)  # the legal identity an invoice needs (issue 12, B1)
ensure_default_categories(office)
season = services.install_seed_catalogue(office, year=datetime.date.today().year)
staff = StaffFactory(office=office).user
for i in range({INVOICES}):
    joined = services.submit_join_request(
        office, make_application(season, email=f"camille{{i}}@moulin.example"), evidence=EVIDENCE
    )
    with transaction.atomic():
        services.accept_membership(joined.membership, actor=staff)
        billing.invoice_membership(joined.membership, actor=staff)
"""


def manage(var_dir: Path, *args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def environment(var_dir: Path, **extra: str) -> dict:
    env = {**os.environ, "ENSEMBLE_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "ensemble.settings.dev"}
    env.pop("DATABASE_URL", None)
    env.update({"TASK_LEASE_SECONDS": "2", "TASK_RETRY_BACKOFF_SECONDS": "1", **extra})
    return env


def run(var_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    done = subprocess.run(  # noqa: S603 — our own interpreter and code
        manage(var_dir, *args),
        env=environment(var_dir, **extra),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def start_worker(var_dir: Path, name: str, **extra: str) -> subprocess.Popen:
    log = (var_dir / f"{name}.log").open("w")
    return subprocess.Popen(  # noqa: S603
        manage(
            var_dir,
            os.environ.get("ENSEMBLE_TEST_WORKER_COMMAND", "worker"),
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--no-reload",
            "--worker-id",
            name,
        ),
        env=environment(var_dir, **extra),
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )


def query(var_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(var_dir / "ensemble.db", timeout=30) as conn:
        return conn.execute(sql).fetchall()


def task_counts(var_dir: Path) -> dict[str, int]:
    return dict(
        query(var_dir, "SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult GROUP BY status")
    )


def wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def pdf_files(var_dir: Path) -> list[Path]:
    return sorted((var_dir / "private" / "invoices").rglob("*.pdf")) if (var_dir / "private").exists() else []


def sent_mail(var_dir: Path) -> list[Path]:
    return sorted((var_dir / "mail").glob("*.log")) if (var_dir / "mail").exists() else []


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """One migrated database file for the module; each test works on its own copy."""
    var_dir = tmp_path_factory.mktemp("migrated")
    run(var_dir, "migrate", "--noinput")
    return var_dir / "ensemble.db"


def deployment(migrated: Path, var_dir: Path) -> Path:
    shutil.copy(migrated, var_dir / "ensemble.db")
    return var_dir


@pytest.fixture
def seeded(migrated, tmp_path) -> Path:
    var_dir = deployment(migrated, tmp_path)
    run(var_dir, "shell", "-c", SEED)
    return var_dir


def test_a_worker_killed_mid_batch_loses_nothing_and_does_nothing_twice(seeded):
    var_dir = seeded
    emails = query(var_dir, "SELECT COUNT(*) FROM core_outboundemail")[0][0]
    assert task_counts(var_dir).get("READY") == INVOICES + emails  # queued with the invoices

    first = start_worker(var_dir, "first")
    try:
        wait_for(lambda: len(pdf_files(var_dir)) >= 1, seconds=120, what="the first PDF")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        first.kill()
    assert len(pdf_files(var_dir)) < INVOICES, "the batch was over before the kill: no test"

    second = start_worker(var_dir, "second")
    try:
        wait_for(
            lambda: set(task_counts(var_dir)) == {"SUCCESSFUL"},
            seconds=float(os.environ.get("ENSEMBLE_TEST_WORKER_WAIT", "180")),
            what="every task to succeed",
        )
    finally:
        second.terminate()
        second.wait(timeout=20)

    numbers = [n for (n,) in query(var_dir, "SELECT number FROM billing_invoice WHERE number != ''")]
    assert len(numbers) == INVOICES
    assert sorted(p.stem for p in pdf_files(var_dir)) == sorted(numbers)  # one PDF each, no copy
    documents = query(var_dir, "SELECT invoice_id, COUNT(*) FROM billing_invoicedocument GROUP BY invoice_id")
    assert len(documents) == INVOICES and all(count == 1 for _, count in documents)
    assert query(var_dir, "SELECT COUNT(*) FROM core_outboundemail WHERE status = 'sent'")[0][0] == emails
    assert len(sent_mail(var_dir)) == emails  # each e-mail left once
    assert not query(var_dir, "SELECT 1 FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'")


def test_mail_server_down_then_up_every_email_leaves_exactly_once(migrated, tmp_path):
    """The SMTP server refuses connections (nothing listens on the port): the e-mails stay queued
    with their error and attempts; once a server answers, each leaves once."""
    var_dir = deployment(migrated, tmp_path)
    seed = """
from django.db import transaction
from ensemble.core.models import Office, OutboundEmail
from ensemble.core.tasks import send_outbound_email
from ensemble.core.transactions import enqueue_on_commit
office = Office.objects.create(slug="courrier", name="Office du courrier")
for i in range(3):
    with transaction.atomic():
        email = OutboundEmail.objects.create(
            office=office, to=f"partenaire{i}@example.org", subject="Essai", body_text="Bonjour",
            template="essai",
        )
        enqueue_on_commit(send_outbound_email, email.pk, office=office)
"""
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(free_port()),  # nothing listens there: connection refused
        "EMAIL_TIMEOUT": "2",
    }
    run(var_dir, "shell", "-c", seed, **smtp)

    down = start_worker(var_dir, "down", **smtp)
    try:
        wait_for(
            lambda: query(var_dir, "SELECT MIN(attempts) FROM core_outboundemail")[0][0] >= 2,
            seconds=60,
            what="two failed attempts per e-mail",
        )
    finally:
        down.terminate()
        down.wait(timeout=20)
    rows = query(var_dir, "SELECT status, error FROM core_outboundemail")
    assert {status for status, _ in rows} == {"queued"}
    assert all("Connection refused" in error or "ConnectionRefused" in error for _, error in rows)

    with SmtpSink() as sink:
        smtp["EMAIL_PORT"] = str(sink.port)
        up = start_worker(var_dir, "up", **smtp)
        try:
            wait_for(
                lambda: (
                    query(var_dir, "SELECT COUNT(*) FROM core_outboundemail WHERE status='sent'")[0][0] == 3
                ),
                seconds=60,
                what="the three e-mails to leave",
            )
            time.sleep(1)  # a duplicate would show now
        finally:
            up.terminate()
            up.wait(timeout=20)
        assert sorted(sink.recipients) == [f"partenaire{i}@example.org" for i in range(3)]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """A tiny SMTP server in a thread (aiosmtpd is not a dependency): accepts and records."""

    def __enter__(self):
        import socketserver
        import threading

        recipients = self.recipients = []

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 sink ESMTP\r\n")
                in_data = False
                while line := self.rfile.readline():
                    if in_data:
                        if line == b".\r\n":
                            in_data = False
                            self.wfile.write(b"250 OK\r\n")
                        continue
                    verb = line[:4].upper()
                    if verb == b"RCPT":
                        recipients.append(line.split(b"<", 1)[1].split(b">", 1)[0].decode())
                    if verb == b"DATA":
                        in_data = True
                        self.wfile.write(b"354 go on\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    elif verb in (b"EHLO", b"HELO"):
                        self.wfile.write(b"250 sink\r\n")
                    else:
                        self.wfile.write(b"250 OK\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
