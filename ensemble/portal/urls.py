from django.urls import path

from . import quote_views, views

app_name = "portal"

urlpatterns = [
    path("", views.PortalHomeView.as_view(), name="home"),
    path("devis/", quote_views.PortalQuoteListView.as_view(), name="quotes"),
    path(
        "devis/<int:pk>/accepter/",
        quote_views.PortalQuoteActionView.as_view(action="accept"),
        name="quote_accept",
    ),
    path(
        "devis/<int:pk>/refuser/",
        quote_views.PortalQuoteActionView.as_view(action="decline"),
        name="quote_decline",
    ),
]
