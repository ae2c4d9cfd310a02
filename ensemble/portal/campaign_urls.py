"""Espace pro routes: the update campaign's confirmation (included by portal/urls.py)."""

urlpatterns: list = []
