"""Back-office routes: the agenda (included by backoffice/urls.py, names in the "backoffice"
namespace): the queue of partners' proposals, every event, the office's events, decisions and
cancellation."""

from django.urls import path

from .views import events as views

EVENT = "agenda/<int:pk>/"

urlpatterns: list = [
    path("agenda/", views.EventListView.as_view(), name="events"),
    path("agenda/export.csv", views.EventExportView.as_view(), name="event_export"),
    path("agenda/a-moderer/", views.EventQueueView.as_view(), name="event_queue"),
    path("agenda/nouveau/", views.EventFormView.as_view(), name="event_create"),
    path(EVENT, views.EventDetailView.as_view(), name="event"),
    path(EVENT + "modifier/", views.EventFormView.as_view(), name="event_edit"),
    path(EVENT + "valider/", views.EventApproveView.as_view(), name="event_approve"),
    path(EVENT + "refuser/", views.EventRejectView.as_view(), name="event_reject"),
    path(EVENT + "annuler/", views.EventCancelView.as_view(), name="event_cancel"),
]
