"""Changes to the office itself: the seller's identity printed on every invoice.

An issued invoice keeps the seller as it was on the day of issue (`Invoice.seller`), so a change
here only reaches the invoices issued afterwards.
"""

import logging
import re
import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit
from .errors import EnsembleError
from .models import Office, TaskState
from .origins import parse_origins
from .page_cache import invalidate_office

logger = logging.getLogger(__name__)

audit.register_actions(
    {
        "office.settings_changed": _("Paramètres de l'office modifiés (%(fields)s)"),
        "office.bank_details_changed": _("Coordonnées bancaires de l'office modifiées (%(fields)s)"),
    }
)

# What staff may change on the settings page; the slug and the host name change URLs and are not
# settings of the seller.
OFFICE_SETTINGS_FIELDS = (
    "name",
    "legal_name",
    "legal_form",
    "share_capital",
    "siret",
    "vat_number",
    "rcs",
    "address",
    "postcode",
    "city",
    "email",
    "phone",
    "email_from_address",
    "email_reply_to",
    "iban",
    "bic",
    "cheque_payee",
    "privacy_notice",
    "api_allowed_origins",
    "require_staff_mfa",
)
# A change of these is logged as its own action: the money of every partner goes there.
BANK_DETAILS_FIELDS = ("iban", "bic", "cheque_payee")
# Identifiers people paste with spaces ("FR76 3000 6000…"): the spaces go before the length checks.
_SPACED_IDENTIFIERS = ("siret", "vat_number", "iban", "bic")


def _normalise(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _SPACED_IDENTIFIERS:
        return re.sub(r"\s", "", value).upper()
    if name == "api_allowed_origins":
        return "\n".join(parse_origins(value))
    return value.strip()


def _first_error(exc: ValidationError, fields: tuple[str, ...]) -> EnsembleError:
    """The first message, in the order of the page's fields, with the field it belongs to."""
    errors = exc.message_dict
    field = next((name for name in fields if name in errors), next(iter(errors)))
    return EnsembleError(str(errors[field][0]), field=None if field == NON_FIELD_ERRORS else field)


@transaction.atomic
def update_office_settings(office: Office, *, actor: AbstractBaseUser | None, **fields: Any) -> list[str]:
    """Change the office's identity and payment details; return the names of the fields that
    changed (only those are written).

    Validation is the model's (`Office.full_clean`: SIRET, VAT number, IBAN and BIC checked and
    normalised); the first refusal is raised as an EnsembleError on its field, and nothing is
    written. `office` is updated in memory only when the change is saved.
    """
    unknown = sorted(set(fields) - set(OFFICE_SETTINGS_FIELDS))
    if unknown:
        raise TypeError(f"update_office_settings() does not change: {', '.join(unknown)}")
    stored = Office.objects.select_for_update().get(pk=office.pk)
    candidate = Office.objects.get(pk=office.pk)
    for name, value in fields.items():
        setattr(candidate, name, _normalise(name, value))
    excluded = [f.name for f in Office._meta.fields if f.name not in OFFICE_SETTINGS_FIELDS]
    try:
        candidate.full_clean(exclude=excluded)
    except ValidationError as exc:
        raise _first_error(exc, OFFICE_SETTINGS_FIELDS) from None
    changed = [name for name in OFFICE_SETTINGS_FIELDS if getattr(candidate, name) != getattr(stored, name)]
    if not changed:
        return []
    candidate.save(update_fields=changed)
    for name in changed:
        setattr(office, name, getattr(candidate, name))
    before = {name: getattr(stored, name) for name in changed}
    after = {name: getattr(candidate, name) for name in changed}
    bank = any(name in BANK_DETAILS_FIELDS for name in changed)
    audit.record(
        "office.bank_details_changed" if bank else "office.settings_changed",
        actor=actor,
        office=office,
        target=office,
        data={"fields": changed, "changes": audit.changes(before, after)},
    )
    invalidate_office(office.pk)  # its name and details are on the public pages
    return changed


# ---- background work that failed (core.worker) --------------------------------------------------

audit.register_actions({"task.retried": _("Travail en échec relancé : %(task)s")})


@transaction.atomic
def retry_task(office: Office, result_id: str, *, actor: AbstractBaseUser | None) -> None:
    """Queue a failed task again, now, with its attempts counted from zero. Only the office's own
    tasks and the shared ones (daily jobs, which concern every office and are safe to rerun)."""
    from django_tasks.base import TaskResultStatus

    from .selectors import failed_tasks
    from .task_labels import label_of

    try:
        result_id = uuid.UUID(str(result_id))
    except ValueError:
        result = None
    else:
        result = failed_tasks(office).select_for_update(of=("self",)).filter(pk=result_id).first()
    if result is None:
        raise EnsembleError(_("Ce travail n'est plus en échec (il a peut-être déjà été relancé)."))
    TaskState.objects.update_or_create(
        result_id=result.pk, defaults={"attempts": 0, "lease_expires_at": None}
    )
    result.status = TaskResultStatus.READY
    result.run_after = timezone.now()
    result.started_at = result.finished_at = None
    result.save(update_fields=["status", "run_after", "started_at", "finished_at"])
    audit.record(
        "task.retried",
        actor=actor,
        office=office,
        target=None,
        data={"task": str(label_of(result.task_path)), "id": str(result.pk)},
    )
