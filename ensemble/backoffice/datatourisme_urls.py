"""Back-office routes: datatourisme (included by backoffice/urls.py, names in the "backoffice" namespace)."""

from django.urls import path

from .views import datatourisme

urlpatterns = [
    path("datatourisme/", datatourisme.DatatourismeImportView.as_view(), name="datatourisme_import"),
    path(
        "datatourisme/classes/",
        datatourisme.DatatourismeClassesView.as_view(),
        name="datatourisme_classes",
    ),
    path(
        "datatourisme/imports/<int:run_id>/",
        datatourisme.DatatourismeRunView.as_view(),
        name="datatourisme_run",
    ),
]
