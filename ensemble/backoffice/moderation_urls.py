"""Back-office routes: moderations (included by backoffice/urls.py, names in the "backoffice" namespace)."""

from django.urls import path

from .views import listing_settings
from .views import moderation as views

urlpatterns: list = [
    # The queue of partners' proposals and their decision.
    path("moderation/", views.ModerationQueueView.as_view(), name="moderation_queue"),
    path("moderation/<int:pk>/", views.ProposalView.as_view(), name="moderation_proposal"),
    path("moderation/<int:pk>/decider/", views.ProposalDecideView.as_view(), name="moderation_decide"),
    path("moderation/<int:pk>/valider/", views.ProposalApproveView.as_view(), name="moderation_approve"),
    path("moderation/<int:pk>/refuser/", views.ProposalRejectView.as_view(), name="moderation_reject"),
    path(
        "moderation/reglages/", listing_settings.ModerationSettingsView.as_view(), name="moderation_settings"
    ),
    # A listing: published content, withdrawal, versions.
    path("fiches/<int:pk>/", views.ListingView.as_view(), name="listing"),
    path("fiches/<int:pk>/modifier/", views.ListingEditView.as_view(), name="listing_edit"),
    path("fiches/<int:pk>/retirer/", views.ListingUnpublishView.as_view(), name="listing_unpublish"),
    path("fiches/<int:pk>/publier/", views.ListingRepublishView.as_view(), name="listing_republish"),
    path("fiches/<int:pk>/lieu-office/", views.ListingOfficePlaceView.as_view(), name="listing_office_place"),
    path(
        "fiches/<int:pk>/versions/<int:number>/",
        views.ListingVersionView.as_view(),
        name="listing_version",
    ),
    path(
        "fiches/<int:pk>/versions/<int:number>/restaurer/",
        views.ListingRestoreView.as_view(),
        name="listing_restore",
    ),
    # The office's lists of amenities and labels.
    path("equipements-et-labels/", listing_settings.AmenityListView.as_view(), name="amenities"),
    path("equipements-et-labels/<int:pk>/", listing_settings.AmenityEditView.as_view(), name="amenity_edit"),
    path(
        "equipements-et-labels/<int:pk>/retirer/",
        listing_settings.AmenityActiveView.as_view(active=False),
        name="amenity_deactivate",
    ),
    path(
        "equipements-et-labels/<int:pk>/remettre/",
        listing_settings.AmenityActiveView.as_view(active=True),
        name="amenity_reactivate",
    ),
]
