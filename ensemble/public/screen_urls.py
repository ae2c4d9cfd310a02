"""Public routes: screen (included by public/urls.py, names in the "public" namespace)."""

urlpatterns: list = []
