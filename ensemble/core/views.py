"""Views of the deployment itself, outside any office."""

from django.http import HttpResponse
from django.views import View


class HealthView(View):
    """Liveness probe: answers "ok" as plain text, with no template and no query of its own (the
    middleware still runs). The benchmarks compare every page's throughput with this view's."""

    def get(self, request):
        return HttpResponse("ok", content_type="text/plain; charset=utf-8")
