"""« Guide imprimé »: asking for an edition of the print guide (PDF rendered in the background,
its progress polled by htmx every 2 s), downloading it, and the exports of the same data for the
layout agency (CSV streamed, XLSX)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.text import slugify
from django.utils.translation import gettext
from django.views.generic import TemplateView, View

from ensemble.accounts.roles import Permission
from ensemble.core.private_files import serve_private_file
from ensemble.directory import selectors as directory_selectors
from ensemble.guide import exports, selectors, services
from ensemble.guide.errors import GuideError

from ..access import StaffRequiredMixin, get_or_404
from ..exports import csv_response
from ..guide_forms import ExportForm, GuideForm

PER_PAGE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class GuideMixin(StaffRequiredMixin):
    permission = Permission.VIEW
    action_permission = Permission.COMMUNICATION
    nav = "guide"

    def categories(self):
        return directory_selectors.categories(self.office).order_by("position", "name")


class GuideView(GuideMixin, TemplateView):
    """The page; an htmx request gets the list of editions only (the polled fragment)."""

    template_name = "backoffice/guide.html"

    def get_template_names(self):
        if getattr(self.request, "htmx", False):
            return ["backoffice/guide_editions.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.editions(self.office), PER_PAGE).get_page(self.request.GET.get("page"))
        editions = list(page.object_list)
        context.setdefault("form", GuideForm(categories=self.categories()))
        context.update(
            export_form=ExportForm(categories=self.categories()),
            page=page,
            editions=editions,
            polling=any(edition.in_progress for edition in editions),
            poll_url=self.request.get_full_path(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = GuideForm(request.POST, categories=self.categories())
        if form.is_valid():
            try:
                services.request_guide(self.office, actor=request.user, **form.settings())
            except GuideError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, gettext("Guide demandé : il se prépare, suivez son avancement ci-dessous.")
                )
                return redirect(self.office_url("guide"))
        return self.render_to_response(self.get_context_data(form=form))


class GuidePdfView(GuideMixin, View):
    logged_as = "document.downloaded"
    permission = Permission.VIEW

    def load_object(self, **kwargs) -> None:
        self.edition = get_or_404(selectors.edition_detail, self.office, kwargs["pk"])

    def get(self, request, *args, **kwargs):
        edition = self.edition
        if not edition.is_ready:
            raise Http404
        filename = f"{slugify(edition.title) or 'guide'}-{edition.language}.pdf"
        return serve_private_file(edition.pdf, filename=filename, content_type="application/pdf")


class GuideExportMixin(GuideMixin):
    """Bad categories in the query: 400 with the French message, never a 500."""

    permission = Permission.EXPORT

    def chosen_categories(self):
        form = ExportForm(self.request.GET, categories=self.categories())
        if not form.is_valid():
            errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
            return None, HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
        return list(form.cleaned_data["categories"]), None


class GuideCsvView(GuideExportMixin, View):
    permission = Permission.EXPORT

    def get(self, request, *args, **kwargs):
        categories, refusal = self.chosen_categories()
        if refusal:
            return refusal
        rows = exports.csv_rows(self.office, categories=categories)
        return csv_response(f"guide-{self.office.slug}.csv", exports.header(), rows)


class GuideXlsxView(GuideExportMixin, View):
    permission = Permission.EXPORT

    def get(self, request, *args, **kwargs):
        categories, refusal = self.chosen_categories()
        if refusal:
            return refusal
        return FileResponse(
            exports.write_xlsx(self.office, categories=categories),
            as_attachment=True,
            filename=f"guide-{self.office.slug}.xlsx",
            content_type=XLSX,
        )
