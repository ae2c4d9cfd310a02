from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ensemble.core"
    label = "core"
    verbose_name = "Ensemble — socle"
