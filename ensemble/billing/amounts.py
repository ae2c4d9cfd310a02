"""Invoice arithmetic as EN 16931 does it, for prices entered TTC (as the partner guide's are).

EN 16931: a line's net amount (BT-131) is two-decimal; the taxable amount per VAT rate (BT-116)
is the sum of its lines; the VAT per rate (BT-117) is that amount × rate, rounded to the cent
(BR-CO-17); the totals add up (BR-CO-10, -13, -14, -15). For a TTC price the taxable amount of a
rate is chosen so that HT + VAT is exactly the TTC the partner was shown (90 € TTC → 75,00 HT +
15,00 VAT), and the lines' HT are spread to add up to it.
"""

import dataclasses
from collections import defaultdict
from decimal import Decimal

from ensemble.core.money import CENT, to_money

PRICE_PLACES = Decimal("0.000001")  # BT-146, the unit net price, may carry more decimals


@dataclasses.dataclass
class LineInput:
    label: str
    quantity: Decimal
    vat_rate: Decimal
    unit_price_ttc: Decimal | None = None  # either TTC (catalogue) …
    unit_price_ht: Decimal | None = None  # … or HT (a free line typed by staff)
    offer_id: int | None = None


@dataclasses.dataclass
class LineAmounts:
    source: LineInput
    total_ht: Decimal
    unit_price_ht: Decimal


@dataclasses.dataclass
class VatGroup:
    rate: Decimal
    taxable: Decimal
    vat: Decimal


@dataclasses.dataclass
class InvoiceAmounts:
    lines: list[LineAmounts]
    groups: list[VatGroup]

    @property
    def total_ht(self) -> Decimal:
        return sum((g.taxable for g in self.groups), Decimal("0.00"))

    @property
    def total_vat(self) -> Decimal:
        return sum((g.vat for g in self.groups), Decimal("0.00"))

    @property
    def total_ttc(self) -> Decimal:
        return self.total_ht + self.total_vat


def vat_of(taxable: Decimal, rate: Decimal) -> Decimal:
    return to_money(taxable * rate / 100)


def taxable_for_ttc(ttc: Decimal, rate: Decimal) -> Decimal:
    """The HT whose VAT brings it exactly to `ttc`, when one exists (5 TTC amounts in 6 at 20 %,
    every whole-euro price); otherwise the nearest."""
    nearest = to_money(ttc / (1 + rate / 100))
    for candidate in (nearest, nearest - CENT, nearest + CENT):
        if candidate + vat_of(candidate, rate) == ttc:
            return candidate
    return nearest


def is_exact_ttc(ttc: Decimal, rate: Decimal) -> bool:
    taxable = taxable_for_ttc(ttc, rate)
    return taxable + vat_of(taxable, rate) == ttc


def _line_ttc(line: LineInput) -> Decimal:
    return to_money(line.unit_price_ttc * line.quantity)


def compute(lines: list[LineInput]) -> InvoiceAmounts:
    by_rate: dict[Decimal, list[LineInput]] = defaultdict(list)
    for line in lines:
        by_rate[Decimal(line.vat_rate)].append(line)
    amounts: dict[int, LineAmounts] = {}
    groups = []
    for rate, group in sorted(by_rate.items()):
        taxable = _group_lines(rate, group, amounts)
        groups.append(VatGroup(rate=rate, taxable=taxable, vat=vat_of(taxable, rate)))
    return InvoiceAmounts(lines=[amounts[id(line)] for line in lines], groups=groups)


def _group_lines(rate: Decimal, group: list[LineInput], out: dict[int, LineAmounts]) -> Decimal:
    """Lines of one VAT rate: HT lines as typed, TTC lines spread over the exact taxable."""
    ht_lines = [line for line in group if line.unit_price_ttc is None]
    ttc_lines = [line for line in group if line.unit_price_ttc is not None]
    taxable = Decimal("0.00")
    for line in ht_lines:
        total = to_money(line.unit_price_ht * line.quantity)
        out[id(line)] = LineAmounts(line, total, Decimal(line.unit_price_ht).quantize(PRICE_PLACES))
        taxable += total
    if ttc_lines:
        ttc_total = sum((_line_ttc(line) for line in ttc_lines), Decimal("0.00"))
        target = taxable_for_ttc(ttc_total, rate)
        shares = [to_money(_line_ttc(line) / (1 + rate / 100)) for line in ttc_lines]
        # the cent lost or gained by rounding each line goes to the largest line
        largest = max(range(len(shares)), key=lambda i: shares[i])
        shares[largest] += target - sum(shares, Decimal("0.00"))
        for line, share in zip(ttc_lines, shares, strict=True):
            unit = (share / line.quantity).quantize(PRICE_PLACES)
            out[id(line)] = LineAmounts(line, share, unit)
        taxable += target
    return taxable
