"""What needs handling: new requests, memberships awaiting payment, memberships ending soon, and
the espace pro's queues (listing changes to moderate, partners' requests, banners to approve)."""

from django.utils import timezone
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.campaigns import selectors as campaign_selectors
from ensemble.claims import selectors as claim_selectors
from ensemble.events import selectors as event_selectors
from ensemble.listings import selectors as listing_selectors
from ensemble.memberships import selectors
from ensemble.memberships.models import Membership

from ..access import StaffRequiredMixin

LIST_LIMIT = 10
EXPIRING_WITHIN_DAYS = 30


class DashboardView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/dashboard.html"
    nav = "dashboard"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        office = self.office
        season = selectors.current_season(office)
        counts = selectors.status_counts(office, season)
        season_id = season.pk if season else None
        requested = selectors.membership_list(office, season_id=season_id, status=Membership.Status.REQUESTED)
        awaiting = selectors.membership_list(
            office, season_id=season_id, status=Membership.Status.AWAITING_PAYMENT
        )
        expiring = selectors.expiring_memberships(
            office, within_days=EXPIRING_WITHIN_DAYS, today=timezone.localdate()
        )
        context.update(
            season=season,
            status_cards=[(status, label, counts[status]) for status, label in Membership.Status.choices],
            requested=list(requested[:LIST_LIMIT]),
            requested_count=counts[Membership.Status.REQUESTED],
            awaiting=list(awaiting[:LIST_LIMIT]),
            awaiting_count=counts[Membership.Status.AWAITING_PAYMENT],
            expiring=list(expiring[:LIST_LIMIT]),
            expiring_count=expiring.count(),
            expiring_days=EXPIRING_WITHIN_DAYS,
            proposals_count=listing_selectors.pending_count(office),
            events_count=event_selectors.pending_count(office),
            claim_counts=claim_selectors.queue_counts(office),
            campaign_counts=campaign_selectors.campaign_counts(office),
        )
        return context
