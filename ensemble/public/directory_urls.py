"""Public routes: directory (included by public/urls.py, names in the "public" namespace)."""

from django.urls import path

from ensemble.core.page_cache import cached_page

from . import directory_views

urlpatterns = [
    path("annuaire/", cached_page(directory_views.DirectoryView.as_view()), name="directory"),
    path(
        "annuaire/<slug:category_slug>/",
        cached_page(directory_views.DirectoryView.as_view()),
        name="directory_category",
    ),
    path("accessibilite/", directory_views.AccessibilityView.as_view(), name="accessibility"),
    path("mentions-legales/", directory_views.LegalNoticesView.as_view(), name="legal"),
]
