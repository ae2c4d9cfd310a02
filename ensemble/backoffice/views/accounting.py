"""Exports comptables: the period form and the files the accountant imports.

Each download is a GET on its own URL with the period in the query string (the page's one form
sends it to the file chosen by the button). A bad period, or a file that cannot be produced
(no SIREN for the FEC), shows the page again with the error, answering 400.

A new export is a subclass of `AccountingExportView` with its `export()`, a route and a button
on the page (the payments CSV, the last one here, is the pattern).
"""

import datetime

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.billing import accounting
from ensemble.billing.errors import BillingError

from ..access import StaffRequiredMixin
from ..exports import csv_export
from ..forms import AccountingPeriodForm

INVOICE_COLUMNS = [
    (_("Numéro"), lambda row: row.number),
    (_("Type"), lambda row: row.kind),
    (_("Date d'émission"), lambda row: row.issue_date),
    (_("Échéance"), lambda row: row.due_date),
    (_("Client"), lambda row: row.customer),
    (_("SIREN du client"), lambda row: row.siren),
    (_("Total HT"), lambda row: row.total_ht),
    (_("TVA"), lambda row: row.total_vat),
    (_("Total TTC"), lambda row: row.total_ttc),
    (_("Facture d'origine (avoir)"), lambda row: row.credited_number),
]

JOURNAL_COLUMNS = [
    (_("Journal"), lambda line: line.journal.code),
    (_("N° d'écriture"), lambda line: line.number),
    (_("Date"), lambda line: line.date),
    (_("Compte"), lambda line: line.account),
    (_("Intitulé du compte"), lambda line: line.account_label),
    (_("Compte auxiliaire"), lambda line: line.aux_account),
    (_("Intitulé auxiliaire"), lambda line: line.aux_label),
    (_("Pièce"), lambda line: line.piece_ref),
    (_("Libellé"), lambda line: line.label),
    (_("Débit"), lambda line: line.debit),
    (_("Crédit"), lambda line: line.credit),
]


PAYMENT_COLUMNS = [
    (_("Date de réception"), lambda row: row.received_on),
    (_("Organisation"), lambda row: row.organisation),
    (_("Facture"), lambda row: row.invoice_number),
    (_("Mode"), lambda row: row.method),
    (_("N° de chèque"), lambda row: row.cheque_number),
    (_("Banque"), lambda row: row.bank),
    (_("Référence du virement"), lambda row: row.transfer_reference),
    (_("Montant reçu"), lambda row: row.amount),
    (_("Imputé sur la facture"), lambda row: row.allocated),
    (_("Avoir client (trop-perçu)"), lambda row: row.customer_credit),
    (_("Annulé le"), lambda row: row.cancelled_on),
    (_("Motif d'annulation"), lambda row: row.cancel_reason),
]


class AccountingView(StaffRequiredMixin, TemplateView):
    """The page: the period and one button per file."""

    permission = Permission.EXPORT

    template_name = "backoffice/accounting.html"
    nav = "invoices"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form")
        if form is None:
            form = AccountingPeriodForm(self.request.GET or None)
            form.is_valid()  # a period typed on the page shows its errors
        context["form"] = form
        return context


class AccountingExportView(AccountingView):
    """One file of the period; subclasses write `export()`."""

    def get(self, request, *args, **kwargs):
        form = AccountingPeriodForm(request.GET)
        if form.is_valid():
            try:
                return self.export(form.cleaned_data["start"], form.cleaned_data["end"])
            except BillingError as exc:
                form.add_service_error(exc)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def export(self, start: datetime.date, end: datetime.date) -> HttpResponse:
        raise NotImplementedError

    def period_filename(self, stem: str, start: datetime.date, end: datetime.date, ext: str) -> str:
        return f"{stem}-{self.office.slug}-{start:%Y%m%d}-{end:%Y%m%d}.{ext}"


class InvoicesCsvView(AccountingExportView):
    def export(self, start, end):
        rows = accounting.invoice_rows(self.office, start, end)
        return csv_export(self.period_filename("factures", start, end, "csv"), INVOICE_COLUMNS, rows)


class SalesJournalCsvView(AccountingExportView):
    def export(self, start, end):
        lines = accounting.sales_journal(self.office, start, end)  # checked before streaming
        filename = self.period_filename("journal-ventes", start, end, "csv")
        return csv_export(filename, JOURNAL_COLUMNS, lines)


class FecView(AccountingExportView):
    def export(self, start, end):
        filename, content = accounting.fec_file(self.office, start, end)
        response = HttpResponse(content, content_type="text/plain; charset=ISO-8859-15")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class PaymentsCsvView(AccountingExportView):
    def export(self, start, end):
        rows = accounting.payment_rows(self.office, start, end)
        return csv_export(self.period_filename("reglements", start, end, "csv"), PAYMENT_COLUMNS, rows)
