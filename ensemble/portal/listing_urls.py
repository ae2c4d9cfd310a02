"""Espace pro routes: listings (included by portal/urls.py, names in the "portal" namespace)."""

urlpatterns: list = []
