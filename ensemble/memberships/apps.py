from django.apps import AppConfig


class MembershipsConfig(AppConfig):
    name = "ensemble.memberships"
    label = "memberships"
    verbose_name = "Adhésions"
