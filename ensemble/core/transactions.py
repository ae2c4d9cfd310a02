"""What a service does inside its transaction: lock the row it changes, and leave the slow work
(e-mails, PDFs) to a task queued with the transaction (it runs once it has committed).

Every app uses these two; nothing else in the code takes a row lock on "the object I was given"
or calls `transaction.on_commit` itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=models.Model)


def require_transaction(what: str) -> None:
    """Refuse to run outside a transaction: a lock taken in autocommit mode is released at once,
    so the check that follows it would guard nothing."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(f"{what} must run inside the service's transaction.")


def lock(instance: M, *, related: Iterable[str] = ()) -> M:
    """The row of `instance` read again under `SELECT … FOR UPDATE`: the copy the service checks
    and changes (`obj = lock(obj, related=(…))`).

    Only the row itself is locked (`of=("self",)`): the `related` objects joined by the same
    query may sit on the nullable side of an outer join. Relations not joined are read lazily,
    after the lock, so a row created by the transaction we waited for is seen.

    The caller's own object is refreshed from that row too (fields, joined objects; stale caches
    dropped), so a view that shows it after a refusal shows what is stored now. It is not the
    object the service changes: a refusal raised halfway leaves it as stored, never half-moved.
    """
    require_transaction("lock()")
    queryset = type(instance)._default_manager.select_for_update(of=("self",))
    related = tuple(related)
    if related:
        queryset = queryset.select_related(*related)
    locked = queryset.get(pk=instance.pk)
    _copy_row(locked, instance)
    return locked


def _copy_row(source: models.Model, target: models.Model) -> None:
    """What `Model.refresh_from_db` does, from a row already read (no second query)."""
    meta = source._meta
    for field in meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
        if not field.is_relation:
            continue
        if field.is_cached(source):
            field.set_cached_value(target, field.get_cached_value(source))
        elif field.is_cached(target):
            field.delete_cached_value(target)
    for relation in meta.related_objects:
        if relation.is_cached(target):
            relation.delete_cached_value(target)
    target._prefetched_objects_cache = {}
    target._state.db = source._state.db
    target._state.adding = False


def enqueue_on_commit(task: Any, *args: Any, office: Any = None) -> None:
    """Queue `task` (a django-tasks task) with these arguments, as part of the current
    transaction: nothing is queued if it rolls back.

    With the database backend the task's row is written inside the transaction itself, so a
    process that dies just after the commit cannot lose the work (a PDF never rendered); other
    backends queue it once the transaction commits. `office`, when the work concerns one, is
    noted so that a failure shows on that office's « travaux en échec » page.

    Arguments are ids, never model instances: the task reloads what it needs."""
    if _queues_in_database(task):
        from .worker import record_office

        result = task.enqueue(*args)
        if office is not None:
            record_office(result.id, office)
        return
    transaction.on_commit(lambda: task.enqueue(*args))


def _queues_in_database(task: Any) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task.get_backend(), DatabaseBackend)
