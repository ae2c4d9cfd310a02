"""An invoice paid in full when issued says so (issue 12, B2): two columns, frozen at issue.

SQLite rebuilds `billing_invoice` to add a column, which drops the money guards of 0006 (and the
line triggers that name the table would break the rebuild): they are dropped first and created
again after, with the new columns among the frozen ones. PostgreSQL adds the columns in place;
its guard compares whole rows (`to_jsonb`), so it covers them already.
"""

import importlib

from django.db import migrations, models

guards = importlib.import_module("ensemble.billing.migrations.0006_money_guards")

NEW_FROZEN = ["paid_at_issue_on", "paid_at_issue_method"]


def _sqlite_create(frozen):
    """0006's SQLite triggers, with `frozen` as the invoice's frozen columns."""
    invoice_update = guards.SQLITE_CREATE[0].replace(
        guards._changed(guards.INVOICE_FROZEN), guards._changed(frozen)
    )
    return [invoice_update, *guards.SQLITE_CREATE[1:]]


def _run_on_sqlite(schema_editor, statements):
    if schema_editor.connection.vendor == "sqlite":
        for sql in statements:
            schema_editor.execute(sql, params=None)


def drop_sqlite_guards(apps, schema_editor):
    _run_on_sqlite(schema_editor, guards.SQLITE_DROP)


def create_sqlite_guards(apps, schema_editor):
    _run_on_sqlite(schema_editor, _sqlite_create(guards.INVOICE_FROZEN + NEW_FROZEN))


def create_previous_sqlite_guards(apps, schema_editor):
    _run_on_sqlite(schema_editor, _sqlite_create(guards.INVOICE_FROZEN))


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0008_invoice_office_recent"),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_guards, create_previous_sqlite_guards, elidable=False),
        migrations.AddField(
            model_name="invoice",
            name="paid_at_issue_method",
            field=models.CharField(
                blank=True, default="", max_length=10, verbose_name="acquittée à l'émission par"
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="paid_at_issue_on",
            field=models.DateField(blank=True, null=True, verbose_name="acquittée à l'émission le"),
        ),
        migrations.RunPython(create_sqlite_guards, drop_sqlite_guards, elidable=False),
    ]
