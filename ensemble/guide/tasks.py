"""Background jobs of the print guide."""

from django_tasks import task


@task()
def render_guide_task(edition_id: int) -> str:
    """Render a queued guide edition's PDF (safe to run twice: a started or done edition is left
    as it is)."""
    from .services import render_guide

    return render_guide(edition_id)
