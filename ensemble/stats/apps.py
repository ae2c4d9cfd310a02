from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "ensemble.stats"
    label = "stats"
    verbose_name = "Statistiques de visibilité"
