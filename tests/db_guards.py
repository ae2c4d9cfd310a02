"""Transactional tests empty the database with `flush` between tests, past the money guards.

The guard triggers (billing 0006, memberships 0004) refuse to delete issued invoices, payments
and acceptance evidence, also when `flush` empties the tables after a `transaction=True` or
`live_server` test: on SQLite it runs `DELETE FROM` (row triggers fire), on PostgreSQL
`TRUNCATE` (the guards' TRUNCATE triggers fire). A test database has to be emptied anyway, so,
for the test run only, `flush` drops the SQLite guards and puts them back from their own stored
SQL, and disables then re-enables the PostgreSQL TRUNCATE guards, in the flush's transaction.
This lives in tests/, not in the application: nothing the application runs has a way past them.
"""

import pytest
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLWrapper
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

PostgreSQLOperations = PostgreSQLWrapper.ops_class
SQLiteOperations = SQLiteWrapper.ops_class

SQLITE_GUARDS = (
    r"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'guard\_%' ESCAPE '\'"
)
# tgtype bit 5 (32) is TRIGGER_TYPE_TRUNCATE; row-level guards do not fire on TRUNCATE.
POSTGRESQL_TRUNCATE_GUARDS = r"""
    SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE NOT t.tgisinternal AND t.tgname LIKE 'guard\_%' AND (t.tgtype & 32) <> 0
    ORDER BY c.relname, t.tgname
"""


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
