"""Many offices on one database (issue 11, item 6): an office's staff and espace-pro pages make the
same number of queries whatever the number of offices beside it and of partners in it.

The data come from the bench generator (bench/generate_offices.py), at a small scale: one office
of 20 partners alone (every list shorter than a page), then four more offices of 60 partners
each (every list a full page of 50 rows). Runs on SQLite and PostgreSQL.
"""

import datetime
import importlib.util
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ensemble.accounts.models import User
from ensemble.billing.models import Invoice
from ensemble.core.models import Office
from ensemble.directory.models import Organisation
from ensemble.memberships.models import Membership

GENERATOR = Path(__file__).resolve().parent.parent / "bench" / "generate_offices.py"


def load_generator():
    spec = importlib.util.spec_from_file_location("generate_offices", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = load_generator()


def generate(*, offices: int, partners: int, prefix: str) -> None:
    generator.generate(offices=offices, partners=partners, prefix=prefix, echo=lambda _: None)


def pages(slug: str) -> dict[str, tuple[str, str]]:
    """name -> (who, URL)."""
    staff, pro = f"/{slug}/gestion/", f"/{slug}/espace-pro/"
    return {
        "dashboard": ("staff", staff),
        "organisations": ("staff", f"{staff}organisations/"),
        "memberships": ("staff", f"{staff}adhesions/"),
        "invoices": ("staff", f"{staff}factures/"),
        "espace pro home": ("partner", pro),
        "espace pro invoices": ("partner", f"{pro}factures/"),
    }


def query_counts(slug: str) -> dict[str, int]:
    logged_in = {"staff": Client(), "partner": Client()}
    logged_in["staff"].force_login(User.objects.get(email=f"staff@{slug}.bench.example"))
    logged_in["partner"].force_login(User.objects.get(email=f"pro0@{slug}.bench.example"))
    counts = {}
    for name, (who, url) in pages(slug).items():
        client = logged_in[who]
        assert client.get(url).status_code == 200, url  # sessions and caches warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[name] = len(queries)
    return counts


@pytest.mark.django_db
def test_an_office_pages_cost_the_same_queries_among_many_offices_and_partners():
    generate(offices=1, partners=20, prefix="a")
    alone = query_counts("a0001")

    generate(offices=4, partners=60, prefix="b")
    assert Office.objects.count() == 5
    # The lists show fewer than a page of rows in the small office, a full page (50) in the others:
    # a query per row would show as a difference.
    for model in (Organisation, Membership, Invoice):
        assert (
            model.objects.filter(office__slug="a0001").count()
            < 50
            < model.objects.filter(office__slug="b0003").count()
        )

    assert query_counts("a0001") == alone
    assert query_counts("b0003") == alone


@pytest.mark.django_db
def test_the_generated_data_follow_the_money_rules():
    """Issued invoices numbered without gaps per office and year, their counters at the last number,
    payments only on issued invoices; the guard still refuses to change an issued invoice."""
    from django.db import IntegrityError, transaction

    from ensemble.billing.models import NumberCounter
    from ensemble.billing.payments import Payment

    generate(offices=2, partners=40, prefix="m")
    office = Office.objects.get(slug="m0002")
    invoices = Invoice.objects.filter(office=office)
    assert not invoices.filter(state="draft").exists()
    for counter in NumberCounter.objects.filter(office=office):
        numbers = sorted(
            invoices.filter(number__startswith=f"FA-{counter.year}-").values_list("number", flat=True)
        )
        assert numbers == [f"FA-{counter.year}-{n:05d}" for n in range(1, counter.last_number + 1)]
    assert invoices.filter(lines__isnull=True).count() == 0
    paid = Payment.objects.filter(office=office)
    assert paid.exists() and not paid.exclude(invoice__state="issued").exists()
    today = datetime.date(2022, 12, 28)  # tests run during the 2022 season (conftest)
    assert Membership.objects.filter(office=office, season__year=today.year, status="active").exists()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE billing_invoice SET total_ttc = 0 WHERE id = %s", [invoices.first().pk])
