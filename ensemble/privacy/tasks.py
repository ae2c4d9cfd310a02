"""Background jobs of privacy."""

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from ensemble.core.task_labels import register_task_label

from .services import apply_retention


@task()
def apply_retention_task() -> dict[str, int]:
    """Daily: empty the e-mail bodies, IP addresses and task results past the offices' durations."""
    return apply_retention()


register_task_label(apply_retention_task, _("Purge quotidienne des données personnelles"))
