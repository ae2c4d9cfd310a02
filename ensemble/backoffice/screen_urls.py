"""Back-office routes: reception screens and their messages, and the visibility counts
(included by backoffice/urls.py, names in the "backoffice" namespace)."""

from django.urls import path

from .views import screens, visibility

urlpatterns = [
    path("ecrans/", screens.ScreenListView.as_view(), name="screens"),
    path("ecrans/<int:pk>/", screens.ScreenDetailView.as_view(), name="screen"),
    path("ecrans/<int:pk>/desactiver/", screens.ScreenRevokeView.as_view(), name="screen_revoke"),
    path(
        "ecrans/<int:pk>/nouvelle-adresse/", screens.ScreenRegenerateView.as_view(), name="screen_regenerate"
    ),
    path("ecrans/messages/nouveau/", screens.ScreenMessageFormView.as_view(), name="screen_message_create"),
    path("ecrans/messages/<int:pk>/", screens.ScreenMessageFormView.as_view(), name="screen_message_edit"),
    path(
        "ecrans/messages/<int:pk>/supprimer/",
        screens.ScreenMessageDeleteView.as_view(),
        name="screen_message_delete",
    ),
    path("visibilite/", visibility.VisibilityNowView.as_view(), name="visibility_now"),
    path("visibilite/<int:year>/", visibility.VisibilityView.as_view(), name="visibility"),
    path(
        "visibilite/<int:year>/export.csv",
        visibility.VisibilityExportView.as_view(),
        name="visibility_export",
    ),
    path(
        "visibilite/<int:year>/fiches/<int:pk>/",
        visibility.VisibilityListingView.as_view(),
        name="visibility_listing",
    ),
    path(
        "visibilite/<int:year>/organisations/<int:pk>/",
        visibility.VisibilityOrganisationView.as_view(),
        name="visibility_organisation",
    ),
]
