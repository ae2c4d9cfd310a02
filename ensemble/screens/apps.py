from django.apps import AppConfig


class ScreensConfig(AppConfig):
    name = "ensemble.screens"
    label = "screens"
    verbose_name = "Écrans d'accueil"
