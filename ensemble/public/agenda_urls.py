"""Public routes: agenda (included by public/urls.py, names in the "public" namespace).

The list and its iCalendar feed take the same filters (du, au, categorie, ville); each event has
its page and its own feed.
"""

from django.urls import path

from ensemble.core.page_cache import cached_page

from . import agenda_views as views

urlpatterns = [
    path("agenda/", cached_page(views.AgendaView.as_view()), name="agenda"),
    path("agenda.ics", cached_page(views.AgendaIcsView.as_view()), name="agenda_ics"),
    path("agenda/<int:event_id>/", cached_page(views.EventPageView.as_view()), name="event"),
    path("agenda/<int:event_id>.ics", cached_page(views.EventIcsView.as_view()), name="event_ics"),
]
