"""Back-office routes: event (included by backoffice/urls.py, names in the "backoffice" namespace)."""

urlpatterns: list = []
