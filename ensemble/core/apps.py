from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ensemble.core"
    label = "core"
    verbose_name = "Ensemble — socle"

    def ready(self):
        from . import page_cache, publication
        from .images import configure_pillow

        configure_pillow()
        # What an app reports as changed in an office's publication drops the office's cached pages.
        publication.register_listener(page_cache.on_content_changed)
