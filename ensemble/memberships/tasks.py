"""Background jobs of memberships."""

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from ensemble.core.task_labels import register_task_label

from .services import close_due_memberships


@task()
def close_due_memberships_task() -> dict[str, int]:
    """Daily: notices that ran out become terminations; finished seasons expire."""
    return close_due_memberships()


register_task_label(close_due_memberships_task, _("Clôture quotidienne des adhésions échues"))
