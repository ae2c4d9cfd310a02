"""Espace pro routes: the update campaign's confirmation (included by portal/urls.py).

The link comes from the campaign's e-mails: its signed token names the campaign target; the page
itself also requires the person to belong to the listing's organisation (else 404).
"""

from django.urls import path

from . import campaign_views

urlpatterns = [
    path("mise-a-jour/<str:token>/", campaign_views.CampaignConfirmView.as_view(), name="campaign_confirm"),
]
