"""Espace pro routes: visibility (included by portal/urls.py, names in the "portal" namespace)."""

urlpatterns: list = []
