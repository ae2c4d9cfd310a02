"""Transactional tests empty the database with `flush` between tests, past the money guards.

The guard triggers (billing 0006, memberships 0004) refuse to delete issued invoices, payments
and acceptance evidence, also when `flush` empties the tables after a `transaction=True` or
`live_server` test: on SQLite it runs `DELETE FROM` (row triggers fire), on PostgreSQL
`TRUNCATE` (the guards' TRUNCATE triggers fire). A test database has to be emptied anyway, so,
for the test run only, `flush` drops the SQLite guards and puts them back from their own stored
SQL, and disables then re-enables the PostgreSQL TRUNCATE guards, in the flush's transaction.
This lives in tests/, not in the application: nothing the application runs has a way past them.
`guards_lifted(table)` does the same for one test that corrupts a row on purpose.
"""

import contextlib
import re

import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

PostgreSQLOperations = PostgreSQLWrapper.ops_class
SQLiteOperations = SQLiteWrapper.ops_class

SQLITE_GUARDS = (
    r"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'guard\_%' ESCAPE '\'"
)
POSTGRESQL_GUARDS = r"""
    SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE NOT t.tgisinternal AND t.tgname LIKE 'guard\_%'
"""
# tgtype bit 5 (32) is TRIGGER_TYPE_TRUNCATE; row-level guards do not fire on TRUNCATE.
POSTGRESQL_TRUNCATE_GUARDS = POSTGRESQL_GUARDS + " AND (t.tgtype & 32) <> 0 ORDER BY c.relname, t.tgname"


def _fetch(connection, sql: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _sqlite_statements(operations, statements: list[str]) -> list[str]:
    guards = _fetch(operations.connection, SQLITE_GUARDS)
    quote = operations.quote_name
    return [f"DROP TRIGGER {quote(name)}" for name, _ in guards] + statements + [sql for _, sql in guards]


def _postgresql_statements(operations, statements: list[str]) -> list[str]:
    guards = _fetch(operations.connection, POSTGRESQL_TRUNCATE_GUARDS)
    quote = operations.quote_name

    def alter(action: str) -> list[str]:
        return [f"ALTER TABLE {quote(table)} {action} TRIGGER {quote(name)}" for table, name in guards]

    return alter("DISABLE") + statements + alter("ENABLE")


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_money_guards():
    originals = {
        SQLiteOperations: SQLiteOperations.sql_flush,
        PostgreSQLOperations: PostgreSQLOperations.sql_flush,
    }
    wrappers = {SQLiteOperations: _sqlite_statements, PostgreSQLOperations: _postgresql_statements}

    def patched(cls):
        def sql_flush(self, style, tables, **kwargs):
            statements = originals[cls](self, style, tables, **kwargs)
            return wrappers[cls](self, statements) if statements else statements

        return sql_flush

    for cls in originals:
        cls.sql_flush = patched(cls)
    yield
    for cls, original in originals.items():
        cls.sql_flush = original


@contextlib.contextmanager
def guards_lifted(table: str):
    """For a test that must corrupt a guarded row on purpose ("as a bad migration or a hand edit
    would"): the table's guard triggers are dropped (SQLite) or disabled (PostgreSQL) inside the
    test's transaction, as the database owner could, and put back on exit."""
    connection = connections["default"]
    assert connection.in_atomic_block, "only inside the test's transaction"
    if connection.vendor == "sqlite":
        on_table = re.compile(rf"\bON {table}\b")
        guards = [(name, sql) for name, sql in _fetch(connection, SQLITE_GUARDS) if on_table.search(sql)]
        statements = [f"DROP TRIGGER {name}" for name, _ in guards], [sql for _, sql in guards]
    else:
        guards = [name for relname, name in _fetch(connection, POSTGRESQL_GUARDS) if relname == table]
        # ALTER TABLE waits for no pending foreign-key check: run them now, defer again after.
        statements = (
            ["SET CONSTRAINTS ALL IMMEDIATE"]
            + [f"ALTER TABLE {table} DISABLE TRIGGER {name}" for name in guards],
            [f"ALTER TABLE {table} ENABLE TRIGGER {name}" for name in guards]
            + ["SET CONSTRAINTS ALL DEFERRED"],
        )
    assert guards, f"no guard on {table}"
    with connection.cursor() as cursor:
        for sql in statements[0]:
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in statements[1]:
                cursor.execute(sql)
