"""Erasure on request (RGPD art. 17): the person's data anonymised everywhere in one transaction,
except what the law makes the office keep, each kept item listed with its reason."""

import dataclasses
import datetime

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.models import Office

from ..errors import PrivacyError
from ..registry import Entry, Erase, entries
from ..subject import Subject, find_subject

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


@dataclasses.dataclass(frozen=True)
class KeptItem:
    label: str
    description: str
    reason: str


@dataclasses.dataclass
class ErasureReport:
    email: str
    erased_at: datetime.datetime
    changed: dict[str, int] = dataclasses.field(default_factory=dict)  # label -> rows anonymised
    deleted: dict[str, int] = dataclasses.field(default_factory=dict)  # label -> rows deleted
    kept: list[KeptItem] = dataclasses.field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return not self.kept


def erase_person(office: Office, *, email: str, actor: User) -> ErasureReport:
    """Anonymise what `office` holds about the person with this e-mail; keep, and list, what the
    law requires (issued invoices, payments, acceptance evidence). All or nothing."""
    with transaction.atomic():
        subject = find_subject(office, email)
        if subject.is_empty:
            raise PrivacyError(_("Aucune personne n'a cette adresse e-mail dans l'office."), field="email")
        if actor is not None and actor.pk in subject.erasable_user_ids:
            raise PrivacyError(_("Vous ne pouvez pas effacer votre propre compte."), field="email")
        report = ErasureReport(email=subject.email, erased_at=timezone.now())
        # Users last: the other entries find rows through the person's login.
        for entry in sorted(entries(), key=lambda e: e.model == "accounts.User"):
            _erase_entry(entry, subject, report)
        audit.record(
            "privacy.person_erased",
            actor=actor,
            office=office,
            data={"kept": len(report.kept), "changed": sum(report.changed.values())},
        )
    return report


def _erase_entry(entry: Entry, subject: Subject, report: ErasureReport) -> None:
    model = apps.get_model(entry.model)
    rows = model._default_manager.filter(entry.rows(subject)).distinct()
    kept_ids: set = set()
    if entry.keep is not None:
        for row in rows.filter(entry.keep(subject)):
            kept_ids.add(row.pk)
            reason = entry.reason(row) if callable(entry.reason) else entry.reason
            report.kept.append(KeptItem(str(entry.label), entry.describe(row), str(reason)))
    rest = rows.exclude(pk__in=kept_ids)
    label = str(entry.label)
    if entry.erase == Erase.DELETE:
        keys = list(rest.values_list("pk", flat=True))
        count = model._default_manager.filter(pk__in=keys).delete()[0]
        if entry.forget is not None:
            entry.forget(keys)
        if count:
            report.deleted[label] = count
    elif entry.erase in (Erase.SCRUB, Erase.ANONYMISE):
        changed = sum(_anonymise(model, row, entry, subject) for row in rest)
        if changed:
            report.changed[label] = changed


def _anonymise(model, row, entry: Entry, subject: Subject) -> int:
    changes = {}
    for name, value_of in entry.set_values.items():
        field = model._meta.get_field(name)
        value = value_of(subject, row)
        if value != getattr(row, field.attname):
            changes[field.attname] = value
    for field in model._meta.concrete_fields:
        if not isinstance(field, TEXT_FIELDS) or field.choices or field.attname in changes:
            continue
        if field.name in entry.set_values:
            continue
        value = getattr(row, field.attname)
        scrubbed = subject.scrub(value)
        if scrubbed != value:
            changes[field.attname] = scrubbed
    if not changes:
        return 0
    # A queryset update: no save() side effects, and the row's own guards (an issued invoice
    # refuses any update) still apply to what is not kept.
    model._default_manager.filter(pk=row.pk).update(**changes)
    return 1
