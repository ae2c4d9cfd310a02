"""Invoices and credit notes: the list, an invoice's page, a free invoice, a credit note."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.generic import FormView, TemplateView

from ensemble.accounts.roles import Permission
from ensemble.billing import selectors, services
from ensemble.billing.amounts import LineInput
from ensemble.billing.downloads import invoice_pdf_response, receipt_response
from ensemble.billing.errors import BillingError
from ensemble.billing.models import Invoice
from ensemble.billing.receipt_pdf import receipt_available
from ensemble.billing.status import InvoiceStatus
from ensemble.directory import selectors as directory_selectors

from ..access import StaffRequiredMixin, get_or_404
from ..forms import CancelPaymentForm, CreditNoteForm, FreeInvoiceForm, InvoicePaymentForm, SearchForm

PER_PAGE = 50


class InvoiceListView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/invoice_list.html"
    nav = "invoices"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        search = form.search() if form.is_bound else ""
        qs = selectors.invoice_list(self.office, search=search)
        page = Paginator(qs, PER_PAGE).get_page(self.request.GET.get("page"))
        for invoice in page.object_list:
            invoice.status = InvoiceStatus(selectors.status_of(invoice))
        context.update(form=form, page=page, invoices=page.object_list)
        return context


class InvoiceDetailView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/invoice_detail.html"
    nav = "invoices"

    def load_object(self, **kwargs) -> None:
        self.invoice = get_or_404(selectors.invoice_detail, self.office, kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice = self.invoice
        context.update(
            invoice=invoice,
            status=InvoiceStatus(selectors.status_of(invoice)),
            payments=selectors.invoice_payments(invoice),
            reminders=selectors.invoice_reminders(invoice),
            outstanding=services.outstanding(invoice),
            credit_form=kwargs.get("credit_form") or CreditNoteForm(),
            payment_form=kwargs.get("payment_form") or InvoicePaymentForm(prefix="payment"),
            cancel_form=kwargs.get("cancel_form") or CancelPaymentForm(prefix="cancel"),
            remaining=invoice.total_ttc - selectors.credited_total(invoice),
            emails=selectors.invoice_emails(invoice) if invoice.is_issued else [],
            receipt=receipt_available(invoice),
            can_send=self.can(Permission.INVOICE),
        )
        return context


class InvoiceCreditView(InvoiceDetailView):
    """POST: a whole credit note against the invoice, with its reason."""

    permission = Permission.VIEW
    action_permission = Permission.REFUND

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("invoice", pk=self.invoice.pk))

    def post(self, request, *args, **kwargs):
        form = CreditNoteForm(request.POST)
        if form.is_valid():
            try:
                credit = services.credit_invoice(
                    self.invoice, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except BillingError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, gettext("Avoir %(number)s émis.") % {"number": credit.number})
                return redirect(self.office_url("invoice", pk=credit.pk))
        return self.render_to_response(self.get_context_data(credit_form=form))


class InvoicePaymentView(InvoiceDetailView):
    """POST: money received for this invoice."""

    permission = Permission.VIEW
    action_permission = Permission.INVOICE

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("invoice", pk=self.invoice.pk))

    def post(self, request, *args, **kwargs):
        form = InvoicePaymentForm(request.POST, prefix="payment")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_payment(
                    self.invoice,
                    actor=request.user,
                    method=data["method"],
                    amount=data["amount"],
                    received_on=data["received_on"],
                    cheque_number=data["cheque_number"],
                    bank=data["bank"],
                    transfer_reference=data["transfer_reference"],
                    idempotency_key=data.get("key") or None,
                )
            except BillingError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, gettext("Le règlement est enregistré."))
                return redirect(self.office_url("invoice", pk=self.invoice.pk))
        return self.render_to_response(self.get_context_data(payment_form=form))


class PaymentCancelView(InvoiceDetailView):
    """POST: cancel one of this invoice's payments, with the reason (never a deletion)."""

    permission = Permission.VIEW
    action_permission = Permission.REFUND

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("invoice", pk=self.invoice.pk))

    def post(self, request, *args, **kwargs):
        payment = get_or_404(selectors.invoice_payments(self.invoice).get, pk=kwargs["payment_pk"])
        form = CancelPaymentForm(request.POST, prefix="cancel")
        if form.is_valid():
            try:
                services.cancel_payment(payment, actor=request.user, reason=form.cleaned_data["reason"])
            except BillingError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, gettext("Le règlement est annulé."))
            return redirect(self.office_url("invoice", pk=self.invoice.pk))
        return self.render_to_response(self.get_context_data(cancel_form=form))


class FreeInvoiceView(StaffRequiredMixin, FormView):
    """Invoice an organisation for a catalogue offer or a free line, issued at once."""

    permission = Permission.INVOICE

    template_name = "backoffice/invoice_form.html"
    form_class = FreeInvoiceForm
    nav = "invoices"

    def load_object(self, **kwargs) -> None:
        self.organisation = get_or_404(
            directory_selectors.organisation_by_pk, self.office, kwargs["organisation_pk"]
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["offers"] = selectors.invoiceable_offers(self.office)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organisation"] = self.organisation
        return context

    def form_valid(self, form):
        try:
            draft = services.create_draft(
                self.organisation, lines=[self._line(form.cleaned_data)], actor=self.request.user
            )
            invoice = services.issue_invoice(draft, actor=self.request.user)
        except BillingError as exc:
            form.add_service_error(exc)
            return self.form_invalid(form)
        messages.success(self.request, gettext("Facture %(number)s émise.") % {"number": invoice.number})
        return redirect(self.office_url("invoice", pk=invoice.pk))

    @staticmethod
    def _line(data: dict) -> LineInput:
        offer = data.get("offer")
        if offer is not None:
            return LineInput(
                label=data["label"] or offer.name,
                quantity=data["quantity"],
                vat_rate=offer.vat_rate,
                unit_price_ttc=offer.price_ttc,
                offer_id=offer.pk,
            )
        return LineInput(
            label=data["label"],
            quantity=data["quantity"],
            vat_rate=data["vat_rate"],
            unit_price_ttc=data["unit_price_ttc"],
        )


__all__ = [
    "FreeInvoiceView",
    "Invoice",
    "InvoiceCreditView",
    "InvoiceDetailView",
    "InvoiceListView",
    "InvoicePaymentView",
    "InvoicePdfView",
    "InvoiceReceiptView",
    "InvoiceSendView",
    "PaymentCancelView",
]


class InvoicePdfView(InvoiceDetailView):
    """The invoice's (or credit note's) Factur-X PDF, from the private storage."""

    logged_as = "document.downloaded"

    permission = Permission.VIEW

    def get(self, request, *args, **kwargs):
        return invoice_pdf_response(self.invoice)


class InvoiceSendView(InvoiceDetailView):
    """POST: e-mail the invoice (or credit note) to the partner again, its PDF attached."""

    permission = Permission.VIEW
    action_permission = Permission.INVOICE

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("invoice", pk=self.invoice.pk))

    def post(self, request, *args, **kwargs):
        try:
            email = services.resend_invoice(self.invoice, actor=request.user)
        except BillingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                gettext("%(number)s est envoyée de nouveau à %(to)s, PDF en pièce jointe.")
                % {"number": self.invoice.number, "to": email.to},
            )
        return redirect(self.office_url("invoice", pk=self.invoice.pk))


class InvoiceReceiptView(InvoiceDetailView):
    """The « facture acquittée » of a settled invoice: rendered on demand, served privately."""

    logged_as = "document.downloaded"

    permission = Permission.VIEW

    def get(self, request, *args, **kwargs):
        return receipt_response(self.invoice)
