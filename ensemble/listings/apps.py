from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "ensemble.listings"
    label = "listings"
    verbose_name = "Fiches"
