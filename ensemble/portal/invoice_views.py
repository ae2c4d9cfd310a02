"""A partner's invoices and credit notes: the list and the PDFs, only their own organisations'."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.views.generic import TemplateView, View

from ensemble.billing import selectors
from ensemble.billing.downloads import invoice_pdf_response, receipt_response
from ensemble.billing.status import InvoiceStatus


class PortalInvoiceListView(LoginRequiredMixin, TemplateView):
    template_name = "portal/invoices.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoices = list(
            selectors.with_settlement(selectors.partner_invoices(self.request.user, self.request.office))
        )
        for invoice in invoices:
            invoice.status = InvoiceStatus(selectors.status_of(invoice))
            # A settled invoice that asked for payment has its « facture acquittée » (a receipt).
            invoice.has_receipt = (
                invoice.status == InvoiceStatus.PAID
                and invoice.kind == invoice.Kind.INVOICE
                and not invoice.is_paid_at_issue
            )
        context["invoices"] = invoices
        return context


class PortalInvoicePdfView(LoginRequiredMixin, View):
    """Any invoice id that is not one of the person's organisations' answers 404."""

    def get(self, request, *args, **kwargs):
        try:
            invoice = selectors.partner_invoice(request.user, request.office, kwargs["invoice_id"])
        except ObjectDoesNotExist:
            raise Http404 from None
        return invoice_pdf_response(invoice)


class PortalInvoiceReceiptView(LoginRequiredMixin, View):
    """The « facture acquittée » of one of the person's organisations' settled invoices; any other
    id answers 404, an invoice not settled 409."""

    def get(self, request, *args, **kwargs):
        try:
            invoice = selectors.partner_invoice(request.user, request.office, kwargs["invoice_id"])
        except ObjectDoesNotExist:
            raise Http404 from None
        return receipt_response(invoice)
