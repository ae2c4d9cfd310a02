"""Back-office routes: campaigns (included by backoffice/urls.py, names in the "backoffice" namespace)."""

from django.urls import path

from .views import campaigns as views

urlpatterns = [
    path("campagnes/", views.CampaignListView.as_view(), name="campaigns"),
    path("campagnes/nouvelle/", views.CampaignFormView.as_view(), name="campaign_create"),
    path("campagnes/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign"),
    path("campagnes/<int:pk>/modifier/", views.CampaignFormView.as_view(), name="campaign_edit"),
    path("campagnes/<int:pk>/lancer/", views.CampaignLaunchView.as_view(), name="campaign_launch"),
    path("campagnes/<int:pk>/retirer/", views.CampaignUnpublishView.as_view(), name="campaign_unpublish"),
    path("campagnes/<int:pk>/cloturer/", views.CampaignCloseView.as_view(), name="campaign_close"),
    path("campagnes/<int:pk>/fiches.csv", views.CampaignExportView.as_view(), name="campaign_export"),
]
