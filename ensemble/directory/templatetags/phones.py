"""`{{ number|display_phone }}`: a stored phone number as people read it (03 21 98 08 51)."""

from django import template

from ensemble.directory.validators import display_phone as _display_phone

register = template.Library()


@register.filter
def display_phone(value: str) -> str:
    return _display_phone(value or "")
