"""Espace pro routes: events (included by portal/urls.py, names in the "portal" namespace).

« Mes événements »: the list, a new proposal, and each event (`event_id`): its form, its
cancellation (published events) and the withdrawal of a proposal not yet published.
"""

from django.urls import path

from . import event_views as views

EVENT = "evenements/<int:event_id>/"

urlpatterns = [
    path("evenements/", views.EventListView.as_view(), name="events"),
    path("evenements/proposer/", views.EventCreateView.as_view(), name="event_create"),
    path(EVENT, views.EventEditView.as_view(), name="event_edit"),
    path(EVENT + "annuler/", views.EventCancelView.as_view(), name="event_cancel"),
    path(EVENT + "retirer/", views.EventWithdrawView.as_view(), name="event_withdraw"),
]
