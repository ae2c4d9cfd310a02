"""« Travaux en échec »: background work whose retries are used up, with a button to run it again."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.core import selectors as core_selectors
from ensemble.core import services as core_services
from ensemble.core.errors import EnsembleError
from ensemble.core.task_labels import label_of

from ..access import StaffRequiredMixin

PAGE_SIZE = 50


class FailedTasksView(StaffRequiredMixin, TemplateView):
    permission = Permission.SETTINGS
    template_name = "backoffice/failed_tasks.html"
    nav = "failed_tasks"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(core_selectors.failed_tasks(self.office), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        context.update(page=page, rows=[self.row(result) for result in page.object_list])
        return context

    def row(self, result) -> dict:
        state = getattr(result, "state", None)
        own = state is not None and state.office_id == self.office.pk
        return {
            "id": result.pk,
            "label": label_of(result.task_path),
            "finished_at": result.finished_at,
            "attempts": state.attempts if state else None,
            "shared": not own,
            # The error's class always; its message only for the office's own work (a shared
            # job's message may name another office's data).
            "error": result.exception_class_path.rsplit(".", 1)[-1],
            "detail": _last_line(result.traceback) if own else "",
        }

    def post(self, request, *args, **kwargs):
        try:
            core_services.retry_task(self.office, request.POST.get("task", ""), actor=request.user)
        except EnsembleError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Le travail est relancé : il sera repris dans un instant."))
        return redirect(self.office_url("failed_tasks"))


def _last_line(traceback: str) -> str:
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""
