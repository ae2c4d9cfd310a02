"""Leases, retries and the failed-work page (issue 11, item 1), in process with the database
backend of django-tasks (the one production uses). tests/test_worker_processes.py kills real
worker processes."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ensemble.core import services as core_services
from ensemble.core import worker
from ensemble.core.errors import EnsembleError
from ensemble.core.management.commands.scheduler import enqueue_due_jobs
from ensemble.core.models import AuditEntry, DailyJobRun, OutboundEmail, TaskState
from ensemble.core.tasks import send_outbound_email
from ensemble.core.transactions import enqueue_on_commit

from .factories import StaffFactory

CALLS: list[int] = []


@task()
def flaky(times_to_fail: int) -> int:
    """Fails its first `times_to_fail` runs (counted in CALLS)."""
    CALLS.append(times_to_fail)
    if len(CALLS) <= times_to_fail:
        raise RuntimeError(f"panne n° {len(CALLS)}")
    return len(CALLS)


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.TASK_MAX_ATTEMPTS = 3
    settings.TASK_RETRY_BACKOFF_SECONDS = 30
    settings.TASK_LEASE_SECONDS = 60
    CALLS.clear()


def run_next(worker_id: str = "w1") -> DBTaskResult | None:
    """What `manage.py worker` does for one task (claim, lease, run, release), in process."""
    result = DBTaskResult.objects.ready().first()
    if result is None:
        return None
    result.claim(worker_id)
    w = worker.LeasedWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    w.heartbeat = worker.Heartbeat(worker_id)
    w.run_task(result)
    result.refresh_from_db()
    return result


def due_now(result: DBTaskResult) -> None:
    DBTaskResult.objects.filter(pk=result.pk).update(run_after=timezone.now())


def test_enqueued_with_the_transaction_and_nothing_if_it_rolls_back(office):
    with transaction.atomic():
        enqueue_on_commit(flaky, 0, office=office)
    assert DBTaskResult.objects.count() == 1
    assert TaskState.objects.get().office == office
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        enqueue_on_commit(flaky, 0, office=office)
        1 / 0  # noqa: B018
    assert DBTaskResult.objects.count() == 1


def test_a_failing_task_is_retried_with_back_off_then_fails_for_good(office):
    enqueue_on_commit(flaky, 5, office=office)
    first = run_next()
    assert first.status == TaskResultStatus.READY  # rescheduled, not failed
    assert first.state.attempts == 1
    wait = first.run_after - timezone.now()
    assert datetime.timedelta(seconds=25) < wait <= datetime.timedelta(seconds=30)
    assert run_next() is None  # not due yet
    due_now(first)
    second = run_next()
    assert second.status == TaskResultStatus.READY
    assert second.run_after - timezone.now() > datetime.timedelta(seconds=100)  # 30 s × 4
    due_now(second)
    third = run_next()
    assert third.status == TaskResultStatus.FAILED  # three attempts: given up
    assert "panne n° 3" in third.traceback
    assert len(CALLS) == 3


def test_a_task_that_recovers_on_retry_succeeds(office):
    enqueue_on_commit(flaky, 1, office=office)
    due_now(run_next())
    result = run_next()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.state.attempts == 2


def running_task(office, *, lease_expired_seconds_ago: int | None, started_minutes_ago: int = 5, attempts=1):
    enqueue_on_commit(flaky, 0, office=office)
    result = DBTaskResult.objects.latest("enqueued_at")
    result.claim("dead-worker")
    DBTaskResult.objects.filter(pk=result.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=started_minutes_ago)
    )
    if lease_expired_seconds_ago is not None:
        TaskState.objects.filter(result=result).update(
            attempts=attempts,
            worker_id="dead-worker",
            lease_expires_at=timezone.now() - datetime.timedelta(seconds=lease_expired_seconds_ago),
        )
    return result


def test_a_dead_workers_task_is_handed_back_once_its_lease_expired(office):
    expired = running_task(office, lease_expired_seconds_ago=5)
    alive = running_task(office, lease_expired_seconds_ago=-30)  # lease still valid
    assert worker.recover_abandoned_tasks() == 1
    expired.refresh_from_db()
    alive.refresh_from_db()
    assert expired.status == TaskResultStatus.READY
    assert expired.exception_class_path == worker.WORKER_LOST
    assert alive.status == TaskResultStatus.RUNNING
    assert run_next().status == TaskResultStatus.SUCCESSFUL


def test_a_task_claimed_before_leases_existed_is_handed_back_after_one_lease(office):
    """Seen on the demo: a task left RUNNING by a worker stopped before this version."""
    old = running_task(office, lease_expired_seconds_ago=None, started_minutes_ago=5)
    TaskState.objects.filter(result=old).delete()
    fresh = running_task(office, lease_expired_seconds_ago=None, started_minutes_ago=0)
    TaskState.objects.filter(result=fresh).delete()
    assert worker.recover_abandoned_tasks() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def test_a_dead_workers_task_on_its_last_attempt_fails_for_good(office):
    last = running_task(office, lease_expired_seconds_ago=5, attempts=3)
    worker.recover_abandoned_tasks()
    last.refresh_from_db()
    assert last.status == TaskResultStatus.FAILED


def test_the_lease_is_renewed_only_by_its_worker(office):
    result = running_task(office, lease_expired_seconds_ago=-10)
    assert worker.renew_lease(result.pk, "dead-worker")
    assert not worker.renew_lease(result.pk, "someone-else")


# ---- e-mails ------------------------------------------------------------------------------------


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPConnectError(421, "Service not available")


@pytest.fixture
def queued_email(office):
    with transaction.atomic():
        email = OutboundEmail.objects.create(
            office=office, to="camille@moulin.example", subject="Essai", body_text="Bonjour", template="essai"
        )
        enqueue_on_commit(send_outbound_email, email.pk, office=office)
    return email


def test_an_email_refused_by_the_server_stays_queued_with_its_error_then_leaves_once(queued_email, settings):
    settings.EMAIL_BACKEND = "tests.test_worker.RefusingBackend"
    result = run_next()
    queued_email.refresh_from_db()
    assert (queued_email.status, queued_email.attempts) == (OutboundEmail.Status.QUEUED, 1)
    assert "Service not available" in queued_email.error
    assert queued_email.sent_at is None
    assert result.status == TaskResultStatus.READY  # the worker will try again

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    due_now(result)
    assert run_next().status == TaskResultStatus.SUCCESSFUL
    queued_email.refresh_from_db()
    assert (queued_email.status, queued_email.attempts) == (OutboundEmail.Status.SENT, 2)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == queued_email.message_id
    send_outbound_email.call(queued_email.pk)  # a late duplicate run
    assert len(mail.outbox) == 1


def test_an_email_that_fails_every_attempt_is_failed(queued_email, settings):
    settings.EMAIL_BACKEND = "tests.test_worker.RefusingBackend"
    for _ in range(3):
        result = run_next()
        due_now(result)
    queued_email.refresh_from_db()
    assert queued_email.status == OutboundEmail.Status.FAILED
    assert result.status == TaskResultStatus.FAILED


# ---- the failed-work page -----------------------------------------------------------------------


def failed_task(office) -> DBTaskResult:
    enqueue_on_commit(flaky, 99, office=office)
    result = None
    for _ in range(3):
        result = run_next()
        due_now(result)
    assert result.status == TaskResultStatus.FAILED
    return result


def test_staff_see_their_offices_failed_work_and_retry_it(client, office, other_office):
    mine = failed_task(office)
    theirs = failed_task(other_office)
    direction = StaffFactory(office=office).user
    client.force_login(direction)
    url = reverse("backoffice:failed_tasks", kwargs={"office_slug": office.slug})
    page = client.get(url).content.decode()
    assert "flaky" in page and "panne n° 3" in page
    assert page.count('name="task"') == 1  # the other office's failure is not shown

    response = client.post(url, {"task": str(theirs.pk)}, follow=True)
    assert "plus en échec" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == TaskResultStatus.FAILED

    client.post(url, {"task": str(mine.pk)})
    mine.refresh_from_db()
    assert mine.status == TaskResultStatus.READY
    assert mine.state.attempts == 0
    assert AuditEntry.objects.filter(office=office, action="task.retried").count() == 1
    CALLS.clear()
    CALLS.extend([0] * 200)  # the cause is fixed: the next run succeeds
    assert run_next().status == TaskResultStatus.SUCCESSFUL


def test_the_failed_work_page_needs_the_settings_right(client, office):
    reception = StaffFactory(office=office, role="accueil").user
    client.force_login(reception)
    url = reverse("backoffice:failed_tasks", kwargs={"office_slug": office.slug})
    assert client.get(url).status_code == 403


def test_retrying_work_that_is_not_failed_is_refused(office):
    enqueue_on_commit(flaky, 0, office=office)
    result = DBTaskResult.objects.get()
    with pytest.raises(EnsembleError):
        core_services.retry_task(office, str(result.pk), actor=None)


# ---- daily jobs ---------------------------------------------------------------------------------


def test_daily_jobs_are_enqueued_once_a_day_by_any_number_of_schedulers(db, settings):
    settings.DAILY_TASKS = ["tests.test_worker.flaky_daily"]
    assert enqueue_due_jobs() == ["tests.test_worker.flaky_daily"]
    assert enqueue_due_jobs() == []  # a second scheduler, the same day
    assert DBTaskResult.objects.count() == 1
    assert DailyJobRun.objects.count() == 1


@task()
def flaky_daily() -> int:
    return 0


def test_the_daily_job_deletes_expired_sessions(db):
    from django.contrib.sessions.models import Session

    from ensemble.core.tasks import clear_expired_sessions_task

    Session.objects.create(
        session_key="expired", session_data="x", expire_date=timezone.now() - datetime.timedelta(days=1)
    )
    Session.objects.create(
        session_key="alive", session_data="x", expire_date=timezone.now() + datetime.timedelta(days=1)
    )
    clear_expired_sessions_task.call()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["alive"]
