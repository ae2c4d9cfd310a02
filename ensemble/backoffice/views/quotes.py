"""Quotes (devis): the list, composing one, its page, sending it and turning it into an invoice."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.billing import selectors, services
from ensemble.billing.errors import BillingError
from ensemble.billing.quote_pdf import quote_pdf, quote_pdf_filename
from ensemble.core.private_files import serve_private_file
from ensemble.directory import selectors as directory_selectors

from ..access import StaffRequiredMixin, get_or_404
from ..forms import QuoteForm, QuoteLineFormSet, SearchForm

PER_PAGE = 50


class QuoteListView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/quote_list.html"
    nav = "quotes"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        search = form.search() if form.is_bound else ""
        qs = selectors.quote_list(self.office, search=search)
        page = Paginator(qs, PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(form=form, page=page, quotes=page.object_list)
        return context


class QuoteCreateView(StaffRequiredMixin, TemplateView):
    """A draft quote for one organisation, with up to five lines; sending is a separate step."""

    permission = Permission.INVOICE

    template_name = "backoffice/quote_form.html"
    nav = "quotes"

    def forms(self, data=None) -> tuple[QuoteForm, QuoteLineFormSet]:
        organisations = directory_selectors.organisations(self.office).order_by("name", "id")
        initial = {"organisation": self.request.GET.get("organisation")} if data is None else None
        form = QuoteForm(data, organisations=organisations, initial=initial)
        formset = QuoteLineFormSet(
            data, prefix="lines", form_kwargs={"offers": selectors.quotable_offers(self.office)}
        )
        return form, formset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "form" not in kwargs:
            context["form"], context["formset"] = self.forms()
        return context

    def post(self, request, *args, **kwargs):
        form, formset = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                quote = services.create_quote_draft(
                    data["organisation"],
                    lines=formset.lines(),
                    actor=request.user,
                    valid_days=data["valid_days"],
                    note=data["note"],
                )
            except BillingError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, gettext("Devis enregistré en brouillon : vérifiez-le, puis envoyez-le.")
                )
                return redirect(self.office_url("quote", pk=quote.pk))
        return self.render_to_response(self.get_context_data(form=form, formset=formset))


class QuoteDetailView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    action_permission = Permission.INVOICE
    template_name = "backoffice/quote_detail.html"
    nav = "quotes"

    def load_object(self, **kwargs) -> None:
        self.quote = get_or_404(selectors.quote_detail, self.office, kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        link = ""
        if self.quote.number:
            path = reverse(
                "public:quote",
                kwargs={"office_slug": self.office.slug, "token": services.quote_token(self.quote)},
            )
            link = self.request.build_absolute_uri(path)
        context.update(quote=self.quote, link=link)
        return context


class QuoteActionView(QuoteDetailView):
    """POST one action on the quote's page (a GET goes back to the page)."""

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("quote", pk=self.quote.pk))

    def post(self, request, *args, **kwargs):
        try:
            target = self.act()
        except BillingError as exc:
            messages.error(request, exc.message)
            target = self.office_url("quote", pk=self.quote.pk)
        return redirect(target)

    def act(self) -> str:
        raise NotImplementedError


class QuoteSendView(QuoteActionView):
    def act(self) -> str:
        quote = services.send_quote(self.quote, actor=self.request.user)
        messages.success(
            self.request,
            gettext("Devis %(number)s envoyé au partenaire, valable jusqu'au %(date)s.")
            % {"number": quote.number, "date": quote.valid_until.strftime("%d/%m/%Y")},
        )
        return self.office_url("quote", pk=quote.pk)


class QuoteInvoiceView(QuoteActionView):
    def act(self) -> str:
        invoice = services.invoice_quote(self.quote, actor=self.request.user)
        messages.success(
            self.request,
            gettext("Facture %(invoice)s émise d'après le devis %(quote)s.")
            % {"invoice": invoice.number, "quote": self.quote.number},
        )
        return self.office_url("invoice", pk=invoice.pk)


class QuotePdfView(QuoteDetailView):
    """The quote's PDF as the partner receives it (a draft has none: 409). Rendered on each
    download, never stored."""

    logged_as = "document.downloaded"

    permission = Permission.VIEW

    def get(self, request, *args, **kwargs):
        try:
            content = quote_pdf(self.quote)
        except BillingError as exc:
            return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
        return serve_private_file(
            content, filename=quote_pdf_filename(self.quote), content_type="application/pdf"
        )
