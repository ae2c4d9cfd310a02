"""Background jobs of publishing."""

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from ensemble.core.task_labels import register_task_label

from .services import refresh_starting_seasons


@task()
def refresh_starting_seasons_task() -> int:
    """Daily: touch the snapshots of partners whose season starts today (services)."""
    return refresh_starting_seasons()


register_task_label(refresh_starting_seasons_task, _("Publication des partenaires dont la saison commence"))
