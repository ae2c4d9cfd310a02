from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "ensemble.campaigns"
    label = "campaigns"
    verbose_name = "Campagnes de mise à jour"
