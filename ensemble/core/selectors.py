"""Reads of core records: the audit log of an office, filtered, newest first."""

import datetime

from django.db.models import Count, Min, Q, QuerySet
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import AuditEntry, Office, OutboundEmail


def office_log(
    office: Office,
    *,
    action: str = "",
    actor_email: str = "",
    target: str = "",
    organisation: int | None = None,
) -> QuerySet[AuditEntry]:
    """`action` matches a whole code or a prefix ending at a dot (`invoice.` or `invoice`)."""
    entries = AuditEntry.objects.filter(office=office).select_related("actor")
    if action:
        code = action.strip()
        entries = entries.filter(action=code) | entries.filter(action__startswith=code.rstrip(".") + ".")
    if actor_email:
        entries = entries.filter(actor__email__iexact=actor_email.strip())
    if target:
        kind, _, pk = target.strip().partition(":")
        entries = entries.filter(target_type=kind.strip().lower())
        if pk.strip():
            entries = entries.filter(target_id=pk.strip())
    if organisation:
        entries = entries.filter(organisation_id=organisation)
    return entries.order_by("-created_at", "-id")


def task_queue_health(now: datetime.datetime) -> dict:
    """What a monitor needs of the background queue: tasks waiting (due now), how long the oldest
    has waited, tasks running, tasks failed (kept until the retention job purges them)."""
    waiting = DBTaskResult.objects.ready().aggregate(count=Count("id"), oldest=Min("enqueued_at"))
    counts = dict(
        DBTaskResult.objects.filter(status__in=[TaskResultStatus.RUNNING, TaskResultStatus.FAILED])
        .values_list("status")
        .annotate(n=Count("id"))
    )
    oldest = waiting["oldest"]
    return {
        "waiting": waiting["count"],
        "oldest_waiting_seconds": int((now - oldest).total_seconds()) if oldest else 0,
        "running": counts.get(TaskResultStatus.RUNNING, 0),
        "failed": counts.get(TaskResultStatus.FAILED, 0),
    }


def failed_tasks(office: Office) -> QuerySet[DBTaskResult]:
    """Tasks that failed for good (their retries used up), newest first: the office's own, and
    the shared ones that concern no single office (the daily jobs)."""
    return (
        DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
        .filter(Q(state__office=office) | Q(state__isnull=True) | Q(state__office__isnull=True))
        .select_related("state")
        .order_by("-finished_at")
    )


def latest_emails(office: Office, *, template: str, to: list[str]) -> dict[str, OutboundEmail]:
    """The last e-mail of `template` the office queued to each of these addresses (lower-cased
    address → e-mail), in one query: what a page needs to say whether an invitation has left."""
    latest: dict[str, OutboundEmail] = {}
    if not to:
        return latest
    emails = OutboundEmail.objects.filter(office=office, template=template, to__in=to).order_by(
        "created_at", "pk"
    )
    for email in emails.only("to", "status", "sent_at", "attempts", "error", "created_at"):
        latest[email.to.lower()] = email
    return latest
