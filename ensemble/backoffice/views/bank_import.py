"""Importing a bank statement: upload, review the proposed matches, confirm the payments."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core import signing
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.billing import bank_import, services
from ensemble.billing.errors import BillingError
from ensemble.billing.models import Invoice

from ..access import StaffRequiredMixin
from ..forms import BankStatementForm

SALT = "ensemble.bank-import"
MAX_AGE = 3600  # a review older than an hour is redone from the file


class BankImportView(StaffRequiredMixin, TemplateView):
    permission = Permission.INVOICE
    template_name = "backoffice/bank_import.html"
    nav = "invoices"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", BankStatementForm())
        return context

    def post(self, request, *args, **kwargs):
        if "payload" in request.POST:
            return self._confirm(request)
        form = BankStatementForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            lines = bank_import.parse_statement(form.cleaned_data["statement"].read())
        except BillingError as exc:
            form.add_service_error(exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        proposals = bank_import.propose_matches(self.office, lines)
        payload = signing.dumps(
            [
                [p.line.date.isoformat(), str(p.line.amount), p.line.label, p.invoice and p.invoice.pk]
                for p in proposals
            ],
            salt=SALT,
        )
        return self.render_to_response(self.get_context_data(form=form, proposals=proposals, payload=payload))

    def _confirm(self, request):
        try:
            rows = signing.loads(request.POST["payload"], salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:
            messages.error(request, gettext("Ce relevé a expiré ou a été modifié : importez-le à nouveau."))
            return redirect(self.office_url("bank_import"))
        chosen = {int(i) for i in request.POST.getlist("confirm") if i.isdigit()}
        recorded = skipped = 0
        for index, (day, amount, label, invoice_id) in enumerate(rows):
            if index not in chosen or invoice_id is None:
                continue
            invoice = Invoice.objects.filter(office=self.office, pk=invoice_id).first()
            if invoice is None:
                continue
            line = bank_import.StatementLine(0, datetime.date.fromisoformat(day), Decimal(amount), label)
            try:
                services.record_payment(
                    invoice,
                    actor=request.user,
                    method="transfer",
                    amount=line.amount,
                    received_on=line.date,
                    transfer_reference=label[:140],
                    idempotency_key=line.key,
                )
                recorded += 1
            except BillingError as exc:
                skipped += 1
                messages.warning(request, f"{invoice.number} : {exc.message}")
        messages.success(
            request,
            gettext("%(recorded)s règlement(s) rapproché(s), %(skipped)s écarté(s).")
            % {"recorded": recorded, "skipped": skipped},
        )
        return redirect(self.office_url("invoices"))
