"""Back-office routes: screen (included by backoffice/urls.py, names in the "backoffice" namespace)."""

urlpatterns: list = []
