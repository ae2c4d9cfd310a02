"""Issued invoices and credit notes, their lines, and payments are guarded by the database too.

The models already refuse to change an issued invoice (`Invoice.save()`, `delete()`, the
queryset's `update()` and `delete()`); these triggers make the same rule hold for raw SQL, a
shell, a bad data migration or a future bug. They raise an integrity error (SQLSTATE 23000 on
PostgreSQL, a constraint error on SQLite). Deny by default: every column is frozen except the
few listed below, which are the only updates the application makes after issue.

billing_invoice, once `state = 'issued'` (a credit note is an invoice of kind `credit_note`):
  - no DELETE, no TRUNCATE;
  - UPDATE only of `issued_by_id`, and only to NULL: `on_delete=SET_NULL` when the staff account
    that issued it is deleted. Nothing else changes after issue: payments, reminders and the PDF
    (`InvoiceDocument`) live in their own tables, and the status is derived, never stored.
  - A draft (`state = 'draft'`) is free: it is edited, deleted, and issued by an UPDATE that sets
    its number, dates and seller snapshot (the OLD row is a draft, so the trigger lets it through).
billing_invoiceline of an issued invoice: no INSERT, UPDATE or DELETE (nor moving a line into or
  out of an issued invoice); lines of a draft are free.
billing_payment (a recorded payment is never deleted, `cancel_payment` records a cancellation):
  - no DELETE, no TRUNCATE;
  - `cancelled_at`, `cancel_reason` and `cancelled_by_id` are set once, by the update that cancels
    (`cancelled_at` from NULL to a time); a cancellation is never undone or rewritten;
  - `recorded_by_id` and `cancelled_by_id` may become NULL (SET_NULL when a user is deleted);
  - `updated_at` (auto_now, saved by `cancel_payment`);
  - everything else (amount, allocation, date, method, cheque, bank, reference, invoice,
    organisation, office, idempotency key) is frozen.

SQLite rebuilds a table (and drops its triggers) on many schema changes: a later migration that
remakes one of these tables must create the triggers again. tests/test_money_triggers.py fails if
a trigger is missing or a column is not covered.
"""

from django.db import migrations

ERROR = "integrity_constraint_violation"  # SQLSTATE 23000: Django raises IntegrityError

POSTGRESQL_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION guard_billing_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            RAISE EXCEPTION 'billing_invoice : TRUNCATE interdit (factures émises)' USING ERRCODE = '{ERROR}';
        END IF;
        IF OLD.state <> 'issued' THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'billing_invoice % : une facture émise ne se supprime pas', OLD.id
                USING ERRCODE = '{ERROR}';
        END IF;
        IF (to_jsonb(NEW) - 'issued_by_id') IS DISTINCT FROM (to_jsonb(OLD) - 'issued_by_id')
           OR (NEW.issued_by_id IS DISTINCT FROM OLD.issued_by_id AND NEW.issued_by_id IS NOT NULL) THEN
            RAISE EXCEPTION 'billing_invoice % : une facture émise ne se modifie pas (émettre un avoir)', OLD.id
                USING ERRCODE = '{ERROR}';
        END IF;
        RETURN NEW;
    END $$
    """,
    """CREATE TRIGGER guard_billing_invoice BEFORE UPDATE OR DELETE ON billing_invoice
       FOR EACH ROW EXECUTE FUNCTION guard_billing_invoice()""",
    """CREATE TRIGGER guard_billing_invoice_truncate BEFORE TRUNCATE ON billing_invoice
       FOR EACH STATEMENT EXECUTE FUNCTION guard_billing_invoice()""",
    f"""
    CREATE OR REPLACE FUNCTION guard_billing_invoiceline() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        old_invoice bigint;
        new_invoice bigint;
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            RAISE EXCEPTION 'billing_invoiceline : TRUNCATE interdit (lignes de factures émises)'
                USING ERRCODE = '{ERROR}';
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN old_invoice := OLD.invoice_id; END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN new_invoice := NEW.invoice_id; END IF;
        IF EXISTS (
            SELECT 1 FROM billing_invoice WHERE state = 'issued' AND id IN (old_invoice, new_invoice)
        ) THEN
            RAISE EXCEPTION 'billing_invoiceline : les lignes d''une facture émise ne changent pas'
                USING ERRCODE = '{ERROR}';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$
    """,
    """CREATE TRIGGER guard_billing_invoiceline BEFORE INSERT OR UPDATE OR DELETE ON billing_invoiceline
       FOR EACH ROW EXECUTE FUNCTION guard_billing_invoiceline()""",
    """CREATE TRIGGER guard_billing_invoiceline_truncate BEFORE TRUNCATE ON billing_invoiceline
       FOR EACH STATEMENT EXECUTE FUNCTION guard_billing_invoiceline()""",
    f"""
    CREATE OR REPLACE FUNCTION guard_billing_payment() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        free text[] := ARRAY['cancelled_at', 'cancel_reason', 'cancelled_by_id', 'recorded_by_id', 'updated_at'];
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            RAISE EXCEPTION 'billing_payment : TRUNCATE interdit' USING ERRCODE = '{ERROR}';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'billing_payment % : un règlement ne se supprime pas (l''annuler)', OLD.id
                USING ERRCODE = '{ERROR}';
        END IF;
        IF (to_jsonb(NEW) - free) IS DISTINCT FROM (to_jsonb(OLD) - free)
           OR (NEW.recorded_by_id IS DISTINCT FROM OLD.recorded_by_id AND NEW.recorded_by_id IS NOT NULL)
           OR (NOT (OLD.cancelled_at IS NULL AND NEW.cancelled_at IS NOT NULL) AND (
                   NEW.cancelled_at IS DISTINCT FROM OLD.cancelled_at
                   OR NEW.cancel_reason IS DISTINCT FROM OLD.cancel_reason
                   OR (NEW.cancelled_by_id IS DISTINCT FROM OLD.cancelled_by_id
                       AND NEW.cancelled_by_id IS NOT NULL))) THEN
            RAISE EXCEPTION 'billing_payment % : un règlement ne se modifie pas, il s''annule une fois', OLD.id
                USING ERRCODE = '{ERROR}';
        END IF;
        RETURN NEW;
    END $$
    """,
    """CREATE TRIGGER guard_billing_payment BEFORE UPDATE OR DELETE ON billing_payment
       FOR EACH ROW EXECUTE FUNCTION guard_billing_payment()""",
    """CREATE TRIGGER guard_billing_payment_truncate BEFORE TRUNCATE ON billing_payment
       FOR EACH STATEMENT EXECUTE FUNCTION guard_billing_payment()""",
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS guard_billing_invoice ON billing_invoice",
    "DROP TRIGGER IF EXISTS guard_billing_invoice_truncate ON billing_invoice",
    "DROP TRIGGER IF EXISTS guard_billing_invoiceline ON billing_invoiceline",
    "DROP TRIGGER IF EXISTS guard_billing_invoiceline_truncate ON billing_invoiceline",
    "DROP TRIGGER IF EXISTS guard_billing_payment ON billing_payment",
    "DROP TRIGGER IF EXISTS guard_billing_payment_truncate ON billing_payment",
    "DROP FUNCTION IF EXISTS guard_billing_invoice()",
    "DROP FUNCTION IF EXISTS guard_billing_invoiceline()",
    "DROP FUNCTION IF EXISTS guard_billing_payment()",
]

# SQLite has no row-to-JSON: the frozen columns are listed (every column but the free ones).
INVOICE_FROZEN = [
    "id", "office_id", "created_at", "updated_at", "kind", "state", "number", "organisation_id",
    "membership_id", "credited_invoice_id", "issue_date", "due_date", "service_start", "service_end",
    "buyer_name", "buyer_address", "buyer_postcode", "buyer_city", "buyer_country", "buyer_siren",
    "buyer_vat_number", "delivery_address", "seller", "total_ht", "total_vat", "total_ttc",
    "payment_reference", "note", "issued_at",
]  # fmt: skip
PAYMENT_FROZEN = [
    "id", "office_id", "created_at", "organisation_id", "invoice_id", "method", "amount", "allocated",
    "received_on", "cheque_number", "bank", "transfer_reference", "idempotency_key",
]  # fmt: skip


def _changed(columns):
    return " OR ".join(f'NEW."{column}" IS NOT OLD."{column}"' for column in columns)


def _raise(message):
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END"


SQLITE_CREATE = [
    f"""CREATE TRIGGER guard_billing_invoice_update BEFORE UPDATE ON billing_invoice
        FOR EACH ROW WHEN OLD.state = 'issued' AND (
            {_changed(INVOICE_FROZEN)}
            OR (NEW.issued_by_id IS NOT OLD.issued_by_id AND NEW.issued_by_id IS NOT NULL))
        {_raise("billing_invoice : une facture émise ne se modifie pas (émettre un avoir)")}""",
    f"""CREATE TRIGGER guard_billing_invoice_delete BEFORE DELETE ON billing_invoice
        FOR EACH ROW WHEN OLD.state = 'issued'
        {_raise("billing_invoice : une facture émise ne se supprime pas")}""",
    f"""CREATE TRIGGER guard_billing_invoiceline_insert BEFORE INSERT ON billing_invoiceline
        FOR EACH ROW WHEN EXISTS (SELECT 1 FROM billing_invoice WHERE id = NEW.invoice_id AND state = 'issued')
        {_raise("billing_invoiceline : les lignes d''une facture émise ne changent pas")}""",
    f"""CREATE TRIGGER guard_billing_invoiceline_update BEFORE UPDATE ON billing_invoiceline
        FOR EACH ROW WHEN EXISTS (
            SELECT 1 FROM billing_invoice WHERE id IN (OLD.invoice_id, NEW.invoice_id) AND state = 'issued')
        {_raise("billing_invoiceline : les lignes d''une facture émise ne changent pas")}""",
    f"""CREATE TRIGGER guard_billing_invoiceline_delete BEFORE DELETE ON billing_invoiceline
        FOR EACH ROW WHEN EXISTS (SELECT 1 FROM billing_invoice WHERE id = OLD.invoice_id AND state = 'issued')
        {_raise("billing_invoiceline : les lignes d''une facture émise ne changent pas")}""",
    f"""CREATE TRIGGER guard_billing_payment_update BEFORE UPDATE ON billing_payment
        FOR EACH ROW WHEN {_changed(PAYMENT_FROZEN)}
            OR (NEW.recorded_by_id IS NOT OLD.recorded_by_id AND NEW.recorded_by_id IS NOT NULL)
            OR (NOT (OLD.cancelled_at IS NULL AND NEW.cancelled_at IS NOT NULL) AND (
                NEW.cancelled_at IS NOT OLD.cancelled_at
                OR NEW.cancel_reason IS NOT OLD.cancel_reason
                OR (NEW.cancelled_by_id IS NOT OLD.cancelled_by_id AND NEW.cancelled_by_id IS NOT NULL)))
        {_raise("billing_payment : un règlement ne se modifie pas, il s''annule une fois")}""",
    f"""CREATE TRIGGER guard_billing_payment_delete BEFORE DELETE ON billing_payment
        FOR EACH ROW {_raise("billing_payment : un règlement ne se supprime pas (l''annuler)")}""",
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in [
        "guard_billing_invoice_update",
        "guard_billing_invoice_delete",
        "guard_billing_invoiceline_insert",
        "guard_billing_invoiceline_update",
        "guard_billing_invoiceline_delete",
        "guard_billing_payment_update",
        "guard_billing_payment_delete",
    ]
]


def _run(schema_editor, statements):
    for sql in statements[schema_editor.connection.vendor]:
        # No parameters: the SQL carries literal % signs (PL/pgSQL RAISE placeholders).
        schema_editor.execute(sql, params=None)


def create_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"No money-record triggers written for the {vendor} database.")
    _run(schema_editor, {"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE})


def drop_guards(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_invoice_reminder"),
    ]

    operations = [
        migrations.RunPython(create_guards, drop_guards, elidable=False),
    ]
