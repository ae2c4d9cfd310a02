"""Money: Decimal with two places, rounded half-up; a TTC price splits exactly into HT + VAT."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from ensemble.core.money import CENT, format_eur, split_ttc, to_money

NBSP, NNBSP = "\u00a0", "\u202f"
RATES = [Decimal("20"), Decimal("10"), Decimal("5.5")]


def test_split_ttc_of_the_pack_partenaire():
    assert split_ttc(Decimal("90"), Decimal("20")) == (Decimal("75.00"), Decimal("15.00"))
    assert split_ttc(90, 20) == (Decimal("75.00"), Decimal("15.00"))


@pytest.mark.parametrize(
    ("ttc", "rate", "ht", "vat"),
    [
        ("100.00", "20", "83.33", "16.67"),
        ("50.00", "20", "41.67", "8.33"),
        ("10.00", "5.5", "9.48", "0.52"),
        ("0.01", "20", "0.01", "0.00"),
        ("0.00", "20", "0.00", "0.00"),
        ("800.00", "10", "727.27", "72.73"),
    ],
)
def test_split_ttc_known_values(ttc, rate, ht, vat):
    assert split_ttc(Decimal(ttc), Decimal(rate)) == (Decimal(ht), Decimal(vat))


@pytest.mark.parametrize("rate", RATES, ids=str)
def test_ht_plus_vat_is_exactly_ttc_for_every_cent_up_to_1000(rate):
    one = Decimal(1)
    for cents in range(1, 100_001):
        ttc = Decimal(cents).scaleb(-2)
        ht, vat = split_ttc(ttc, rate)
        assert ht + vat == ttc, ttc
        assert ht.as_tuple().exponent == -2 and vat.as_tuple().exponent == -2, ttc
        assert ht >= 0 and vat >= 0, ttc
        # The HT is the TTC price brought back to HT, rounded half-up to the cent...
        exact_ht = ttc / (one + rate / 100)
        assert abs(ht - exact_ht) <= Decimal("0.005"), ttc
        # ...and the VAT is within a cent of the VAT computed on that HT (EN 16931).
        assert abs(vat - (ht * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)) <= CENT, ttc


def test_split_ttc_returns_decimals():
    ht, vat = split_ttc(Decimal("90.00"), Decimal("20.00"))
    assert type(ht) is Decimal and type(vat) is Decimal


@pytest.mark.parametrize("value", [90.0, 0.1, float("nan")])
def test_to_money_rejects_float(value):
    with pytest.raises(TypeError):
        to_money(value)


def test_split_ttc_rejects_a_float_price():
    with pytest.raises(TypeError):
        split_ttc(90.0, Decimal("20"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (90, "90.00"),
        ("12.5", "12.50"),
        ("0.125", "0.13"),  # half-up, where banker's rounding would give 0.12
        ("2.675", "2.68"),  # the float 2.675 would round to 2.67
        ("-0.125", "-0.13"),
        (Decimal("199.994"), "199.99"),
    ],
)
def test_to_money_rounds_half_up_to_the_cent(value, expected):
    result = to_money(value)
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2
    assert type(result) is Decimal


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("90"), f"90,00{NBSP}€"),
        (Decimal("0"), f"0,00{NBSP}€"),
        (Decimal("1234.5"), f"1{NNBSP}234,50{NBSP}€"),
        (Decimal("1234567.891"), f"1{NNBSP}234{NNBSP}567,89{NBSP}€"),
        (Decimal("2.675"), f"2,68{NBSP}€"),
        (Decimal("-15"), f"-15,00{NBSP}€"),
    ],
)
def test_format_eur_is_french(amount, expected):
    assert format_eur(amount) == expected
