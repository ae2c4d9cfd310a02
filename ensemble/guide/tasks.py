"""Background jobs of the print guide."""

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from ensemble.core.task_labels import register_task_label


@task()
def render_guide_task(edition_id: int) -> str:
    """Render a queued guide edition's PDF (safe to run twice: a started or done edition is left
    as it is)."""
    from .services import render_guide

    return render_guide(edition_id)


register_task_label(render_guide_task, _("Génération du guide imprimé"))
