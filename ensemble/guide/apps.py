from django.apps import AppConfig


class GuideConfig(AppConfig):
    name = "ensemble.guide"
    label = "guide"
    verbose_name = "Guide imprimé"
