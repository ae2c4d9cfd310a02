from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ensemble.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        # Signal receivers (logins to the audit log) and the wording of the accounts' log entries.
        from . import sessions, staff  # noqa: F401
