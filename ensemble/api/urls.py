"""The open-data API of an office, under /<office>/api/ (django-ninja)."""

urlpatterns: list = []
