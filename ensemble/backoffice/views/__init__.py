"""The back office: one module per page family."""

from .catalogue import (
    CatalogueView,
    CategoryListView,
    OfferTextsView,
    SeasonOpenView,
    SeasonPrepareView,
    SeasonSalesView,
    TermsPublishView,
)
from .dashboard import DashboardView
from .memberships import (
    MembershipActionView,
    MembershipDetailView,
    MembershipExportView,
    MembershipListView,
)
from .organisations import (
    OrganisationDetailView,
    OrganisationExportView,
    OrganisationListView,
    OrganisationNoteView,
)

__all__ = [
    "CatalogueView",
    "CategoryListView",
    "DashboardView",
    "OfferTextsView",
    "MembershipActionView",
    "MembershipDetailView",
    "MembershipExportView",
    "MembershipListView",
    "OrganisationDetailView",
    "OrganisationExportView",
    "OrganisationListView",
    "OrganisationNoteView",
    "SeasonOpenView",
    "SeasonPrepareView",
    "SeasonSalesView",
    "TermsPublishView",
]
