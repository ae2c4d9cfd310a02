"""Espace pro routes: event (included by portal/urls.py, names in the "portal" namespace)."""

urlpatterns: list = []
