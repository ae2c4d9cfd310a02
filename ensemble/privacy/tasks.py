"""Background jobs of privacy."""

from django_tasks import task

from .services import apply_retention


@task()
def apply_retention_task() -> dict[str, int]:
    """Daily: empty the e-mail bodies, IP addresses and task results past the offices' durations."""
    return apply_retention()
