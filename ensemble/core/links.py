"""Absolute links to the site, for what leaves it: e-mails, PDFs, printed guides, feeds.

One rule (issue 12, A1): a link uses the address the office is served at.

- An office with its own host name (`Office.domain`) is served there over https, without its
  slug: `/saint-omer/adherer/` becomes `https://partenaires.example.fr/adherer/`
  (`OfficeMiddleware` serves the bare paths on that host; the deployment's own paths — `/comptes/`,
  `/media/`… — stay as they are).
- Any other office is under the deployment's address, `settings.SITE_URL`. In development
  `make run` passes `SITE_URL=http://$(HOST):$(PORT)` to the server and the worker, so a link in
  an e-mail points at the server that sent it, whatever its port.

A page answering a request uses `request.build_absolute_uri` instead: the host it was asked on.
"""

from django.conf import settings
from django.urls import reverse

from .models import Office


def base_url(office: Office | None) -> str:
    """The scheme and host (no trailing slash) the office's pages are served at."""
    if office is not None and office.domain:
        return f"https://{office.domain}"
    return settings.SITE_URL.rstrip("/")


def absolute_url(office: Office | None, path: str) -> str:
    """`path` (from `reverse()`, with or without the office's prefix, or a media URL) as an
    absolute link to where `office` is served."""
    if not path.startswith("/"):
        path = f"/{path}"
    if office is not None and office.domain:
        prefix = f"/{office.slug}/"
        if path.startswith(prefix):
            path = path[len(prefix) - 1 :]
        elif path == prefix.rstrip("/"):
            path = "/"
    return f"{base_url(office)}{path}"


def office_url(office: Office, name: str, **kwargs) -> str:
    """`reverse(name)` for one of the office's pages (its slug given), as an absolute link."""
    return absolute_url(office, reverse(name, kwargs={"office_slug": office.slug, **kwargs}))
