"""What every form of the audience apps shares: showing a service's refusal; limits (min, max)
whose messages write numbers as the page's language does; the field for free text
(`PlainTextField`) and the one for a few values one per line (`LinesField`)."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.formats import number_format

from .errors import EnsembleError
from .text import one_line, plain_text


class ServiceErrorFormMixin:
    """`form.add_service_error(error)`: a service's error on the field it names (through
    `service_field_map` when the form calls it otherwise), or above the form."""

    service_field_map: Mapping[str, str] = {}

    def add_service_error(self, error: EnsembleError) -> None:
        name = self.service_field_map.get(error.field, error.field) if error.field else None
        self.add_error(name if name in self.fields else None, error.message)  # type: ignore[attr-defined]


class PlainTextField(forms.CharField):
    """Free text typed or pasted (from Word, from a web page): plain text by the one rule of
    core/text.py, whatever the form. With its line breaks in a Textarea (or `multiline=True`),
    on one line otherwise; max_length counts the plain text."""

    def __init__(self, *, multiline: bool | None = None, **kwargs):
        super().__init__(**kwargs)
        self.multiline = isinstance(self.widget, forms.Textarea) if multiline is None else multiline

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        text = plain_text(value) if self.multiline else one_line(value)
        return text if text or self.empty_value is None else self.empty_value


class LinesField(forms.CharField):
    """Several short values, one per line (further phones, e-mails, websites): shown one per
    line, cleaned to the list of the non-empty ones. `separators` also split a line (commas
    between e-mail addresses); a separator left at an item's end is dropped. The values are
    checked by the service, never read as HTML."""

    def __init__(self, *, separators: str = ",;", **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)
        self.separators = separators

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            text = "\n".join(str(item) for item in value)
        else:
            text = super().to_python(value) or ""
        for separator in self.separators:
            text = text.replace(separator, "\n")
        items = (line.strip().strip(",;").strip() for line in text.splitlines())
        return [item for item in items if item]


class _LocalizedLimit:
    """A limit validator whose message writes the limit as the active language writes numbers
    (« supérieure ou égale à 0,01 » in French, not « 0.01 »): Django formats it with `str()`."""

    def __call__(self, value):
        try:
            super().__call__(value)  # type: ignore[misc]
        except ValidationError as error:
            params = {**(error.params or {}), "limit_value": number_format(self.limit_value)}  # type: ignore[attr-defined]
            raise ValidationError(self.message, code=self.code, params=params) from None  # type: ignore[attr-defined]


class LocalizedMinValueValidator(_LocalizedLimit, MinValueValidator):
    pass


class LocalizedMaxValueValidator(_LocalizedLimit, MaxValueValidator):
    pass


def localize_limits(field: forms.Field) -> forms.Field:
    """`field` with its min/max validators replaced by ones whose message is localised."""
    kinds = {MinValueValidator: LocalizedMinValueValidator, MaxValueValidator: LocalizedMaxValueValidator}
    field.validators = [
        kinds[type(validator)](validator.limit_value, validator.message)
        if type(validator) in kinds
        else validator
        for validator in field.validators
    ]
    return field
