from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "ensemble.billing"
    label = "billing"
    verbose_name = "Facturation"
