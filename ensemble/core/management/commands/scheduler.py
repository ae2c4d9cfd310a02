"""Enqueue the daily background jobs once a day (run beside `db_worker`).

Each job is enqueued only if a (job, day) row can be inserted, in the transaction that queues
it, so several schedulers on several machines, or a restarted one, enqueue each job exactly
once a day; the jobs themselves are idempotent too.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from ensemble.core.models import DailyJobRun
from ensemble.core.transactions import enqueue_on_commit


def enqueue_due_jobs() -> list[str]:
    today = timezone.localdate()
    enqueued = []
    for path in settings.DAILY_TASKS:
        try:
            with transaction.atomic():
                DailyJobRun.objects.create(job=path, day=today)
                # In the same transaction (core.transactions): a scheduler killed between the
                # two writes leaves neither, and the next pass enqueues the job.
                enqueue_on_commit(import_string(path))
        except IntegrityError:
            continue
        enqueued.append(path)
    return enqueued


class Command(BaseCommand):
    help = "Enqueue the daily jobs (membership closing…) once a day; --once to run a single pass."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=int, default=600, help="seconds between passes")

    def handle(self, *args, once: bool, interval: int, **options):
        while True:
            for path in enqueue_due_jobs():
                self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M} enqueued {path}")
            if once:
                return
            time.sleep(interval)
