from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "ensemble.public"
    label = "public"
    verbose_name = "Site public"
