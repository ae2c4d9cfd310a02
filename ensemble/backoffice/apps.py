from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "ensemble.backoffice"
    label = "backoffice"
    verbose_name = "Back office"
