"""The database settings the issue asks for: SQLite in WAL mode with IMMEDIATE transactions, or
PostgreSQL with Django's connection pool when DATABASE_URL says so."""

import sqlite3

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper

from ensemble.settings.base import database_config


def test_sqlite_by_default_in_wal_mode_with_immediate_transactions(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = database_config()
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    config = {**config, "NAME": tmp_path / "ensemble.db"}
    settings_dict = {
        **config,
        "TIME_ZONE": None,
        "CONN_HEALTH_CHECKS": False,
        "CONN_MAX_AGE": 0,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
    }
    wrapper = DatabaseWrapper(settings_dict)
    # A raw connection as Django opens it (init_command included), outside the test database.
    connection = wrapper.get_new_connection(wrapper.get_connection_params())
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert wrapper.transaction_mode == "IMMEDIATE"  # Django opens transactions with BEGIN IMMEDIATE
    connection.close()
    # the mode is stored in the file: a plain connection sees it too
    assert sqlite3.connect(tmp_path / "ensemble.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_database_url_switches_to_postgresql_with_the_pool(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://ensemble:secret@db.example:5433/ensemble")
    config = database_config()
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "ensemble")
    assert config["OPTIONS"]["pool"]["max_size"] >= 2


@pytest.mark.django_db
def test_the_liveness_view_answers_ok(client):
    response = client.get("/healthz/")
    assert response.status_code == 200 and response.content == b"ok"


def _task(status: str, enqueued_at, run_after=None):
    from django_tasks_db.models import DBTaskResult, get_date_max

    task = DBTaskResult.objects.create(
        status=status,
        run_after=run_after or get_date_max(),  # the library's "as soon as possible"
        args_kwargs={"args": [], "kwargs": {}},
        priority=0,
        task_path="ensemble.core.tasks.send_outbound_email",
        queue_name="default",
        backend_name="default",
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=enqueued_at)  # auto_now_add
    return task


@pytest.mark.django_db
def test_the_queue_health_reports_waiting_running_and_failed_tasks(client):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    assert client.get("/healthz/queue/").json() == {
        "waiting": 0,
        "oldest_waiting_seconds": 0,
        "running": 0,
        "failed": 0,
        "ok": True,
    }
    _task("READY", now - datetime.timedelta(seconds=90))
    _task("READY", now - datetime.timedelta(seconds=10))
    _task("READY", now, run_after=now + datetime.timedelta(hours=1))  # not due: not waiting
    _task("RUNNING", now - datetime.timedelta(seconds=5))
    _task("FAILED", now - datetime.timedelta(days=2))
    _task("SUCCESSFUL", now - datetime.timedelta(days=2))
    response = client.get("/healthz/queue/")
    health = response.json()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert (health["waiting"], health["running"], health["failed"], health["ok"]) == (2, 1, 1, True)
    assert 90 <= health["oldest_waiting_seconds"] < 120


@pytest.mark.django_db
def test_a_queue_nobody_works_on_answers_503(client, settings):
    import datetime

    from django.utils import timezone

    settings.TASK_QUEUE_MAX_WAIT_SECONDS = 300
    _task("READY", timezone.now() - datetime.timedelta(minutes=10))
    response = client.get("/healthz/queue/")
    assert response.status_code == 503
    assert response.json()["ok"] is False
