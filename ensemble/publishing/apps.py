from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "ensemble.publishing"
    label = "publishing"
    verbose_name = "Publication"
