"""The open-data API of an office, under /<office>/api/ (django-ninja).

Every route (ninja's, the schema, the index and the JSON 404 for unknown paths) goes through
`http.api_view`: CORS for the office's sites, ETag/Last-Modified and 304, HEAD."""

from django.urls import URLPattern, include, path, re_path

from . import docs
from .http import api_view
from .v1 import api


def _wrapped(patterns: list) -> list:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            # ninja's root view raises Http404 (it only exists to compute the API's prefix)
            view = docs.index_view if pattern.name == "api-root" else pattern.callback
            pattern.callback = api_view(view)
    return patterns


v1_patterns, _app_name, v1_namespace = api.urls

urlpatterns = [
    path("", api_view(docs.index_view), name="api_index"),
    path("v1/docs", docs.docs_view, name="api_docs"),
    path("v1/", include((_wrapped(v1_patterns), "ninja"), namespace=v1_namespace)),
    re_path(r"^.*$", api_view(docs.unknown_view)),
]
