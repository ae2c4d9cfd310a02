"""Identifiers checked with python-stdnum and phonenumbers; messages in French, translated."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.eu import vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren, siret


def clean_siret(value: str) -> str:
    try:
        return siret.validate(value)
    except StdnumError:
        raise ValidationError(
            _("Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle incorrecte)."),
            code="invalid_siret",
        ) from None


def clean_siren(value: str) -> str:
    try:
        return siren.validate(value)
    except StdnumError:
        raise ValidationError(
            _("Ce numéro SIREN n'est pas valide (9 chiffres, clé de contrôle incorrecte)."),
            code="invalid_siren",
        ) from None


def clean_vat_number(value: str) -> str:
    try:
        return vat.validate(value)
    except StdnumError:
        raise ValidationError(
            _("Ce numéro de TVA intracommunautaire n'est pas valide."), code="invalid_vat"
        ) from None


def clean_phone(value: str, region: str = "FR") -> str:
    """Return the number in E.164 (+33321980851)."""
    message = _("Ce numéro de téléphone n'est pas valide.")
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(message, code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(message, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(value: str) -> str:
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
