from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "ensemble.privacy"
    label = "privacy"
    verbose_name = "Données personnelles"
