"""`manage.py worker`: run background tasks with leases, a heartbeat and retries (core.worker).

The options are django-tasks' `db_worker`'s (queues, interval, batch, max tasks, worker id);
only the worker class differs. Use it instead of `db_worker`, which leaves a dead worker's task
RUNNING for ever.
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from ensemble.core.worker import LeasedWorker


class Command(db_worker.Command):
    help = "Run the background worker (leases, heartbeat, retries with back-off)."

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        self.configure_logging(verbosity)
        worker = LeasedWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
