"""Billing's figures in the pages, printed as on the PDF (billing.formats)."""

from decimal import Decimal, InvalidOperation

from django import template

from ..formats import format_unit_price

register = template.Library()


@register.filter
def unit_price(value) -> str:
    """`{{ line.unit_price_ht|unit_price }}`: 41,67 € or 41,665 € (the one rule, decisions.md)."""
    if value is None or value == "":
        return ""
    try:
        return format_unit_price(Decimal(value))
    except (InvalidOperation, TypeError, ValueError):
        return ""


@register.filter
def unit_price_amount(value) -> str:
    """The same figure without the currency sign, for a sentence that places it (« 41,665 € HT »)."""
    return unit_price(value).removesuffix("\u00a0€")
