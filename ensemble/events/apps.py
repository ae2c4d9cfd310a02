from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "ensemble.events"
    label = "events"
    verbose_name = "Agenda"
