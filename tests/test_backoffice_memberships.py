"""The memberships list: filters, pagination, a query budget that holds at 5,000 rows, CSV export."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from ensemble.billing.models import Invoice
from ensemble.billing.payments import Payment
from ensemble.directory.models import Category, Establishment, Organisation
from ensemble.memberships.models import Membership

from .factories import EstablishmentFactory

SLUG = "saint-omer"
QUERY_BUDGET = 10  # session, user, office, staff check, 2 filter choices, count, page rows…
S = Membership.Status


def url(name: str, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": SLUG, **kwargs})


def export_text(response) -> str:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content).decode("utf-8")


def bulk_memberships(office, season, count: int) -> list[Membership]:
    """`count` organisations, each with an establishment and a membership in `season`, written with
    three bulk inserts (plus some payments) so the test stays fast."""
    categories = list(Category.objects.filter(office=office))
    address = {"address": "1 rue de Dunkerque", "postcode": "62500", "city": "Saint-Omer"}
    organisations = Organisation.objects.bulk_create(
        Organisation(office=office, name=f"Ferme du Marais {i:05d}", **address) for i in range(count)
    )
    establishments = Establishment.objects.bulk_create(
        Establishment(
            office=office,
            organisation=organisation,
            name=f"Gîte du Marais {i:05d}",
            category=categories[i % len(categories)],
            **address,
        )
        for i, organisation in enumerate(organisations)
    )
    statuses = [S.REQUESTED, S.AWAITING_PAYMENT, S.ACTIVE, S.SUSPENDED]
    memberships = Membership.objects.bulk_create(
        Membership(
            office=office,
            season=season,
            organisation=establishment.organisation,
            establishment=establishment,
            status=statuses[i % len(statuses)],
            payment_method=Membership.PaymentMethod.CHEQUE,
            amount_due=Decimal("90.00"),
        )
        for i, establishment in enumerate(establishments)
    )
    invoices = Invoice.objects.bulk_create(
        Invoice(
            office=office,
            organisation_id=membership.organisation_id,
            membership=membership,
            state=Invoice.State.ISSUED,
            number=f"FA-2022-{i + 1:05d}",
            issue_date=datetime.date(2022, 1, 15),
            buyer_name="x",
            buyer_address="x",
            buyer_postcode="62500",
            buyer_city="Saint-Omer",
            total_ttc=Decimal("90.00"),
        )
        for i, membership in enumerate(memberships[:200])
    )
    Payment.objects.bulk_create(
        Payment(
            office=office,
            organisation_id=invoice.organisation_id,
            invoice=invoice,
            method=Payment.Method.CHEQUE,
            amount=Decimal("45.00"),
            allocated=Decimal("45.00"),
            received_on=datetime.date(2022, 2, 1),
            cheque_number=f"{1000 + i}-{half}",
        )
        for i, invoice in enumerate(invoices)
        for half in range(2)
    )
    return memberships


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_list_shows_the_columns(staff_client, submit):
    membership = submit().membership
    response = staff_client.get(url("memberships"))
    assert response.status_code == 200
    html = response.content.decode()
    detail = url("membership", pk=membership.pk)
    assert f'<a href="{detail}">Le Moulin des Marais</a>' in html
    for text in ("Hébergement", "2022", "Demande reçue", "90,00", "0,00"):
        assert text in html
    assert html.count('scope="col"') == 8


def test_list_query_count_does_not_grow_with_rows(
    staff_client, office, season, django_assert_max_num_queries
):
    memberships = bulk_memberships(office, season, 5000)
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = staff_client.get(url("memberships"))
    assert response.status_code == 200
    assert len(response.context["memberships"]) == 50
    assert response.context["page"].paginator.num_pages == 100
    assert "5000 adhésions" in response.content.decode()

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = staff_client.get(url("memberships") + "?page=100")
    rows = list(response.context["memberships"])
    assert len(rows) == 50
    # Newest first: the last page holds the first memberships written, with their payments.
    oldest = memberships[0]
    assert oldest.pk in {m.pk for m in rows}
    assert next(m for m in rows if m.pk == oldest.pk).paid == Decimal("90.00")
    assert "Page 100 sur 100" in response.content.decode()

    filtered = f"?season={season.pk}&status=active&category=&q=Marais&page=3"
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = staff_client.get(url("memberships") + filtered)
    assert response.context["page"].paginator.count == 1250
    assert {m.status for m in response.context["memberships"]} == {S.ACTIVE}


def test_list_filters(staff_client, office, season, submit):
    bulk_memberships(office, season, 8)
    restaurants = Category.objects.get(office=office, slug="restauration")
    response = staff_client.get(url("memberships") + f"?category={restaurants.pk}")
    assert {m.establishment.category_id for m in response.context["memberships"]} == {restaurants.pk}
    assert response.context["page"].paginator.count == 2

    response = staff_client.get(url("memberships") + "?status=suspended")
    assert response.context["page"].paginator.count == 2

    response = staff_client.get(url("memberships") + "?q=marais 00003")
    assert [m.organisation.name for m in response.context["memberships"]] == ["Ferme du Marais 00003"]

    response = staff_client.get(url("memberships") + "?q=G%C3%AEte du Marais 00005")
    assert [m.establishment.name for m in response.context["memberships"]] == ["Gîte du Marais 00005"]


def test_list_filters_by_season(staff_client, office, season, submit):
    from ensemble.memberships import services

    submit()
    next_season = services.create_season(office, year=2023)
    establishment = EstablishmentFactory(organisation__office=office)
    Membership.objects.create(
        office=office,
        season=next_season,
        organisation=establishment.organisation,
        establishment=establishment,
        payment_method="transfer",
    )
    response = staff_client.get(url("memberships") + f"?season={next_season.pk}")
    assert [m.season.year for m in response.context["memberships"]] == [2023]
    response = staff_client.get(url("memberships"))
    assert response.context["page"].paginator.count == 2


def test_bad_filter_values_are_ignored_not_an_error(staff_client, submit, other_season):
    submit()
    for query in ("?season=abc", f"?season={other_season.pk}", "?status=nope", "?page=999", "?page=x"):
        response = staff_client.get(url("memberships") + query)
        assert response.status_code == 200, query
        assert response.context["page"].paginator.count == 1, query


def test_list_never_shows_another_office(staff_client, submit, other_season):
    from ensemble.memberships import services

    from .conftest import EVIDENCE, make_application

    submit()
    services.submit_join_request(
        other_season.office,
        make_application(other_season, establishment_name="Estaminet d'Aire", email="a@aire.example"),
        evidence=EVIDENCE,
    )
    response = staff_client.get(url("memberships"))
    assert response.context["page"].paginator.count == 1
    assert "Estaminet d&#x27;Aire" not in response.content.decode()
    assert "Estaminet" not in export_text(staff_client.get(url("membership_export")))


def test_export_is_excel_friendly_csv(staff_client, office, season):
    bulk_memberships(office, season, 4)
    response = staff_client.get(url("membership_export") + "?status=active")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert ".csv" in response["Content-Disposition"]
    text = export_text(response)
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    header = lines[0].split(";")
    assert header[:3] == ["N°", "Organisation", "SIRET"]
    assert len(lines) == 2  # one active membership out of four
    row = dict(zip(header, lines[1].split(";"), strict=True))
    assert row["Organisation"] == "Ferme du Marais 00002"
    assert row["Statut"] == "Active"
    assert row["Montant dû TTC"] == "90,00"
    assert row["Réglé"] == "90,00"
    assert row["Saison"] == "2022"


def test_export_neutralises_spreadsheet_formulas(staff_client, submit):
    submit(establishment_name='=HYPERLINK("http://evil.example")')
    text = export_text(staff_client.get(url("membership_export")))
    header, row = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    cells = dict(zip(header, row, strict=True))
    assert cells["Organisation"] == '\'=HYPERLINK("http://evil.example")'
    assert cells["Établissement"] == '\'=HYPERLINK("http://evil.example")'
