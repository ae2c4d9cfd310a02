from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ensemble.core"
    label = "core"
    verbose_name = "Ensemble — socle"

    def ready(self):
        from .images import configure_pillow

        configure_pillow()
