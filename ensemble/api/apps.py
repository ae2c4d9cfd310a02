from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ensemble.api"
    label = "api"
    verbose_name = "API open data"
