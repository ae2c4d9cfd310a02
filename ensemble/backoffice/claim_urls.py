"""Back-office routes: claims (included by backoffice/urls.py, names in the "backoffice" namespace)."""

urlpatterns: list = []
