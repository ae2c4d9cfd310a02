"""Memberships: the filtered list, its CSV export, the membership page and its actions."""

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from ensemble.accounts.roles import Permission
from ensemble.billing import selectors as billing_selectors
from ensemble.core.errors import EnsembleError
from ensemble.directory import selectors as directory_selectors
from ensemble.memberships import selectors
from ensemble.memberships.models import Membership

from ..access import StaffRequiredMixin, get_or_404
from ..actions import ACTIONS, ACTIONS_BY_SLUG, HISTORY_LABELS, MembershipAction
from ..exports import csv_export
from ..forms import MembershipFilterForm

PER_PAGE = 50


class MembershipFilterMixin(StaffRequiredMixin):
    permission = Permission.VIEW

    def filter_form(self) -> MembershipFilterForm:
        return MembershipFilterForm(
            self.request.GET or None,
            seasons=selectors.seasons(self.office),
            categories=directory_selectors.categories(self.office),
        )

    def filtered(self, form: MembershipFilterForm):
        filters = form.filters() if form.is_bound else {}
        return billing_selectors.with_amount_paid(selectors.membership_list(self.office, **filters))


class MembershipListView(MembershipFilterMixin, TemplateView):
    template_name = "backoffice/membership_list.html"
    nav = "memberships"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filter_form()
        page = Paginator(self.filtered(form), PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(form=form, page=page, memberships=page.object_list)
        return context


class MembershipExportView(MembershipFilterMixin, View):
    """The filtered list as CSV (same filters as the list, every page)."""

    permission = Permission.EXPORT

    def get(self, request, *args, **kwargs):
        memberships = self.filtered(self.filter_form()).iterator(chunk_size=2000)
        filename = f"adhesions-{self.office.slug}-{timezone.localdate():%Y-%m-%d}.csv"
        return csv_export(filename, EXPORT_COLUMNS, memberships)


EXPORT_COLUMNS = [
    (_("N°"), lambda m: m.pk),
    (_("Organisation"), lambda m: m.organisation.name),
    (_("SIRET"), lambda m: m.organisation.siret),
    (_("E-mail"), lambda m: m.organisation.email),
    (_("Établissement"), lambda m: m.establishment.name if m.establishment else ""),
    (_("Catégorie"), lambda m: m.establishment.category.name if m.establishment else ""),
    (_("Saison"), lambda m: m.season.year),
    (_("Statut"), lambda m: m.get_status_display()),
    (_("Montant dû TTC"), lambda m: m.amount_due),
    (_("Réglé"), lambda m: m.paid),
    (_("Mode de règlement"), lambda m: m.get_payment_method_display()),
    (_("Demande reçue le"), lambda m: timezone.localtime(m.created_at).date()),
    (_("Validée le"), lambda m: m.accepted_on),
    (_("Effective le"), lambda m: m.activated_on),
    (_("Fin"), lambda m: m.ends_on),
]


class MembershipDetailView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    action_permission = Permission.PARTNERS
    template_name = "backoffice/membership_detail.html"
    nav = "memberships"

    def load_object(self, **kwargs) -> None:
        self.membership = get_or_404(selectors.membership_detail, self.office, kwargs["pk"])

    def get_context_data(self, bound_action: MembershipAction | None = None, bound_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.membership
        payments = list(billing_selectors.membership_payments(membership))
        paid = sum((p.allocated for p in payments if not p.is_cancelled), Decimal("0.00"))
        membership.amount_paid = paid  # the payment form proposes what remains
        actions = []
        for action in ACTIONS:
            if action is bound_action:
                actions.append((action, bound_form))
            elif action.is_available(membership):
                actions.append((action, action.make_form(membership)))
        history = [
            (entry, HISTORY_LABELS.get(entry.action, entry.action)) for entry in membership.history.all()
        ]
        context.update(
            membership=membership,
            paid=paid,
            payments=payments,
            invoices=billing_selectors.membership_invoices(membership),
            remaining=max(membership.amount_due - paid, Decimal("0.00")),
            actions=actions,
            history=history,
            renewal=selectors.renewal_of(membership),
        )
        return context


class MembershipActionView(MembershipDetailView):
    """Changes state on POST only. A refused action re-renders the page with the form's errors
    (a field error) or comes back with an error message (a rule about the whole membership).

    A GET (after logging in, or switching language on a page with errors) goes back to the
    membership page and changes nothing.
    """

    http_method_names = ["get", "post"]
    action: MembershipAction | None = None

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("membership", pk=self.membership.pk))

    def post(self, request, *args, **kwargs):
        action = self.action
        form = action.make_form(self.membership, data=request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(bound_action=action, bound_form=form))
        try:
            result = action.perform(self.membership, request.user, form.cleaned_data)
        except EnsembleError as exc:
            if exc.field in form.fields:
                form.add_service_error(exc)
                context = self.get_context_data(bound_action=action, bound_form=form)
                return self.render_to_response(context)
            messages.error(request, exc.message)
            return redirect(self.office_url("membership", pk=self.membership.pk))
        target = result if isinstance(result, Membership) else self.membership
        messages.success(request, action.success(target))
        return redirect(self.office_url("membership", pk=target.pk))

    @classmethod
    def for_action(cls, slug: str):
        """A view class per action, so each declares the permission its action needs."""
        action = ACTIONS_BY_SLUG[slug]
        attributes = {"action": action, "action_permission": action.permission}
        return type(f"Membership{slug.title()}View", (cls,), attributes).as_view()
