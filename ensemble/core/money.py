"""Money is Decimal with two places, rounded half-up, never float."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language

CENT = Decimal("0.01")


def to_money(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("Money is never a float.")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def split_ttc(amount_ttc: Decimal, vat_rate: Decimal) -> tuple[Decimal, Decimal]:
    """Split a price entered TTC into (HT, VAT) so that HT + VAT is exactly the TTC price.

    HT is rounded half-up to the cent and VAT is the remainder: 90 € TTC at 20 % gives
    75,00 HT + 15,00 VAT.
    """
    amount_ttc = to_money(amount_ttc)
    ht = to_money(amount_ttc / (1 + Decimal(vat_rate) / 100))
    return ht, amount_ttc - ht


def format_eur(amount: Decimal) -> str:
    """French display: 1 234,50 €."""
    whole, _, cents = f"{to_money(amount):,.2f}".partition(".")
    thin_space, no_break_space = "\u202f", "\u00a0"
    return f"{whole.replace(',', thin_space)},{cents}{no_break_space}€"


# Separators (thousands, decimal) and the place of the sign, by language: 1 234,50 € in French,
# €1,234.50 in English, € 1.234,50 in Dutch (the conventions of CLDR, which Babel would apply).
_MONEY_STYLES = {
    "fr": ("\u202f", ",", "{amount}\u00a0€"),
    "en": (",", ".", "€{amount}"),
    "nl": (".", ",", "€\u00a0{amount}"),
}


def format_money(amount: Decimal | int | str, lang: str | None = None, *, short: bool = False) -> str:
    """An amount in euros as a reader of `lang` (the active language by default) writes it;
    `short` leaves out the cents of a whole amount (a catalogue price: 150 €)."""
    code = (lang or get_language() or "fr")[:2]
    thousands, decimal, pattern = _MONEY_STYLES.get(code, _MONEY_STYLES["fr"])
    value = to_money(amount)
    whole, _, cents = f"{abs(value):,.2f}".partition(".")
    number = whole.replace(",", thousands) + ("" if short and cents == "00" else decimal + cents)
    text = pattern.format(amount=number)
    return f"-{text}" if value < 0 else text
