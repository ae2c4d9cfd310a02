from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "ensemble.portal"
    label = "portal"
    verbose_name = "Espace pro"
