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
