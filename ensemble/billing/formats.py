"""How billing prints its figures, on every document and page (decisions.md, « Prix unitaires »).

One rule for unit prices: the unit price shown is BT-146 as the Factur-X XML carries it, the
stored HT unit price rounded half-up to 4 decimals, printed with 2 decimals when it has no more
(41,67 €) and otherwise with the 3 or 4 it has (41,665 €). A unit price derived from a TTC price
(83,33 € HT for 2 × 50 € TTC) is rarely a whole number of cents; rounding it to the cent on
a page would make « quantité × prix unitaire » disagree with the line's net amount, which is
what counts (BT-131). The PDF, the back office, the espace pro and the XML all call
`format_unit_price`; the accounting exports carry no unit price (only line and VAT amounts).
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from ensemble.core.money import CENT, format_eur

PRICE_PLACES = Decimal("0.0001")  # Factur-X: unit prices carry at most 4 decimals
THIN_SPACE, NO_BREAK_SPACE = "\u202f", "\u00a0"


def unit_price_value(value: Decimal) -> Decimal:
    """BT-146: the HT unit price to 4 decimals, as sent in the XML."""
    return Decimal(value).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)


def format_unit_price(value: Decimal) -> str:
    """41,67 € when the price is whole cents, else 41,665 € or 41,6667 € (never rounded to the
    cent: quantity × unit price gives the line's net amount)."""
    value = unit_price_value(value)
    if value == value.quantize(CENT):
        return format_eur(value)
    whole, _, decimals = f"{value:,.4f}".partition(".")
    return f"{whole.replace(',', THIN_SPACE)},{decimals.rstrip('0')}{NO_BREAK_SPACE}€"


def format_quantity(value: Decimal) -> str:
    """3, 1,5: no useless decimals."""
    return f"{Decimal(value).normalize():f}".replace(".", ",")


def format_date(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""
