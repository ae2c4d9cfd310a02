"""Back-office routes: personal data (RGPD) and the processing register (included by
backoffice/urls.py, names in the "backoffice" namespace)."""

from django.urls import path

from .views import privacy

urlpatterns = [
    path("donnees-personnelles/", privacy.PrivacySearchView.as_view(), name="privacy"),
    path("donnees-personnelles/export/", privacy.PrivacyExportView.as_view(), name="privacy_export"),
    path("donnees-personnelles/effacer/", privacy.PrivacyEraseView.as_view(), name="privacy_erase"),
    path("registre-des-traitements/", privacy.ProcessingRegisterView.as_view(), name="privacy_register"),
    path(
        "registre-des-traitements/export.csv",
        privacy.ProcessingRegisterCsvView.as_view(),
        name="privacy_register_csv",
    ),
]
