"""Espace pro routes: « Ma visibilité » (included by portal/urls.py, names in the "portal"
namespace). The overview takes the year as `?annee=`; a listing's report names its listing
(`listing_id`) and `year`."""

from django.urls import path

from . import visibility_views as views

LISTING_YEAR = "visibilite/<int:listing_id>/<int:year>/"

urlpatterns = [
    path("visibilite/", views.VisibilityView.as_view(), name="visibility"),
    path(LISTING_YEAR, views.VisibilityListingView.as_view(), name="visibility_listing"),
    path(
        LISTING_YEAR + "export.csv",
        views.VisibilityListingExportView.as_view(),
        name="visibility_listing_export",
    ),
]
