"""Espace pro routes: claims (included by portal/urls.py, names in the "portal" namespace)."""

from django.urls import path

from . import claim_views

urlpatterns = [
    path("prestations/", claim_views.PortalClaimsView.as_view(), name="claims"),
    path(
        "prestations/<int:membership_id>/demander/",
        claim_views.PortalClaimRequestView.as_view(),
        name="claim_request",
    ),
    path(
        "prestations/<int:membership_id>/hors-pack/",
        claim_views.PortalClaimExtraView.as_view(),
        name="claim_request_extra",
    ),
    path(
        "prestations/demandes/<int:claim_id>/annuler/",
        claim_views.PortalClaimCancelView.as_view(),
        name="claim_cancel",
    ),
    path(
        "prestations/demandes/<int:claim_id>/images/<int:image_id>/",
        claim_views.PortalClaimImageView.as_view(),
        name="claim_image",
    ),
    path(
        "prestations/demandes/<int:claim_id>/bandeau/",
        claim_views.PortalClaimBannerView.as_view(),
        name="claim_banner",
    ),
    path(
        "prestations/demandes/<int:claim_id>/codes.csv",
        claim_views.PortalClaimCodesView.as_view(),
        name="claim_codes",
    ),
]
