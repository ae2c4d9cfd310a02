"""Espace pro routes: claims (included by portal/urls.py, names in the "portal" namespace)."""

urlpatterns: list = []
