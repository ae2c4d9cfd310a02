from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "ensemble.claims"
    label = "claims"
    verbose_name = "Demandes des partenaires"
