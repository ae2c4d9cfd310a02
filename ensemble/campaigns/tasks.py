"""Background jobs of the update campaigns (enqueued daily by the `scheduler` command)."""

from django_tasks import task


@task()
def send_campaign_reminders_task() -> int:
    """Daily: reminders at each running campaign's offsets, once per target and offset."""
    from .services import send_due_reminders

    return send_due_reminders()


@task()
def flag_overdue_campaign_targets_task() -> int:
    """Daily: listings still unconfirmed after their campaign's deadline are flagged."""
    from .services import flag_overdue

    return flag_overdue()
