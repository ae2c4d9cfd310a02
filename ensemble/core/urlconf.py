"""URL configurations for an office served on its own host name.

On such a host the office's pages answer without the /<office_slug>/ prefix. Each office gets a
small urlconf object whose office routes carry `office_slug` as a default, so `reverse()` with
`office_slug=…` still works and yields the short URL.
"""

from functools import cache
from django.urls import include, path


class HostedUrlconf:
    """A urlconf module stand-in (hashable, as Django's resolver cache needs)."""

    def __init__(self, slug: str):
        from ensemble.urls import global_patterns, office_patterns

        self.urlpatterns = [
            *global_patterns,
            path("", include(office_patterns), {"office_slug": slug}),
        ]


@cache
def hosted_urlconf(slug: str) -> HostedUrlconf:
    return HostedUrlconf(slug)
