"""Views of the deployment itself, outside any office."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views import View

from .selectors import task_queue_health


class HealthView(View):
    """Liveness probe: answers "ok" as plain text, with no template and no query of its own (the
    middleware still runs). The benchmarks compare every page's throughput with this view's."""

    def get(self, request):
        return HttpResponse("ok", content_type="text/plain; charset=utf-8")


class QueueHealthView(View):
    """The background queue for monitoring: waiting tasks, the oldest one's age, running and
    failed tasks, as JSON. 503 when the oldest waiting task is older than
    `TASK_QUEUE_MAX_WAIT_SECONDS` (no worker is taking the work). Counts only, no task data."""

    def get(self, request):
        health = task_queue_health(timezone.now())
        stale = health["oldest_waiting_seconds"] > settings.TASK_QUEUE_MAX_WAIT_SECONDS
        health["ok"] = not stale
        response = JsonResponse(health, status=503 if stale else 200)
        response["Cache-Control"] = "no-store"
        return response
