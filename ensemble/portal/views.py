"""The espace pro's home: what a partner's people see first of their organisations in the
current office — their listings and what needs doing, memberships and what the pack includes."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.views.generic import TemplateView

from ensemble.campaigns import selectors as campaign_selectors
from ensemble.directory import selectors as directory_selectors
from ensemble.listings import selectors as listing_selectors
from ensemble.memberships.models import Membership
from ensemble.publishing.visibility import listings_visibility


class PortalHomeView(LoginRequiredMixin, TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, office = self.request.user, self.request.office
        memberships = (
            Membership.objects.select_related("season")
            .prefetch_related("lines__offer", "entitlements__source")
            .order_by("-season__year")
        )
        context["organisations"] = directory_selectors.organisations_of_user(user, office).prefetch_related(
            "establishments__category", Prefetch("memberships", queryset=memberships)
        )
        listings = list(listing_selectors.listings_of_user(user, office))
        visibility = listings_visibility(office, listings)
        for listing in listings:
            listing.pending = listing_selectors.pending_proposal(listing)
            listing.visibility = visibility[listing.pk]
        context["listings"] = listings
        context["campaign_targets"] = list(
            campaign_selectors.open_targets_of_user(user, office).select_related(
                "campaign", "listing__establishment"
            )
        )
        return context
