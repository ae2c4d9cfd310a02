"""Espace pro routes: accounts (included by portal/urls.py, names in the "portal" namespace)."""

urlpatterns: list = []
