from django.apps import AppConfig


class DatatourismeConfig(AppConfig):
    name = "ensemble.datatourisme"
    label = "datatourisme"
    verbose_name = "DATAtourisme"
