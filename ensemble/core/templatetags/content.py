"""Template filters for public content in the page's language: `{% load content %}`.

- `{{ amount|money }}`: euros as the active language writes them (78,00 € · €78.00 · € 78,00);
- `{{ offer|translated:"name" }}`: a translated field in the active language, with the fallback
  order of `core.languages` (nl → en → fr);
"""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language

from ensemble.core import languages
from ensemble.core.money import format_money

register = template.Library()


@register.filter
def money(amount) -> str:
    if amount in (None, ""):
        return ""
    return format_money(amount)


@register.filter
def translated(obj, field: str) -> str:
    return languages.text_in(obj, field, get_language() or "fr")


@register.filter
def de(name) -> str:
    """« de » and a name, contracted as French wants it (« du Bistrot du Marais ») on a French
    page; the name alone in other languages, whose translation carries its own preposition
    (msgid « adhésion et documents %(de_org)s », msgstr « membership and documents of %(de_org)s »)."""
    return languages.de_name(str(name or ""), get_language() or "fr")


@register.filter
def office_name(name) -> str:
    """An office's name with its French article (« l'Office de Tourisme… »; `|capfirst` at the
    start of a sentence); unchanged in other languages."""
    return languages.office_name(str(name or ""), get_language() or "fr")


@register.filter
def a(name) -> str:
    """« à » and a name, contracted in French (« au Bistrot du Marais »); the name alone in other
    languages, like `de`."""
    return languages.a_name(str(name or ""), get_language() or "fr")


@register.filter
def lang_span(text, page_lang: str) -> str:
    """`text` escaped, inside `<span lang="…">` when it is in another language than the page's
    (a fallback), for text built into a label: `lang_span(text_in(offer, "name", lang), lang)`."""
    attr = lang_attr(text, page_lang)
    return format_html("<span{}>{}</span>", attr, text) if attr else conditional_escape(text)


@register.filter
def lang_attr(text, page_lang: str) -> str:
    """` lang="fr"` when `text` (a `core.languages.Text`) is in another language than the page's
    content (`page_lang`), else nothing: `<p{{ summary|lang_attr:lang }}>{{ summary }}</p>`."""
    code = getattr(text, "lang", "")
    if not code or not text or code == (page_lang or "")[:2]:
        return ""
    return format_html(' lang="{}"', code)
