"""Espace pro: confirm a listing for the office's update campaign, from the e-mail's link.

The signed token says which campaign target the link was sent for; a bad or expired one gets a
French page (400). The target must be one of the person's listings in this office, else 404.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.generic import TemplateView

from ensemble.campaigns import selectors, services
from ensemble.campaigns.errors import CampaignError
from ensemble.campaigns.models import UpdateCampaign
from ensemble.campaigns.tokens import target_id_from_token
from ensemble.listings import selectors as listing_selectors
from ensemble.listings.fields import snapshot


class CampaignConfirmView(LoginRequiredMixin, TemplateView):
    """GET: the listing as published, "Je confirme que ma fiche est à jour" or "Je la modifie".
    POST: the one-click confirmation."""

    template_name = "portal/campaign_confirm.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            target_id = target_id_from_token(kwargs["token"])
        except CampaignError as exc:
            return self.invalid(exc.message)
        self.target = selectors.target_of_user(request.user, request.office, target_id)
        if self.target.campaign.status == UpdateCampaign.Status.CLOSED and not self.target.confirmed_at:
            return self.invalid(
                gettext(
                    "La campagne « %(title)s » est close : ce lien n'est plus valable. Vous pouvez "
                    "toujours vérifier et modifier votre fiche depuis votre espace pro."
                )
                % {"title": self.target.campaign.title}
            )
        return super().dispatch(request, *args, **kwargs)

    def invalid(self, message: str):
        return render(self.request, "portal/campaign_invalid.html", {"message": message}, status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listing = listing_selectors.listing_of_user(
            self.request.user, self.request.office, self.target.listing_id
        )
        context.update(
            target=self.target,
            campaign=self.target.campaign,
            listing=listing,
            rows=[
                (label, text)
                for label, text in listing_selectors.field_values_for_display(snapshot(listing))
                if text
            ],
            pending=listing_selectors.pending_proposal(listing),
            edit_url=services.listing_path(self.request.office, listing.pk),
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            services.record_confirmation(self.target, actor=request.user)
        except CampaignError as exc:
            messages.info(request, exc.message)
        else:
            messages.success(
                request,
                gettext("Merci : la fiche « %(name)s » est confirmée à jour.")
                % {"name": self.target.listing.establishment.name},
            )
        return redirect(request.path)
