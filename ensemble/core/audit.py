"""The audit log: every service that changes data writes exactly one entry, through `record`.

An entry is a dotted action code, the actor, the office, the object and a JSON of what changed.
No sentence is stored: each app registers the wording of its codes (`register_actions`) and an
entry is rendered in the reader's language when it is shown (`describe`). Secrets (IBAN, tokens,
passwords) are masked before they are written.
"""

from __future__ import annotations

import datetime
import decimal
import importlib
import pkgutil
import re
from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Office

# Keys whose values never reach the log whole: the last four characters are enough to tell an
# IBAN change from another, nothing of a password or token is kept.
MASKED_KEYS = frozenset({"iban", "bic"})
SECRET_KEYS = frozenset({"password", "token", "secret", "code", "recovery_codes", "totp"})

_ACTIONS: dict[str, Any] = {}
_DISCOVERED = False


def register_actions(actions: Mapping[str, Any]) -> None:
    """Each app registers `{code: gettext_lazy("… %(field)s …")}` for the codes it writes; the
    placeholders are keys of the entry's data, plus `target` (the object's label)."""
    _ACTIONS.update(actions)


def discover_actions() -> None:
    """Import every app's services (with their submodules): each registers its wording when it is
    imported. A process that only reads the log (a command, a worker) may not have imported them."""
    global _DISCOVERED
    for app in apps.get_app_configs():
        name = f"{app.name}.services"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        for info in pkgutil.walk_packages(getattr(module, "__path__", []), name + "."):
            importlib.import_module(info.name)
    _DISCOVERED = True


def registered_actions() -> dict[str, Any]:
    if not _DISCOVERED:
        discover_actions()
    return dict(_ACTIONS)


def acting_user(actor: Any) -> Any:
    """The user to record: an anonymous visitor (or nobody) is None."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def mask(key: str, value: Any) -> Any:
    name = key.lower()
    if any(secret in name for secret in SECRET_KEYS):
        return "***"
    if name in MASKED_KEYS and isinstance(value, str) and value:
        return "…" + value[-4:]
    return value


def _plain(value: Any) -> Any:
    """JSON-safe copy: decimals and dates as strings, models as their id."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): _plain(mask(str(k), v)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict]:
    """{field: {"old": …, "new": …}} for the fields whose value differs, masked."""
    return {
        key: {"old": _plain(mask(key, before.get(key))), "new": _plain(mask(key, after.get(key)))}
        for key in after
        if before.get(key) != after.get(key)
    }


def record(
    action: str,
    *,
    actor: Any,
    office: Office | None,
    target: models.Model | None = None,
    organisation_id: int | None = None,
    data: Mapping[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Write one audit entry (inside the caller's transaction: a rolled-back change leaves none)."""
    label = str(target)[:200] if target is not None else ""
    return AuditEntry.objects.create(
        office=office,
        action=action,
        actor=acting_user(actor),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=label,
        organisation_id=organisation_id,
        data=_plain(dict(data or {})),
        ip_address=ip_address or None,
    )


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def describe(entry: AuditEntry) -> str:
    """The entry in the active language: its registered wording filled with its data."""
    if entry.action not in _ACTIONS and not _DISCOVERED:
        discover_actions()
    wording = _ACTIONS.get(entry.action)
    if wording is None:
        return str(_("Action %(code)s") % {"code": entry.action})
    values = _Defaulting({k: _display(v) for k, v in (entry.data or {}).items()})
    values["target"] = entry.target_label or "—"
    try:
        return str(wording) % values
    except (KeyError, TypeError, ValueError):
        return str(wording)


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AMOUNT = re.compile(r"^-?\d+\.\d{2}$")


def _display(value: Any) -> str:
    """A stored value as the reader expects it: dates and amounts (kept as ISO text and
    two-decimal strings) in the active language's format."""
    if isinstance(value, Mapping) and set(value) == {"old", "new"}:
        return f"{_display(value['old'])} → {_display(value['new'])}"
    if isinstance(value, list):
        return ", ".join(_display(v) for v in value) or "—"
    if value in (None, ""):
        return "—"
    if isinstance(value, str) and ISO_DATE.match(value):
        return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if isinstance(value, str) and AMOUNT.match(value):
        return formats.number_format(decimal.Decimal(value), 2, force_grouping=True)
    return str(value)


register_actions(
    {
        "audit_log.exported": _("Export du journal d'audit"),
        "data.exported": _("Export téléchargé : %(path)s"),
        "document.downloaded": _("Document téléchargé : %(path)s"),
    }
)
