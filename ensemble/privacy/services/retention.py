"""The daily retention purges: each office's durations (RetentionPolicy), the registry's list of
what to empty (registry.PURGES), and the finished task results. Each purge only touches rows
that still hold something, so running it twice changes nothing more."""

import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.models import Office

from ..errors import PrivacyError
from ..models import RetentionPolicy
from ..registry import PURGES, Purge
from ..selectors import retention_policy


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _cutoff(purge: Purge, policy: RetentionPolicy, now: datetime.datetime):
    """The first moment that is still kept, as a date or a datetime like the reference field."""
    amount = getattr(policy, purge.period)
    model = apps.get_model(purge.model)
    field = _final_field(model, purge.reference)
    if purge.unit == "years":
        cutoff_day = _years_before(timezone.localdate(now), amount)
        if isinstance(field, models.DateTimeField):
            return now - (timezone.localdate(now) - cutoff_day)
        return cutoff_day
    moment = now - datetime.timedelta(days=amount)
    return moment if isinstance(field, models.DateTimeField) else timezone.localdate(moment)


def _final_field(model, lookup: str):
    for part in lookup.split("__")[:-1]:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(lookup.split("__")[-1])


def purge_expired(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Empty, office by office, what each `Purge` of the registry says has expired. Logs one
    `privacy.data_purged` entry per office (and one for the rows of no office) where something was
    emptied, with the counts: an entry per row emptied would only repeat them."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    # Rows without an office (logins are logged before one is chosen) follow the defaults.
    for office, policy in [
        *((o, retention_policy(o)) for o in Office.objects.all()),
        (None, RetentionPolicy()),
    ]:
        with transaction.atomic():
            purged = _purge_office(office, policy, now)
            if purged:
                audit.record("privacy.data_purged", actor=None, office=office, data={"counts": purged})
        for key, done in purged.items():
            counts[key] = counts.get(key, 0) + done
    return counts


def _purge_office(office: Office | None, policy: RetentionPolicy, now: datetime.datetime) -> dict[str, int]:
    purged: dict[str, int] = {}
    for purge in PURGES:
        model = apps.get_model(purge.model)
        rows = model._default_manager.filter(
            purge.when,
            purge.holding,
            **{purge.office: office, f"{purge.reference}__lt": _cutoff(purge, policy, now)},
        )
        done = rows.update(**purge.clear)
        if done:
            key = f"{purge.model}.{purge.period}"
            purged[key] = purged.get(key, 0) + done
    return purged


def purge_task_results(*, now: datetime.datetime | None = None) -> int:
    """Delete the finished background-task results older than the shortest office setting (the
    results are not per office; the strictest duration wins)."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    days = min(
        [retention_policy(office).task_result_days for office in Office.objects.all()]
        or [RetentionPolicy._meta.get_field("task_result_days").default]
    )
    old = DBTaskResult.objects.finished().filter(finished_at__lt=now - datetime.timedelta(days=days))
    with transaction.atomic():
        deleted = old.delete()[0]
        if deleted:  # the results belong to no office
            audit.record("privacy.task_results_purged", actor=None, office=None, data={"deleted": deleted})
    return deleted


def apply_retention(*, now: datetime.datetime | None = None) -> dict[str, int]:
    counts = purge_expired(now=now)
    counts["django_tasks_database.DBTaskResult"] = purge_task_results(now=now)
    return counts


POLICY_FIELDS = ("email_body_days", "connection_ip_days", "evidence_years", "task_result_days")


def update_retention_policy(office: Office, *, actor: User, **values: int) -> RetentionPolicy:
    """Change the office's durations (validated against the model's bounds)."""
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise PrivacyError(_("Durée de conservation inconnue."))
    with transaction.atomic():
        policy, _created = RetentionPolicy.objects.select_for_update().get_or_create(office=office)
        before = {name: getattr(policy, name) for name in POLICY_FIELDS}
        for name, value in values.items():
            setattr(policy, name, value)
        try:
            policy.full_clean(exclude=["office"])
        except ValidationError as error:  # the first message, on its field
            field, messages = next(iter(error.message_dict.items()))
            raise PrivacyError(messages[0], field=field) from None
        policy.save()
        audit.record(
            "privacy.retention_changed",
            actor=actor,
            office=office,
            data=audit.changes(before, {name: getattr(policy, name) for name in POLICY_FIELDS}),
        )
    return policy
