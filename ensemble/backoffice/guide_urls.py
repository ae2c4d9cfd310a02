"""Back-office routes: guide (included by backoffice/urls.py, names in the "backoffice" namespace)."""

urlpatterns: list = []
