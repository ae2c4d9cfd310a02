"""Update campaigns: the list, drafting one, its page (completion by category, the listings,
launch / unpublish / close) and the CSV export of its listings."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from ensemble.accounts.roles import Permission
from ensemble.campaigns import selectors, services
from ensemble.campaigns.errors import CampaignError
from ensemble.directory import selectors as directory_selectors

from ..access import StaffRequiredMixin, get_or_404
from ..campaign_forms import CampaignForm, TargetFilterForm
from ..exports import csv_export

PER_PAGE = 50


class CampaignListView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    action_permission = Permission.PARTNERS
    template_name = "backoffice/campaign_list.html"
    nav = "campaigns"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.campaigns(self.office), PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(page=page, campaigns=page.object_list)
        return context


class CampaignFormView(StaffRequiredMixin, TemplateView):
    """Draft a campaign, or change a draft (pk given)."""

    permission = Permission.PARTNERS

    template_name = "backoffice/campaign_form.html"
    nav = "campaigns"

    def load_object(self, **kwargs) -> None:
        self.campaign = None
        if "pk" in kwargs:
            self.campaign = get_or_404(selectors.campaign_detail, self.office, kwargs["pk"])

    def form(self, data=None) -> CampaignForm:
        categories = directory_selectors.categories(self.office).order_by("position", "name")
        return CampaignForm(data, categories=categories, campaign=self.campaign)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        context["campaign"] = self.campaign
        return context

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                campaign = self.save(form.settings())
            except CampaignError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    gettext("Campagne enregistrée en brouillon : vérifiez-la, puis lancez-la."),
                )
                return redirect(self.office_url("campaign", pk=campaign.pk))
        return self.render_to_response(self.get_context_data(form=form))

    def save(self, settings: dict):
        if self.campaign is None:
            return services.create_campaign(self.office, actor=self.request.user, **settings)
        return services.update_campaign(self.campaign, actor=self.request.user, **settings)


class CampaignDetailMixin(StaffRequiredMixin):
    permission = Permission.VIEW
    action_permission = Permission.PARTNERS
    nav = "campaigns"

    def load_object(self, **kwargs) -> None:
        self.campaign = get_or_404(selectors.campaign_detail, self.office, kwargs["pk"])

    def filter_form(self) -> TargetFilterForm:
        return TargetFilterForm(self.request.GET or None)

    def filtered(self, form: TargetFilterForm):
        filters = form.filters() if form.is_bound else {}
        return selectors.targets(self.campaign, **filters)


class CampaignDetailView(CampaignDetailMixin, TemplateView):
    template_name = "backoffice/campaign_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.campaign
        rows = selectors.completion_by_category(campaign)
        form = self.filter_form()
        page = Paginator(self.filtered(form), PER_PAGE).get_page(self.request.GET.get("page"))
        launched = campaign.status == campaign.Status.LAUNCHED
        context.update(
            campaign=campaign,
            rows=rows,
            total=selectors.completion_total(rows, label=gettext("Toutes catégories")),
            form=form,
            page=page,
            targets=page.object_list,
            can_unpublish=selectors.can_unpublish(campaign),
            unpublishable=selectors.unpublishable_targets(campaign).count() if launched else 0,
            export_query=self.request.GET.urlencode(),
        )
        return context


class CampaignActionView(CampaignDetailMixin, View):
    """POST one action on the campaign's page (a GET goes back to the page)."""

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("campaign", pk=self.campaign.pk))

    def post(self, request, *args, **kwargs):
        try:
            self.act()
        except CampaignError as exc:
            messages.error(request, exc.message)
        return redirect(self.office_url("campaign", pk=self.campaign.pk))

    def act(self) -> None:
        raise NotImplementedError


class CampaignLaunchView(CampaignActionView):
    def act(self) -> None:
        campaign = services.launch_campaign(self.campaign, actor=self.request.user)
        count = campaign.targets.count()
        messages.success(
            self.request,
            ngettext(
                "Campagne lancée : %(count)d fiche à confirmer, les partenaires sont prévenus par e-mail.",
                "Campagne lancée : %(count)d fiches à confirmer, les partenaires sont prévenus par e-mail.",
                count,
            )
            % {"count": count},
        )


class CampaignUnpublishView(CampaignActionView):
    def act(self) -> None:
        count = services.unpublish_overdue(self.campaign, actor=self.request.user)
        if count:
            message = ngettext(
                "%(count)d fiche retirée des supports ; son partenaire est prévenu du motif.",
                "%(count)d fiches retirées des supports ; chaque partenaire est prévenu du motif.",
                count,
            ) % {"count": count}
        else:
            message = gettext("Aucune fiche à retirer : toutes ont été confirmées ou déjà retirées.")
        messages.success(self.request, message)


class CampaignCloseView(CampaignActionView):
    def act(self) -> None:
        services.close_campaign(self.campaign, actor=self.request.user)
        messages.success(self.request, gettext("Campagne close : plus aucun rappel ne partira."))


class CampaignExportView(CampaignDetailMixin, View):
    """The campaign's listings as CSV (same filters as the page, every page)."""

    permission = Permission.EXPORT

    def get(self, request, *args, **kwargs):
        targets = self.filtered(self.filter_form()).iterator(chunk_size=2000)
        filename = f"campagne-{self.campaign.pk}-{self.office.slug}-{timezone.localdate():%Y-%m-%d}.csv"
        return csv_export(filename, EXPORT_COLUMNS, targets)


EXPORT_COLUMNS = [
    (_("Établissement"), lambda t: t.listing.establishment.name),
    (_("Organisation"), lambda t: t.listing.establishment.organisation.name),
    (_("E-mail"), lambda t: t.listing.establishment.organisation.email),
    (_("Catégorie"), lambda t: t.listing.establishment.category.name),
    (_("État"), lambda t: t.state.label),
    (_("Invitation envoyée le"), lambda t: t.emailed_at),
    (_("Rappels"), lambda t: t.reminder_count),
    (_("Dernier rappel"), lambda t: t.last_reminder_at),
    (_("Confirmée le"), lambda t: t.confirmed_at),
    (_("Confirmée par"), lambda t: str(t.confirmed_by) if t.confirmed_by else ""),
    (_("Signalée le"), lambda t: t.flagged_at),
    (_("Retirée le"), lambda t: t.unpublished_at),
]
