"""The header's language menu (issue 13, item 8): plain links, one per language, that switch
at once and bring the visitor back to the same page.

`GET /i18n/langue/<code>/?next=<path>` sets Django's language cookie (what LocaleMiddleware
reads) and redirects to `next`. A link, not Django's `set_language` form: no « OK » to press,
nothing to submit, and it works without JavaScript. Changing the display language is harmless,
so a GET is acceptable (as a link from another site could only change the language shown).
An unknown code chooses the default language; a `next` outside this site is refused (the
deployment's home instead). The `?langue=` content-language parameter is dropped from `next`:
the chosen language then rules the content as well as the interface.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

CONTENT_LANGUAGE_PARAMETER = "langue"


def chosen_language(code: str) -> str:
    """`code` when it is one of the site's languages, else the default one."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def safe_next(request: HttpRequest) -> str:
    """The page to go back to: a path of this site, without `?langue=`; else the home."""
    target = request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    parts = urlsplit(target)
    if not allowed or not parts.path.startswith("/"):
        return "/"
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name != CONTENT_LANGUAGE_PARAMETER
    ]
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


@require_safe
@never_cache
def switch_language(request: HttpRequest, code: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(safe_next(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        chosen_language(code),
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
