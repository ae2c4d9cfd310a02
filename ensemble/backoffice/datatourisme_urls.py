"""Back-office routes: datatourisme (included by backoffice/urls.py, names in the "backoffice" namespace)."""

urlpatterns: list = []
