"""Back-office routes: moderations (included by backoffice/urls.py, names in the "backoffice" namespace)."""

urlpatterns: list = []
