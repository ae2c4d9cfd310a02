"""`{% load links %}`: absolute links in e-mails, to where the office is served (core.links).

- `{% absolute_url 'portal:claims' office_slug=office.slug %}`: as `{% url %}`, absolute;
- `{% absolute_url listing_path %}`: a path already made (it starts with « / »).

The office is the template's `office` (every e-mail has it: core.mail.queue_email).
"""

from django import template
from django.urls import reverse

from ensemble.core import links

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, name_or_path: str, **kwargs) -> str:
    path = name_or_path if str(name_or_path).startswith("/") else reverse(name_or_path, kwargs=kwargs)
    return links.absolute_url(context.get("office"), path)
