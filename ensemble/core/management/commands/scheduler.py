"""Enqueue the daily background jobs once a day (run beside `db_worker`).

Each job is enqueued only if a (job, day) row can be inserted, so several schedulers, or a
restarted one, never enqueue a job twice the same day; the jobs themselves are idempotent too.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from ensemble.core.models import DailyJobRun


def enqueue_due_jobs() -> list[str]:
    today = timezone.localdate()
    enqueued = []
    for path in settings.DAILY_TASKS:
        try:
            with transaction.atomic():
                DailyJobRun.objects.create(job=path, day=today)
        except IntegrityError:
            continue
        import_string(path).enqueue()
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
