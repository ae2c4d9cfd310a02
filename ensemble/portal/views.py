"""The espace pro: what a partner's people see of their organisations in the current office."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.views.generic import TemplateView

from ensemble.directory import selectors as directory_selectors
from ensemble.memberships.models import Membership


class PortalHomeView(LoginRequiredMixin, TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        memberships = (
            Membership.objects.select_related("season")
            .prefetch_related("lines__offer", "entitlements")
            .order_by("-season__year")
        )
        context["organisations"] = directory_selectors.organisations_of_user(
            self.request.user, self.request.office
        ).prefetch_related("establishments__category", Prefetch("memberships", queryset=memberships))
        return context
