"""Background jobs of the update campaigns (enqueued daily by the `scheduler` command)."""

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from ensemble.core.task_labels import register_task_label


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


register_task_label(send_campaign_reminders_task, _("Rappels quotidiens des campagnes de mise à jour"))
register_task_label(flag_overdue_campaign_targets_task, _("Signalement quotidien des fiches non confirmées"))
