from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "ensemble.publishing"
    label = "publishing"
    verbose_name = "Publication"

    def ready(self) -> None:
        # The services below publishing tell it what changed through core (see core.publication).
        from ensemble.core import publication

        from . import services

        publication.register_listener(services.apply_change)
