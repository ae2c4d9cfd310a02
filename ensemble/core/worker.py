"""Background work that is never lost: leases, a heartbeat, retries with back-off.

django-tasks' database worker claims a task by marking it RUNNING; a worker that dies then (a
SIGKILL, a machine that stops, `make run` interrupted) leaves it RUNNING for ever. Ensemble's
worker (`manage.py worker`) adds, per task, a `core.TaskState` row:

- a lease, renewed by a heartbeat thread every third of `TASK_LEASE_SECONDS` while the task runs.
  Any worker's heartbeat also hands back the tasks whose lease expired (or that were claimed and
  never leased): they become READY again, to be taken by whoever is alive;
- attempts: a task that raised is retried after `TASK_RETRY_BACKOFF_SECONDS` × 4^(attempt − 1),
  up to `TASK_MAX_ATTEMPTS`; then it stays FAILED and the office's staff see it on the
  « travaux en échec » page, with a button that queues it again (`retry_task`).

Running a task twice must never do its effect twice: every task re-checks under a row lock or
relies on a unique constraint (see each task's docstring); the lease only decides who runs it.
"""

import datetime
import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from .models import Office, TaskState

logger = logging.getLogger("ensemble.worker")

# Exceptions a retry cannot cure are still retried: a task's own checks decide what is final
# (they return instead of raising). Only an interruption of the worker itself is not a failure.
NOT_FAILURES = (KeyboardInterrupt, SystemExit)
WORKER_LOST = "ensemble.core.worker.WorkerLost"


def lease_seconds() -> int:
    return int(settings.TASK_LEASE_SECONDS)


def backoff(attempt: int) -> datetime.timedelta:
    """The wait before attempt `attempt + 1`: 30 s, 2 min, 8 min, 32 min… by default."""
    return datetime.timedelta(seconds=settings.TASK_RETRY_BACKOFF_SECONDS * 4 ** max(attempt - 1, 0))


def record_office(result_id, office: Office | int | None) -> None:
    """Note which office a queued task concerns (shown on that office's failed-work page)."""
    office_id = office.pk if isinstance(office, Office) else office
    TaskState.objects.update_or_create(result_id=result_id, defaults={"office_id": office_id})


def start_attempt(result: DBTaskResult, worker_id: str) -> TaskState:
    """Count one attempt and take the lease; called by the worker right after claiming."""
    with transaction.atomic():
        state, _ = TaskState.objects.select_for_update().get_or_create(result_id=result.pk)
        state.attempts += 1
        state.worker_id = worker_id[:64]
        state.lease_expires_at = timezone.now() + datetime.timedelta(seconds=lease_seconds())
        state.save(update_fields=["attempts", "worker_id", "lease_expires_at"])
    return state


def renew_lease(result_id, worker_id: str) -> bool:
    """Extend our lease; False if it is no longer ours (the task was handed to another)."""
    expires = timezone.now() + datetime.timedelta(seconds=lease_seconds())
    return bool(
        TaskState.objects.filter(result_id=result_id, worker_id=worker_id[:64]).update(
            lease_expires_at=expires
        )
    )


def end_attempt(result: DBTaskResult) -> None:
    """After the task ran: release the lease; a failure is rescheduled while attempts remain."""
    with transaction.atomic():
        state = TaskState.objects.select_for_update().filter(result_id=result.pk).first()
        if state is None:
            return
        state.lease_expires_at = None
        state.save(update_fields=["lease_expires_at"])
        fresh = DBTaskResult.objects.select_for_update().get(pk=result.pk)
        if fresh.status == TaskResultStatus.FAILED and state.attempts < settings.TASK_MAX_ATTEMPTS:
            _make_ready(fresh, run_after=timezone.now() + backoff(state.attempts))


def _make_ready(result: DBTaskResult, *, run_after: datetime.datetime) -> None:
    """READY again; the last error (class and traceback) is kept for whoever looks at it."""
    result.status = TaskResultStatus.READY
    result.run_after = run_after
    result.started_at = None
    result.finished_at = None
    result.save(update_fields=["status", "run_after", "started_at", "finished_at"])


def recover_abandoned_tasks(now: datetime.datetime | None = None) -> int:
    """Hand back the RUNNING tasks whose worker stopped renewing its lease (or never took one:
    claimed, then killed at once). Each is READY again, or FAILED if it has used its attempts.
    Safe to run in several workers at once: each task is changed under its row lock."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=lease_seconds())
    abandoned = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).filter(
        Q(state__lease_expires_at__lt=now)
        | Q(state__isnull=True, started_at__lt=cutoff)
        | Q(state__lease_expires_at__isnull=True, started_at__lt=cutoff)
    )
    recovered = 0
    for pk in list(abandoned.values_list("pk", flat=True)[:100]):
        with transaction.atomic():
            # Lock the task alone (no outer join under FOR UPDATE), then check again under the lock.
            running = DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING)
            result = running.select_for_update(skip_locked=True).first()
            if result is None or not abandoned.filter(pk=pk).exists():
                continue  # finished meanwhile, renewed, or another worker is handling it
            _hand_back(result, now)
            recovered += 1
    return recovered


def _hand_back(result: DBTaskResult, now: datetime.datetime) -> None:
    state, _ = TaskState.objects.get_or_create(result_id=result.pk)
    attempts = max(state.attempts, 1)
    state.lease_expires_at = None
    state.attempts = attempts
    state.save(update_fields=["lease_expires_at", "attempts"])
    lost = f"Worker {state.worker_id or '?'} stopped while running this task (lease expired)."
    result.exception_class_path = WORKER_LOST
    result.traceback = lost
    if attempts < settings.TASK_MAX_ATTEMPTS:
        _make_ready(result, run_after=now)
        result.save(update_fields=["exception_class_path", "traceback"])
        logger.warning("task %s handed back after its worker died (%s)", result.pk, result.task_path)
    else:
        result.status = TaskResultStatus.FAILED
        result.finished_at = now
        result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
        logger.error("task %s failed: its worker died on the last attempt", result.pk)


class Heartbeat(threading.Thread):
    """Renews the running task's lease and recovers other workers' abandoned tasks, every third
    of the lease, in its own database connection."""

    def __init__(self, worker_id: str):
        super().__init__(name="ensemble-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.current = None  # the id of the task this worker runs, if any
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(max(lease_seconds() / 3, 0.2)):
                self.beat()
        finally:
            connection.close()

    def beat(self) -> None:
        try:
            close_old_connections()
            current = self.current
            if current is not None and not renew_lease(current, self.worker_id):
                logger.warning("lease of task %s lost by worker %s", current, self.worker_id)
            recover_abandoned_tasks()
        except Exception:  # a database hiccup must not stop the heartbeat
            logger.exception("heartbeat failed")


class LeasedWorker(Worker):
    """django-tasks' database worker, with a lease per task, a heartbeat and retries."""

    def run(self) -> None:
        self.heartbeat = Heartbeat(self.worker_id)
        recover_abandoned_tasks()  # what a previous run of this machine left behind
        self.heartbeat.start()
        try:
            super().run()
        finally:
            self.heartbeat.stopping.set()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        start_attempt(db_task_result, self.worker_id)
        self.heartbeat.current = db_task_result.pk
        try:
            super().run_task(db_task_result)
        finally:
            self.heartbeat.current = None
        end_attempt(db_task_result)
