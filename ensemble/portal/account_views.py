"""« Mon compte avec l'office »: membership status and history, the documents accepted (with
their text), renewal for next season in two clicks, and the partner's own termination.

Only the organisations the person acts for in the current office are reachable; any other
organisation, membership or acceptance id answers 404, for GET and POST alike.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect
from django.utils import formats
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from ensemble.core.client_ip import client_ip
from ensemble.directory import selectors as directory_selectors
from ensemble.memberships import selectors as membership_selectors
from ensemble.memberships import services as membership_services
from ensemble.memberships.errors import MembershipError
from ensemble.memberships.models import Membership
from ensemble.memberships.services.lifecycle import NOTICE_DAYS

from .account_forms import NoticeForm, RenewalForm
from .team_views import PartnerOrganisationMixin

# What each entry of a membership's history says to the partner (MembershipTransition.action).
HISTORY_LABELS = {
    "submit": gettext_lazy("Demande d'adhésion"),
    "renew": gettext_lazy("Demande de renouvellement"),
    "accept": gettext_lazy("Demande validée par l'Office"),
    "activate": gettext_lazy("Adhésion effective"),
    "refuse": gettext_lazy("Demande refusée"),
    "suspend": gettext_lazy("Suspension"),
    "reinstate": gettext_lazy("Rétablissement"),
    "terminate": gettext_lazy("Résiliation par l'Office"),
    "give_notice": gettext_lazy("Résiliation avec préavis"),
    "end_notice": gettext_lazy("Fin du préavis"),
    "expire": gettext_lazy("Fin de la saison"),
}
DEAD = (Membership.Status.REFUSED, Membership.Status.TERMINATED)


class AccountIndexView(LoginRequiredMixin, TemplateView):
    """The person's organisations in this office, each with its account and team pages."""

    template_name = "portal/account_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organisations"] = directory_selectors.organisations_of_user(
            self.request.user, self.request.office
        ).order_by("name", "id")
        return context


class AccountView(LoginRequiredMixin, PartnerOrganisationMixin, TemplateView):
    template_name = "portal/account.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        memberships = list(membership_selectors.account_memberships(self.organisation))
        seasons = {s.year: s for s in membership_selectors.seasons(self.request.office)}
        live_years = {m.season.year for m in memberships if m.status not in DEAD}
        for membership in memberships:
            membership.events = [
                (entry, HISTORY_LABELS.get(entry.action, entry.action), _status_label(entry.to_status))
                for entry in membership.history.all()
            ]
            year = membership.season.year + 1
            membership.can_renew = self.is_owner and not membership_services.renewal_refusal(
                membership, next_season=seasons.get(year), taken=year in live_years, from_portal=True
            )
            membership.can_give_notice = self.is_owner and membership.can("give_notice")
        context["memberships"] = memberships
        context["current"] = memberships[0] if memberships else None
        return context


def _status_label(status: str) -> str:
    try:
        return Membership.Status(status).label
    except ValueError:
        return status


class AcceptanceView(LoginRequiredMixin, TemplateView):
    """The text a partner accepted, verbatim, with when and its fingerprint."""

    template_name = "portal/account_acceptance.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.acceptance = membership_selectors.partner_acceptance(
                request.user, request.office, kwargs["acceptance_id"]
            )
        except ObjectDoesNotExist:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        acceptance = self.acceptance
        context.update(acceptance=acceptance, organisation=acceptance.membership.organisation)
        return context


class PartnerMembershipMixin:
    """Resolves `membership_id` to a membership of the person's organisations in this office
    (404 otherwise); `self.is_owner` says whether they hold the organisation's account."""

    def dispatch(self, request, *args, **kwargs):
        try:
            self.membership = membership_selectors.partner_membership(
                request.user, request.office, kwargs["membership_id"]
            )
        except ObjectDoesNotExist:
            raise Http404 from None
        self.organisation = self.membership.organisation
        self.is_owner = directory_selectors.is_owner(self.organisation, request.user)
        return super().dispatch(request, *args, **kwargs)

    def to_account(self):
        return redirect(
            "portal:account", office_slug=self.request.office.slug, organisation_id=self.organisation.pk
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(membership=self.membership, organisation=self.organisation)
        return context


class RenewView(LoginRequiredMixin, PartnerMembershipMixin, TemplateView):
    """Click 1 (from the account page) shows next season's pack and options at its prices and
    its charter and CGV; click 2 (this page's button) renews and records the acceptances."""

    template_name = "portal/account_renew.html"

    def get(self, request, *args, **kwargs):
        try:
            self.next_season = membership_services.portal_renewal_season(self.membership, actor=request.user)
        except MembershipError as exc:
            messages.error(request, exc.message)
            return self.to_account()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            self.next_season = membership_services.portal_renewal_season(self.membership, actor=request.user)
        except MembershipError as exc:
            messages.error(request, exc.message)
            return self.to_account()
        form = RenewalForm(request.POST, year=self.next_season.year)
        if form.is_valid():
            try:
                renewal = membership_services.renew_from_portal(
                    self.membership,
                    actor=request.user,
                    accepted_terms=form.accepted_terms(),
                    language=(get_language() or "fr")[:2],  # the texts were shown in it
                    evidence=membership_services.Evidence(
                        ip_address=client_ip(request) or None,
                        user_agent=request.META.get("HTTP_USER_AGENT", ""),
                    ),
                )
            except MembershipError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    _(
                        "Votre demande de renouvellement %(year)s est enregistrée. "
                        "Un e-mail vous en confirme le détail et le règlement."
                    )
                    % {"year": renewal.season.year},
                )
                return self.to_account()
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        season = self.next_season
        lines, dropped = membership_services.renewal_lines(self.membership, season)
        terms = membership_selectors.current_terms(season)
        charter, cgv = terms.get("charter"), terms.get("cgv")
        context.setdefault(
            "form",
            RenewalForm(
                year=season.year,
                initial={"charter_id": charter and charter.pk, "cgv_id": cgv and cgv.pk},
            ),
        )
        context.update(
            next_season=season,
            lines=lines,
            dropped=dropped,
            total=sum((line.total_ttc for line in lines if line.total_ttc), Decimal("0.00")),
            charter=charter,
            cgv=cgv,
            charter_text=charter and charter.text_in(get_language()),
            cgv_text=cgv and cgv.text_in(get_language()),
        )
        return context


class NoticeView(LoginRequiredMixin, PartnerMembershipMixin, TemplateView):
    """The partner ends their membership with the 30 days' notice: a page that says when it
    ends, a reason, and a button."""

    template_name = "portal/account_notice.html"

    def get(self, request, *args, **kwargs):
        try:
            membership_services.check_portal_notice(self.membership, actor=request.user)
        except MembershipError as exc:
            messages.error(request, exc.message)
            return self.to_account()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = NoticeForm(request.POST)
        if form.is_valid():
            try:
                membership = membership_services.give_notice_from_portal(
                    self.membership, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except MembershipError as exc:
                if exc.field not in form.fields:
                    messages.error(request, exc.message)
                    return self.to_account()
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    _("Votre résiliation est enregistrée : l'adhésion %(year)s prendra fin le %(date)s.")
                    % {
                        "year": membership.season.year,
                        "date": formats.date_format(membership.ends_on, "d/m/Y"),
                    },
                )
                return self.to_account()
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", NoticeForm())
        context["ends_on"] = membership_services.notice_end_date(self.membership)
        context["notice_days"] = NOTICE_DAYS
        return context
