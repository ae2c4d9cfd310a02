"""Back-office routes: guide (included by backoffice/urls.py, names in the "backoffice" namespace)."""

from django.urls import path

from .views import guide as views

urlpatterns = [
    path("guide-imprime/", views.GuideView.as_view(), name="guide"),
    path("guide-imprime/<int:pk>/guide.pdf", views.GuidePdfView.as_view(), name="guide_pdf"),
    path("guide-imprime/export.csv", views.GuideCsvView.as_view(), name="guide_export_csv"),
    path("guide-imprime/export.xlsx", views.GuideXlsxView.as_view(), name="guide_export_xlsx"),
]
