"""Background jobs of memberships."""

from django_tasks import task

from .services import close_due_memberships


@task()
def close_due_memberships_task() -> dict[str, int]:
    """Daily: notices that ran out become terminations; finished seasons expire."""
    return close_due_memberships()
