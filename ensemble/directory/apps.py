from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "ensemble.directory"
    label = "directory"
    verbose_name = "Annuaire"
