"""Back-office routes: campaigns (included by backoffice/urls.py, names in the "backoffice" namespace)."""

urlpatterns: list = []
