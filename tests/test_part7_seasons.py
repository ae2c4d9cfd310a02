"""Issue 12, A10: from the date the office sets, the join form sells next season; a membership that
starts late follows the season's rule (full price, prorata temporis, or counted in the next
season); the invoice's service period (BT-73/BT-74, the PDF) starts on the membership's start."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from ensemble.billing import services as billing_services
from ensemble.billing.facturx_xml import invoice_xml
from ensemble.memberships import services
from ensemble.memberships.models import Membership, Offer, Season
from ensemble.memberships.pricing import prorated

from .conftest import EVIDENCE, assert_refused, make_application

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=1))
JOIN_URL = "/saint-omer/adherer/"
S = Membership.Status


def on(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 10, 0, tzinfo=PARIS), tick=False)


@pytest.fixture
def season_2026(office):
    return services.install_seed_catalogue(office, year=2026)


@pytest.fixture
def season_2027(office, season_2026):
    season = services.install_seed_catalogue(office, year=2027)
    Season.objects.filter(pk=season.pk).update(sales_from=datetime.date(2026, 11, 1))
    season.refresh_from_db()
    return season


def join(season, **overrides):
    return services.submit_join_request(
        season.office, make_application(season, **overrides), evidence=EVIDENCE
    ).membership


def pay(membership, staff_user, day):
    billing_services.record_membership_payment(
        membership, actor=staff_user, method="transfer", amount=membership.amount_due, received_on=day
    )
    membership.refresh_from_db()


# --- The arithmetic ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "days", "season_days", "expected"),
    [
        ("190.00", 25, 365, "13.01"),  # 13.0137 → 13.01
        ("90.00", 25, 365, "6.16"),  # 6.1643 → 6.16
        ("1.00", 1, 8, "0.13"),  # 0.125: half-up, not to even
        ("0.01", 1, 2, "0.01"),  # 0.005 → 0.01
        ("90.00", 365, 365, "90.00"),
        ("90.00", 1, 366, "0.25"),  # a leap year: 0.2459 → 0.25
    ],
)
def test_prorata_is_rounded_half_up_to_the_cent(price, days, season_days, expected):
    assert prorated(Decimal(price), days, season_days) == Decimal(expected)


# --- Which season the form sells ---------------------------------------------------------------


def test_the_form_offers_next_season_from_its_sale_date(client, season_2027, staff_user):
    with on(2026, 10, 15):
        assert "Bulletin d'adhésion 2026" in client.get(JOIN_URL).content.decode()
    with on(2026, 12, 7):
        html = client.get(JOIN_URL).content.decode()
        assert "Bulletin d'adhésion 2027" in html
        assert 'id="start-notice"' not in html  # a 2027 membership starting on 1 January
        membership = join(season_2027)
        assert (membership.season.year, membership.starts_on) == (2027, datetime.date(2027, 1, 1))
        assert membership.amount_due == Decimal("90.00")
        membership, invoice = billing_services.accept_and_invoice(membership, actor=staff_user)
    assert (invoice.service_start, invoice.service_end) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 12, 31),
    )


# --- Late memberships --------------------------------------------------------------------------


def test_a_late_membership_at_full_price_covers_from_its_start(client, season_2026, staff_user):
    """The default rule: full price, and the service period starts the day it was requested."""
    with on(2026, 12, 7):
        assert "au tarif plein" in client.get(JOIN_URL).content.decode()
        membership = join(season_2026)
        assert (membership.starts_on, membership.amount_due) == (datetime.date(2026, 12, 7), Decimal("90.00"))
        membership, invoice = billing_services.accept_and_invoice(membership, actor=staff_user)
    assert (invoice.service_start, invoice.service_end) == (
        datetime.date(2026, 12, 7),
        datetime.date(2026, 12, 31),
    )
    xml = invoice_xml(invoice).decode()
    assert '<udt:DateTimeString format="102">20261207</udt:DateTimeString>' in xml  # BT-73
    assert "20260101" not in xml


def test_a_late_membership_at_prorata(client, season_2026, staff_user):
    services.set_season_sales(season_2026, sales_from=None, late_start_rule="prorata", actor=staff_user)
    english = Offer.objects.get(season=season_2026, code="formation-anglais")
    with on(2026, 12, 7):
        notice = client.get(JOIN_URL).content.decode()
        assert "(25 jours sur 365)" in notice and "6,16\u00a0€ TTC au lieu de 90,00\u00a0€" in notice
        membership = join(season_2026, options={english.pk: 2})
        pack_line, option_line = membership.lines.order_by("id")
        assert (pack_line.unit_price_ttc, pack_line.prorata_days) == (Decimal("6.16"), 25)
        assert (option_line.unit_price_ttc, option_line.prorata_days) == (Decimal("50.00"), None)
        assert membership.amount_due == Decimal("106.16")
        membership, invoice = billing_services.accept_and_invoice(membership, actor=staff_user)
        assert invoice.total_ttc == Decimal("106.16")
        assert invoice.service_start == datetime.date(2026, 12, 7)
        label = invoice.lines.order_by("position").first().label
        assert label == (
            "Pack partenaire — saison 2026, prorata temporis du 07/12/2026 au 31/12/2026 (25/365 jours)"
        )
        pay(membership, staff_user, datetime.date(2026, 12, 7))
    assert (membership.status, membership.activated_on) == (S.ACTIVE, datetime.date(2026, 12, 7))


def test_a_late_membership_counted_in_the_next_season(client, season_2027, season_2026, staff_user):
    """2026 counts its late memberships in 2027: from 2027's sale, a membership of 2027 starts at
    once, the end of 2026 offered, at 2027's full price."""
    services.set_season_sales(season_2026, sales_from=None, late_start_rule="next_season", actor=staff_user)
    with on(2026, 12, 7):
        assert "la fin de la saison 2026 vous est offerte" in client.get(JOIN_URL).content.decode()
        membership = join(season_2027)
        assert (membership.season.year, membership.starts_on) == (2027, datetime.date(2026, 12, 7))
        assert membership.amount_due == Decimal("90.00")
        membership, invoice = billing_services.accept_and_invoice(membership, actor=staff_user)
        assert (invoice.service_start, invoice.service_end) == (
            datetime.date(2026, 12, 7),
            datetime.date(2027, 12, 31),
        )
    with on(2026, 12, 9):
        pay(membership, staff_user, datetime.date(2026, 12, 9))
    assert (membership.status, membership.activated_on) == (S.ACTIVE, datetime.date(2026, 12, 9))
    training = membership.entitlements.get(kind="training")
    assert (training.valid_from, training.valid_until) == (
        datetime.date(2026, 12, 9),
        datetime.date(2027, 12, 31),
    )


# --- The office's settings ---------------------------------------------------------------------


def test_staff_set_the_sale_date_and_the_rule_in_the_catalogue(client, staff_user, season_2027):
    client.force_login(staff_user)
    page = client.get(f"/saint-omer/gestion/catalogue/?season={season_2027.pk}").content.decode()
    assert "Mise en vente et adhésions en cours de saison" in page
    url = f"/saint-omer/gestion/catalogue/{season_2027.pk}/vente/"
    response = client.post(
        url, {"sales-sales_from": "2026-10-15", "sales-late_start_rule": "prorata"}, follow=True
    )
    season_2027.refresh_from_db()
    assert (season_2027.sales_from, season_2027.late_start_rule) == (datetime.date(2026, 10, 15), "prorata")
    assert "mise en vente et règle des adhésions en cours de saison enregistrées" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sales-sales_from": "demain", "sales-late_start_rule": "full"}, "Saisissez une date valide."),
        ({"sales-sales_from": "", "sales-late_start_rule": "gratuit"}, "Sélectionnez un choix valide."),
        (
            {"sales-sales_from": "2028-01-01", "sales-late_start_rule": "full"},
            "La mise en vente doit commencer avant la fin de la saison (31/12/2027).",
        ),
    ],
)
def test_bad_settings_are_refused_with_a_message(client, staff_user, season_2027, data, message):
    client.force_login(staff_user)
    url = f"/saint-omer/gestion/catalogue/{season_2027.pk}/vente/"
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    season_2027.refresh_from_db()
    assert (season_2027.sales_from, season_2027.late_start_rule) == (datetime.date(2026, 11, 1), "full")


def test_the_service_refuses_an_unknown_rule_and_writes_nothing(season_2027, staff_user):
    with assert_refused("Choisissez une règle de la liste.", field="late_start_rule"):
        services.set_season_sales(season_2027, sales_from=None, late_start_rule="gratuit", actor=staff_user)


def test_preparing_the_next_season_carries_the_calendar_a_year_on(season_2027, staff_user):
    services.set_season_sales(
        season_2027, sales_from=datetime.date(2026, 11, 1), late_start_rule="prorata", actor=staff_user
    )
    new = services.prepare_next_season(season_2027, actor=staff_user)
    assert (new.year, new.sales_from, new.late_start_rule) == (2028, datetime.date(2027, 11, 1), "prorata")
