"""An office's billing settings: payment terms, late-payment terms and reminder days.

The late-payment penalty rate and the recovery indemnity are frozen on each invoice at issue
(`seller_snapshot`), like the due date computed from the payment terms: a change here only
reaches the invoices issued afterwards. The reminder days apply to the next daily run.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as N_

from ensemble.accounts.models import User
from ensemble.core import audit

from ..errors import BillingError
from ..models import BillingProfile

audit.register_actions(
    {"billing_profile.changed": gettext_lazy("Paramètres de facturation modifiés (%(fields)s)")}
)

BILLING_SETTINGS_FIELDS = (
    "payment_terms_days",
    "late_penalty_rate",
    "recovery_indemnity",
    "vat_on_debits",
    "reminder_offsets",
)
MAX_PAYMENT_TERMS_DAYS = 120
MAX_PENALTY_RATE = Decimal("100")
# Code de commerce, art. D441-5: the fixed indemnity for recovery costs is at least 40 €.
MIN_RECOVERY_INDEMNITY = Decimal("40.00")
MAX_REMINDERS = 4
MAX_REMINDER_DAYS = 365
CENT = Decimal("0.01")

# Marked here (N_), translated when raised (_(…)), in the language of the request.
TERMS_ERROR = N_("Le délai de paiement doit être un nombre entier de jours entre 0 et 120.")
RATE_ERROR = N_("Le taux des pénalités de retard doit être compris entre 0 et 100 %.")
INDEMNITY_ERROR = N_(
    "L'indemnité forfaitaire de recouvrement ne peut pas être inférieure à 40,00 € (minimum légal)."
)
OFFSETS_FORMAT_ERROR = N_(
    "Indiquez les relances en nombres de jours séparés par des virgules, par exemple 15,30."
)
OFFSETS_RANGE_ERROR = N_("Chaque relance a lieu entre 1 et 365 jours après l'échéance.")
OFFSETS_COUNT_ERROR = N_("Indiquez de 1 à 4 relances.")


def _payment_terms(value: Any) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BillingError(_(TERMS_ERROR), field="payment_terms_days")
    if not 0 <= value <= MAX_PAYMENT_TERMS_DAYS:
        raise BillingError(_(TERMS_ERROR), field="payment_terms_days")
    return value


def _decimal(value: Any, *, field: str, message: str) -> Decimal:
    if isinstance(value, bool | float):  # no float near money
        raise BillingError(message, field=field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise BillingError(message, field=field) from None
    if not number.is_finite():
        raise BillingError(message, field=field)
    if number == number.quantize(CENT):  # 40 → 40.00; 40.005 is left to the column's check
        number = number.quantize(CENT)
    return number


def _penalty_rate(value: Any) -> Decimal:
    rate = _decimal(value, field="late_penalty_rate", message=_(RATE_ERROR))
    if not 0 <= rate <= MAX_PENALTY_RATE:
        raise BillingError(_(RATE_ERROR), field="late_penalty_rate")
    return rate


def _recovery_indemnity(value: Any) -> Decimal:
    amount = _decimal(value, field="recovery_indemnity", message=_(INDEMNITY_ERROR))
    if amount < MIN_RECOVERY_INDEMNITY:
        raise BillingError(_(INDEMNITY_ERROR), field="recovery_indemnity")
    return amount


def _reminder_offsets(value: Any) -> str:
    """1 to 4 distinct days after the due date, each from 1 to 365: "15, 30" gives "15,30"."""
    if isinstance(value, list | tuple):
        value = ",".join(str(item) for item in value)
    parts = [part.strip() for part in str(value).split(",")]
    if parts == [""]:
        raise BillingError(_(OFFSETS_COUNT_ERROR), field="reminder_offsets")
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise BillingError(_(OFFSETS_FORMAT_ERROR), field="reminder_offsets")
    days = sorted({int(part) for part in parts})
    if not all(1 <= day <= MAX_REMINDER_DAYS for day in days):
        raise BillingError(_(OFFSETS_RANGE_ERROR), field="reminder_offsets")
    if len(days) > MAX_REMINDERS:
        raise BillingError(_(OFFSETS_COUNT_ERROR), field="reminder_offsets")
    return ",".join(str(day) for day in days)


_CHECKS = {
    "payment_terms_days": _payment_terms,
    "late_penalty_rate": _penalty_rate,
    "recovery_indemnity": _recovery_indemnity,
    "vat_on_debits": bool,
    "reminder_offsets": _reminder_offsets,
}


def _model_check(profile: BillingProfile) -> None:
    """The columns' own limits (digits, decimal places), as a BillingError on the first field."""
    try:
        profile.full_clean(exclude=["office"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
        field = next((name for name in BILLING_SETTINGS_FIELDS if name in errors), next(iter(errors)))
        raise BillingError(
            str(errors[field][0]), field=None if field == NON_FIELD_ERRORS else field
        ) from None


@transaction.atomic
def update_billing_profile(profile: BillingProfile, *, actor: User | None, **fields: Any) -> list[str]:
    """Change an office's billing settings; return the names of the fields that changed (only
    those are written). The first refusal is raised as a BillingError on its field, in French,
    and nothing is written; `profile` is updated in memory only when the change is saved."""
    unknown = sorted(set(fields) - set(BILLING_SETTINGS_FIELDS))
    if unknown:
        raise TypeError(f"update_billing_profile() does not change: {', '.join(unknown)}")
    stored = BillingProfile.objects.select_for_update().get(pk=profile.pk)
    candidate = BillingProfile.objects.get(pk=profile.pk)
    for name in BILLING_SETTINGS_FIELDS:  # in the page's order: the first error is the top one
        if name in fields:
            setattr(candidate, name, _CHECKS[name](fields[name]))
    _model_check(candidate)
    changed = [name for name in BILLING_SETTINGS_FIELDS if getattr(candidate, name) != getattr(stored, name)]
    if not changed:
        return []
    candidate.save(update_fields=changed)
    for name in changed:
        setattr(profile, name, getattr(candidate, name))
    audit.record(
        "billing_profile.changed",
        actor=actor,
        office=stored.office,
        target=stored,
        data={
            "fields": changed,
            "changes": audit.changes(
                {name: getattr(stored, name) for name in changed},
                {name: getattr(candidate, name) for name in changed},
            ),
        },
    )
    return changed
