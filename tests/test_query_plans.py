"""The office-scoped queries of the staff and espace-pro pages use indexes on PostgreSQL: none reads
a large table whole (issue 11, item 6).

The planner reads a small table whole because that is cheaper (hashing 4,000 organisations beats
33 index lookups), so the tables must be large for its choice to say something. The bench
generator (bench/generate_offices.py) writes 10 offices of 60 partners (organisations,
establishments, contacts, listings, memberships and their lines, entitlements, invoices and their
lines, payments); the SQL below then copies those offices 50 times, with every id and every
reference to a copied row shifted, into 500 more offices (about 31,000 organisations, 52,000
memberships, 47,000 invoices: a few seconds, where the generator would take minutes). ANALYZE
follows. One office is then 0.2 % of each table, as among many offices: with the indexes the
schema has, the planner looks the office's rows up; without one, it reads the table whole.

The pages are rendered through the test client while CaptureQueriesContext records their SQL; each
SELECT is explained (EXPLAIN (FORMAT JSON), not run), and a "Seq Scan" node on a large table — at
least LARGE_ROWS rows — fails the test with the page, the table and the query. The planner runs
with PostgreSQL's default costs. The same check is shown to fail: with the invoices' office
indexes dropped (inside the test's transaction, rolled back), the invoice list reads the table whole.
"""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ensemble.accounts.models import User
from ensemble.billing.models import BillingProfile, Invoice, InvoiceLine, Payment
from ensemble.core.models import Office
from ensemble.directory.models import Category, Contact, Establishment, Organisation
from ensemble.listings.models import Listing
from ensemble.memberships.models import (
    Entitlement,
    Membership,
    MembershipLine,
    Offer,
    OfferEntitlement,
    Season,
    TermsDocument,
)

from .needs import unavailable
from .test_office_scale import generator

OFFICES, PARTNERS, COPIES = 10, 60, 50
LARGE_ROWS = 5000
SLUG = "p0007"  # a generated office (not a copy), not the first one (whose catalogue the others copy)
SHIFT = 10**7  # copy k of a row has the id `id + k * SHIFT`, above every generated id (and within int4)


# What the copies are made of, parents first; references to other models (logins) are kept.
COPIED = [Office, Category, Season, Offer, OfferEntitlement, TermsDocument, BillingProfile, Organisation,
          Establishment, Contact, Listing, Membership, MembershipLine, Entitlement, Invoice, InvoiceLine,
          Payment]  # fmt: skip
# A copy must stay unique where the schema says so; an invoice is copied as a draft, its lines
# after it, then issued by one UPDATE, as the money guards require (billing migration 0006).
OVERRIDES = {
    Office: {"slug": "slug || '-' || k", "domain": "''"},
    Invoice: {"state": "'draft'", "number": "NULL"},
}


def copy_table(cursor, model) -> None:
    meta, tables = model._meta, {m._meta.db_table for m in COPIED}
    expressions = []
    for field in meta.concrete_fields:
        column = connection.ops.quote_name(field.column)
        if field.primary_key or (field.is_relation and field.related_model._meta.db_table in tables):
            expression = f"{column} + k * {SHIFT}"
        else:
            expression = OVERRIDES.get(model, {}).get(field.name, column)
        expressions.append(expression)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in meta.concrete_fields)
    cursor.execute(
        f"INSERT INTO {meta.db_table} ({columns}) SELECT {', '.join(expressions)} "  # noqa: S608 — model names
        f"FROM {meta.db_table} CROSS JOIN generate_series(1, %s) AS k WHERE {meta.pk.column} < %s",
        [COPIES, SHIFT],
    )


def copy_offices() -> None:
    with connection.cursor() as cursor:
        for model in COPIED:
            if model is Payment:  # payments only go to issued invoices
                cursor.execute(
                    "UPDATE billing_invoice AS c SET state = 'issued', number = o.number "
                    "FROM billing_invoice AS o WHERE c.id >= %s AND o.id = c.id %% %s AND o.state = 'issued'",
                    [SHIFT, SHIFT],
                )
            copy_table(cursor, model)
        cursor.execute("ANALYZE")


def staff_pages(office: Office) -> dict[str, str]:
    organisation = Organisation.objects.filter(office=office).order_by("id").first()
    membership = Membership.objects.filter(office=office, organisation=organisation).order_by("-id").first()
    invoice = Invoice.objects.filter(office=office, organisation=organisation).order_by("-id").first()
    base = f"/{office.slug}/gestion/"
    return {
        "dashboard": base,
        "organisations": f"{base}organisations/",
        "organisations, search": f"{base}organisations/?q=Vandamme",
        "memberships": f"{base}adhesions/",
        "memberships, requested": f"{base}adhesions/?status=requested",
        "invoices": f"{base}factures/",
        "an organisation": f"{base}organisations/{organisation.pk}/",
        "a membership": f"{base}adhesions/{membership.pk}/",
        "an invoice": f"{base}factures/{invoice.pk}/",
    }


def partner_pages(office: Office) -> dict[str, str]:
    base = f"/{office.slug}/espace-pro/"
    return {"espace pro home": base, "espace pro invoices": f"{base}factures/"}


def captured_queries(client: Client, pages: dict[str, str]) -> list[tuple[str, str]]:
    """(page, SQL) of every SELECT the pages run once their session is warm."""
    found = []
    for page, url in pages.items():
        assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        found += [
            (page, q["sql"]) for q in queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        ]
    return found


def large_tables() -> set[str]:
    """The tables holding at least LARGE_ROWS rows (the statistics ANALYZE just wrote)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= %s "
            "AND relnamespace = 'public'::regnamespace",
            [LARGE_ROWS],
        )
        return {name for (name,) in cursor.fetchall()}


def seq_scans(plan: dict) -> list[str]:
    """The relations a plan reads whole (every node, subplans and init plans included)."""
    found = [plan["Relation Name"]] if plan.get("Node Type") == "Seq Scan" else []
    for child in plan.get("Plans", []):
        found += seq_scans(child)
    return found


def whole_table_reads(queries: list[tuple[str, str]], large: set[str]) -> list[str]:
    problems = []
    with connection.cursor() as cursor:
        for page, sql in queries:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            raw = cursor.fetchone()[0]
            plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
            problems += [f"{page}: Seq Scan on {t}\n    {sql}" for t in seq_scans(plan) if t in large]
    return problems


def logged_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


@pytest.mark.postgres
@pytest.mark.django_db
def test_office_scoped_queries_read_no_large_table_whole():
    if connection.vendor != "postgresql":
        unavailable(
            f"Reads PostgreSQL's query plans (running on {connection.vendor}): set DATABASE_URL=postgres://…"
        )
    generator.generate(offices=OFFICES, partners=PARTNERS, prefix="p", echo=lambda _: None)
    copy_offices()
    assert Office.objects.count() == OFFICES * (COPIES + 1)
    assert not Invoice.objects.filter(state="draft").exists()
    office = Office.objects.get(slug=SLUG)
    large = large_tables()
    # The tables the pages read most are large.
    assert {"directory_organisation", "memberships_membership", "billing_invoice", "billing_payment"} <= large

    queries = captured_queries(logged_in(f"staff@{SLUG}.bench.example"), staff_pages(office))
    queries += captured_queries(logged_in(f"pro0@{SLUG}.bench.example"), partner_pages(office))
    assert len(queries) > 50
    problems = whole_table_reads(queries, large)
    assert not problems, "Queries that read a large table whole:\n" + "\n".join(problems)

    # The check fails where an index is missing: without the invoices' office indexes, the
    # invoice list reads billing_invoice whole.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'billing_invoice' "
            "AND indexdef LIKE '%%(office_id%%'"
        )
        for (index,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{index}"')
    invoices = [(page, sql) for page, sql in queries if page == "invoices"]
    assert any("Seq Scan on billing_invoice" in p for p in whole_table_reads(invoices, large))
