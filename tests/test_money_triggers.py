"""Issued invoices, their lines, payments and acceptance evidence hold even against raw SQL.

The triggers come from billing 0006 and memberships 0004; these tests run on SQLite (`make test`)
and on PostgreSQL (`.ci/run`). Each refused statement runs in a savepoint, and the row is read
back afterwards to show that nothing changed.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from ensemble.billing import services
from ensemble.billing.amounts import LineInput
from ensemble.billing.models import Invoice, InvoiceLine
from ensemble.billing.payments import Payment
from ensemble.memberships.models import Membership, TermsAcceptance

from .db_guards import guards_lifted
from .factories import UserFactory

S = Membership.Status
RECEIVED_ON = datetime.date(2022, 12, 1)

# Every guard trigger the migrations create, per database.
SQLITE_TRIGGERS = {
    "guard_billing_invoice_update",
    "guard_billing_invoice_delete",
    "guard_billing_invoiceline_insert",
    "guard_billing_invoiceline_update",
    "guard_billing_invoiceline_delete",
    "guard_billing_payment_update",
    "guard_billing_payment_delete",
    "guard_memberships_termsacceptance_update",
    "guard_memberships_termsacceptance_delete",
}
POSTGRESQL_TRIGGERS = {
    "guard_billing_invoice",
    "guard_billing_invoice_truncate",
    "guard_billing_invoiceline",
    "guard_billing_invoiceline_truncate",
    "guard_billing_payment",
    "guard_billing_payment_truncate",
    "guard_memberships_termsacceptance",
    "guard_memberships_termsacceptance_truncate",
}
# The columns each table lets change (the migrations' docstrings say why); all others are frozen.
FREE_COLUMNS = {
    "billing_invoice": {"issued_by_id"},
    "billing_payment": {"cancelled_at", "cancel_reason", "cancelled_by_id", "recorded_by_id", "updated_at"},
    "memberships_termsacceptance": {"ip_address", "user_agent", "user_id", "updated_at"},
}


def row(table: str, pk: int) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608 — our own table names
        return cursor.fetchone()


def run_sql(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def assert_refused(table: str, pk: int, sql: str, params=(), *, guard: str | None = None) -> None:
    """The raw statement fails with an IntegrityError raised by `guard`'s trigger (its message
    names the table), and the row reads the same afterwards."""
    before = row(table, pk)
    assert before is not None
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        run_sql(sql, params)
    assert (guard or table) in str(info.value)
    assert row(table, pk) == before


def guard_triggers() -> dict[str, str]:
    """Name -> SQL (SQLite) or table (PostgreSQL) of the guard triggers in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'guard%%'"
            )
        else:
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE 'guard%%'"
            )
        return dict(cursor.fetchall())


@pytest.fixture
def membership(make_membership):
    return make_membership(S.AWAITING_PAYMENT)


@pytest.fixture
def invoice(membership):
    return Invoice.objects.get(membership=membership, kind=Invoice.Kind.INVOICE, state=Invoice.State.ISSUED)


@pytest.fixture
def payment(invoice, staff_user):
    return services.record_payment(
        invoice,
        actor=staff_user,
        method="cheque",
        amount=Decimal("10.00"),
        received_on=RECEIVED_ON,
        cheque_number="4410027",
        bank="Crédit Agricole",
    )


@pytest.fixture
def draft(invoice, staff_user):
    return services.create_draft(
        invoice.organisation,
        lines=[LineInput("Encart guide 2023", Decimal(1), Decimal(20), unit_price_ht=Decimal(100))],
        actor=staff_user,
    )


# --- Issued invoices and credit notes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE billing_invoice SET total_ttc = %s WHERE id = %s", [Decimal("1.00")]),
        ("UPDATE billing_invoice SET number = %s WHERE id = %s", ["FA-2022-99999"]),
        ("UPDATE billing_invoice SET issue_date = %s WHERE id = %s", [datetime.date(2022, 1, 1)]),
        ("UPDATE billing_invoice SET buyer_name = %s WHERE id = %s", ["Autre client"]),
        ("UPDATE billing_invoice SET seller = %s WHERE id = %s", ['{"iban": "FR7600000000000000000000000"}']),
        ("DELETE FROM billing_invoice WHERE id = %s", []),
    ],
    ids=["total", "number", "date", "buyer", "seller", "delete"],
)
def test_raw_sql_cannot_change_or_delete_an_issued_invoice(invoice, sql, params):
    assert_refused("billing_invoice", invoice.pk, sql, [*params, invoice.pk])


def test_an_update_that_changes_nothing_goes_through(invoice):
    """The guards compare values: writing a column back unchanged (a full-row save) is harmless."""
    before = row("billing_invoice", invoice.pk)
    assert run_sql(
        "UPDATE billing_invoice SET total_ttc = total_ttc, seller = seller WHERE id = %s", [invoice.pk]
    )
    assert row("billing_invoice", invoice.pk) == before


def test_the_issuer_can_be_cleared_but_not_replaced(invoice, office):
    other = UserFactory()
    sql = "UPDATE billing_invoice SET issued_by_id = %s WHERE id = %s"
    assert_refused("billing_invoice", invoice.pk, sql, [other.pk, invoice.pk])
    assert run_sql(sql, [None, invoice.pk]) == 1  # what on_delete=SET_NULL runs
    assert Invoice.objects.get(pk=invoice.pk).issued_by_id is None


def test_a_credit_note_is_guarded_like_an_invoice(invoice, staff_user):
    credit = services.credit_invoice(invoice, actor=staff_user, reason="Adhésion annulée")
    assert credit.kind == Invoice.Kind.CREDIT_NOTE
    assert_refused(
        "billing_invoice", credit.pk, "UPDATE billing_invoice SET total_ttc = 0 WHERE id = %s", [credit.pk]
    )
    assert_refused("billing_invoice", credit.pk, "DELETE FROM billing_invoice WHERE id = %s", [credit.pk])


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE billing_invoiceline SET total_ht = 1 WHERE id = %s",
        "UPDATE billing_invoiceline SET label = 'Autre chose' WHERE id = %s",
        "DELETE FROM billing_invoiceline WHERE id = %s",
    ],
    ids=["amount", "label", "delete"],
)
def test_raw_sql_cannot_change_or_delete_a_line_of_an_issued_invoice(invoice, sql):
    line = invoice.lines.first()
    assert_refused("billing_invoiceline", line.pk, sql, [line.pk])


def test_lines_cannot_be_added_to_or_moved_out_of_an_issued_invoice(invoice, draft):
    line = invoice.lines.first()
    assert_refused(
        "billing_invoiceline",
        line.pk,
        "UPDATE billing_invoiceline SET invoice_id = %s WHERE id = %s",
        [draft.pk, line.pk],
    )
    draft_line = draft.lines.get()
    assert_refused(  # a draft's line moved into the issued invoice
        "billing_invoiceline",
        draft_line.pk,
        "UPDATE billing_invoiceline SET invoice_id = %s WHERE id = %s",
        [invoice.pk, draft_line.pk],
    )
    count = invoice.lines.count()
    with pytest.raises(IntegrityError, match="billing_invoiceline"), transaction.atomic():
        run_sql(
            "INSERT INTO billing_invoiceline (invoice_id, position, label, quantity, unit_price_ht, "
            "vat_rate, total_ht) VALUES (%s, 9, 'Ajout', 1, 1000, 20, 1000)",
            [invoice.pk],
        )
    assert invoice.lines.count() == count


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
@pytest.mark.parametrize(
    "table", ["billing_invoice", "billing_invoiceline", "billing_payment", "memberships_termsacceptance"]
)
def test_truncate_is_refused_on_postgresql(membership, invoice, payment, table):
    pk = {
        "billing_invoice": invoice.pk,
        "billing_invoiceline": invoice.lines.first().pk,
        "billing_payment": payment.pk,
        "memberships_termsacceptance": membership.acceptances.first().pk,
    }[table]
    run_sql("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses to run with foreign-key checks pending
    assert_refused(table, pk, f"TRUNCATE {table} CASCADE")


# --- Drafts stay editable, and the application's own writes go through --------------------------


def test_a_draft_can_be_edited_deleted_and_issued(draft, staff_user):
    line = draft.lines.get()
    assert run_sql(
        "UPDATE billing_invoiceline SET label = 'Encart guide 2023 (page)' WHERE id = %s", [line.pk]
    )
    assert run_sql("UPDATE billing_invoice SET note = 'Tarif réduit' WHERE id = %s", [draft.pk]) == 1
    draft.refresh_from_db()
    draft.buyer_name = "SARL Les Marais (siège)"
    draft.save()  # the model lets a draft change

    issued = services.issue_invoice(draft, actor=staff_user)  # an UPDATE of the draft row

    issued.refresh_from_db()
    assert (issued.state, issued.note, issued.buyer_name) == (
        "issued",
        "Tarif réduit",
        "SARL Les Marais (siège)",
    )
    assert issued.lines.get().label == "Encart guide 2023 (page)"
    assert_refused(
        "billing_invoice", issued.pk, "UPDATE billing_invoice SET note = '' WHERE id = %s", [issued.pk]
    )


def test_a_draft_and_its_lines_can_be_deleted(draft):
    draft.delete()  # the model deletes the lines first, then the draft
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    assert not InvoiceLine.objects.filter(invoice_id=draft.pk).exists()


# --- Payments ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE billing_payment SET amount = %s WHERE id = %s", [Decimal("1000.00")]),
        ("UPDATE billing_payment SET allocated = %s WHERE id = %s", [Decimal("1.00")]),
        ("UPDATE billing_payment SET received_on = %s WHERE id = %s", [datetime.date(2022, 1, 2)]),
        ("UPDATE billing_payment SET method = %s WHERE id = %s", ["cash"]),
        ("UPDATE billing_payment SET cheque_number = %s WHERE id = %s", ["0000001"]),
        ("UPDATE billing_payment SET cancel_reason = %s WHERE id = %s", ["Pas encore annulé"]),
        ("DELETE FROM billing_payment WHERE id = %s", []),
    ],
    ids=["amount", "allocated", "date", "method", "cheque", "reason-without-cancelling", "delete"],
)
def test_raw_sql_cannot_change_or_delete_a_payment(payment, sql, params):
    assert_refused("billing_payment", payment.pk, sql, [*params, payment.pk])


def test_cancelling_a_payment_goes_through_once_and_is_never_undone(payment, staff_user):
    cancelled = services.cancel_payment(payment, actor=staff_user, reason="Chèque impayé")

    stored = Payment.objects.get(pk=payment.pk)
    assert stored.is_cancelled
    assert (stored.cancelled_by_id, stored.cancel_reason) == (staff_user.pk, "Chèque impayé")
    assert stored.amount == cancelled.amount == Decimal("10.00")
    table, pk = "billing_payment", payment.pk
    assert_refused(table, pk, "UPDATE billing_payment SET cancelled_at = NULL WHERE id = %s", [pk])
    assert_refused(table, pk, "UPDATE billing_payment SET cancel_reason = 'Erreur' WHERE id = %s", [pk])
    assert_refused(
        table, pk, "UPDATE billing_payment SET cancelled_by_id = %s WHERE id = %s", [UserFactory().pk, pk]
    )
    assert_refused(table, pk, "DELETE FROM billing_payment WHERE id = %s", [pk])


def test_deleting_a_user_clears_their_name_from_money_records_and_nothing_else(
    membership, invoice, payment, staff_user
):
    """on_delete=SET_NULL on issued_by, recorded_by, cancelled_by and the acceptance's user is the
    one change the guards allow on these columns."""
    services.cancel_payment(payment, actor=staff_user, reason="Saisi deux fois")
    invoice_before = row("billing_invoice", invoice.pk)
    acceptance = TermsAcceptance.objects.filter(membership=membership).first()
    assert acceptance.user_id == membership.applicant_id

    staff_user.delete()
    membership.applicant.delete()

    invoice.refresh_from_db()
    payment.refresh_from_db()
    acceptance.refresh_from_db()
    assert invoice.issued_by_id is None
    assert (payment.recorded_by_id, payment.cancelled_by_id, payment.amount) == (None, None, Decimal("10.00"))
    assert acceptance.user_id is None and acceptance.text
    changed = [a for a, b in zip(row("billing_invoice", invoice.pk), invoice_before, strict=True) if a != b]
    assert changed == [None]  # only issued_by_id, now NULL


# --- Acceptance evidence -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE memberships_termsacceptance SET text = %s WHERE id = %s", ["Autre charte"]),
        ("UPDATE memberships_termsacceptance SET content_hash = %s WHERE id = %s", ["0" * 64]),
        ("UPDATE memberships_termsacceptance SET accepted_at = %s WHERE id = %s", ["2021-01-01 00:00:00"]),
        ("UPDATE memberships_termsacceptance SET ip_address = %s WHERE id = %s", ["198.51.100.7"]),
        ("DELETE FROM memberships_termsacceptance WHERE id = %s", []),
    ],
    ids=["text", "hash", "time", "forged-ip", "delete"],
)
def test_raw_sql_cannot_rewrite_or_delete_acceptance_evidence(submit, sql, params):
    acceptance = TermsAcceptance.objects.filter(membership=submit().membership).first()
    assert_refused("memberships_termsacceptance", acceptance.pk, sql, [*params, acceptance.pk])


def test_evidence_addresses_can_be_cleared_by_retention(submit):
    membership = submit().membership
    cleared = TermsAcceptance.objects.filter(membership=membership).update(ip_address=None, user_agent="")
    assert cleared == 2  # the charter and the CGV
    assert set(membership.acceptances.values_list("ip_address", "user_agent")) == {(None, "")}


def test_a_membership_with_acceptances_is_not_deleted(submit):
    membership = submit().membership
    with pytest.raises(ProtectedError), transaction.atomic():
        membership.delete()
    assert TermsAcceptance.objects.filter(membership=membership).count() == 2


# --- The triggers themselves ---------------------------------------------------------------------


def test_every_guard_exists_and_every_frozen_column_is_compared(db):
    """A later migration that rebuilds one of these tables on SQLite drops its triggers, and a new
    column is not covered by the SQLite triggers' column lists: either fails here."""
    triggers = guard_triggers()
    if connection.vendor == "postgresql":
        assert set(triggers) == POSTGRESQL_TRIGGERS  # to_jsonb(row) covers every column
        return
    assert set(triggers) == SQLITE_TRIGGERS
    with connection.cursor() as cursor:
        for table, free in FREE_COLUMNS.items():
            columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
            update_sql = triggers[f"guard_{table}_update"]
            assert columns - free, table
            missing = {c for c in columns - free if f'NEW."{c}" IS NOT OLD."{c}"' not in update_sql}
            assert not missing, f"{table}: columns not guarded by guard_{table}_update: {missing}"


@pytest.mark.django_db(transaction=True)
def test_a_test_database_can_still_be_flushed_and_keeps_its_guards(make_membership, staff_user):
    """Transactional tests empty the database with `flush` (tests/db_guards.py): it must pass the
    guards and leave them in place."""
    invoice = Invoice.objects.get(membership=make_membership(S.AWAITING_PAYMENT))
    services.record_payment(
        invoice, actor=staff_user, method="transfer", amount=Decimal("5.00"), received_on=RECEIVED_ON
    )
    triggers = guard_triggers()

    call_command("flush", interactive=False, verbosity=0)

    assert not Invoice.objects.exists() and not Payment.objects.exists()
    assert not TermsAcceptance.objects.exists()
    assert guard_triggers() == triggers


def test_a_test_that_lifts_the_guard_gets_it_back(invoice):
    """tests/db_guards.py:guards_lifted, for tests that corrupt a row on purpose, restores the
    guard on exit."""
    sql = "UPDATE billing_invoice SET note = %s WHERE id = %s"
    with guards_lifted("billing_invoice"):
        assert run_sql(sql, ["Corrompue", invoice.pk]) == 1
    assert_refused("billing_invoice", invoice.pk, sql, ["Encore", invoice.pk])
    assert Invoice.objects.get(pk=invoice.pk).note == "Corrompue"
