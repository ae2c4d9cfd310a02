import pytest
from ensemble.backoffice.access import StaffRequiredMixin, get_or_404
from ensemble.backoffice.views.dashboard import DashboardView
from ensemble.backoffice.views import invoices
from ensemble.billing.models import Invoice
from . import test_backoffice_roles as t
from .test_backoffice_roles import *  # noqa

pytestmark = pytest.mark.django_db

def test_undeclared(office, monkeypatch):
    monkeypatch.setattr(DashboardView, "permission", None)
    t.test_every_back_office_view_declares_its_permission(office)

def test_no_enforcement(office, ours, theirs, role_clients, monkeypatch):
    orig = StaffRequiredMixin.check_permission
    def check(self, request, staff):
        if request.method == "POST" and "/factures/" in request.path:
            return
        return orig(self, request, staff)
    monkeypatch.setattr(StaffRequiredMixin, "check_permission", check)
    t.test_every_url_answers_what_the_matrix_says_for_every_role(office, ours, theirs, role_clients)

def test_unscoped(office, ours, theirs, role_clients, monkeypatch):
    def load(self, **kwargs):
        self.invoice = get_or_404(Invoice.objects.get, pk=kwargs["pk"])
    monkeypatch.setattr(invoices.InvoiceDetailView, "load_object", load)
    t.test_every_url_answers_what_the_matrix_says_for_every_role(office, ours, theirs, role_clients)
