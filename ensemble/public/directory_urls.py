"""Public routes: directory (included by public/urls.py, names in the "public" namespace)."""

urlpatterns: list = []
