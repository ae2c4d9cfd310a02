"""Small display helpers for the back-office templates."""

from django import template

from ensemble.directory.validators import display_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """A stored phone number (E.164) as people read it: 03 21 12 34 56 in France."""
    return display_phone(value or "")
