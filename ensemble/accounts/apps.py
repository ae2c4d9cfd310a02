from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ensemble.accounts"
    label = "accounts"
    verbose_name = "Comptes"
