"""Local development: `make run`."""

from .base import *  # noqa: F403

DEBUG = True

# A task whose worker died (`make run` interrupted) is handed to the next worker within 15 s.
TASK_LEASE_SECONDS = 15
