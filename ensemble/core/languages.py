"""Content languages and the one fallback order every reader uses.

Public content (listings, events, amenities, prices, categories) is written in French, English
and Dutch. When a text is missing in the language asked for, readers show the first language
of `order(lang)` that has one: the order comes from `MODELTRANSLATION_FALLBACK_LANGUAGES`
(nl → en → fr, en → fr), the same that django-modeltranslation applies to `event.title`. Pages,
publication snapshots, JSON-LD, the widget, the iCalendar feeds and reception screens all read
through `text_in`; the back-office forms show the order with `fallback_help`.

Also here: French typography helpers (`de_article`, the « de + article » contraction).
"""

from django.utils.functional import lazy
from django.utils.translation import gettext
from modeltranslation.utils import resolution_order

CONTENT_LANGUAGES = ("fr", "en", "nl")
SOURCE_LANGUAGE = "fr"


def content_language(value: str | None) -> str:
    """`value` when it is a content language (« en-gb » counts as « en »), else French."""
    code = (value or "")[:2].lower()
    return code if code in CONTENT_LANGUAGES else SOURCE_LANGUAGE


def order(lang: str) -> tuple[str, ...]:
    """`lang` first, then the languages shown in its place when it has no text."""
    return tuple(code for code in resolution_order(content_language(lang)) if code in CONTENT_LANGUAGES)


def _value(obj, field: str, code: str) -> str:
    try:
        value = getattr(obj, f"{field}_{code}")
    except AttributeError:
        # A model with `name`, `name_en`, `name_nl` (categories): the bare field is French.
        value = getattr(obj, field, "") if code == SOURCE_LANGUAGE else ""
    return value or ""


class Text(str):
    """A text with the language it is written in (`.lang`): a page marks a fallback text with
    its own `lang` attribute (`{{ text|lang_attr:lang }}`), as WCAG 3.1.2 asks."""

    lang: str

    def __new__(cls, text: str = "", lang: str = ""):
        self = super().__new__(cls, text)
        self.lang = lang
        return self

    def __reduce__(self):  # kept in the shared cache with its language
        return (Text, (str(self), self.lang))


def text_in(obj, field: str, lang: str) -> Text:
    """`obj`'s `field` in `lang`, or in the first fallback language that has it ("" if none)."""
    return texts_in({code: _value(obj, field, code) for code in order(lang)}, lang)


def texts_in(values: dict[str, str], lang: str) -> Text:
    """The same choice over a {language: text} dict (a snapshot's raw texts)."""
    for code in order(lang):
        if values.get(code):
            return Text(values[code], code)
    return Text("", content_language(lang))


def language_name(code: str) -> str:
    names = {"fr": gettext("français"), "en": gettext("anglais"), "nl": gettext("néerlandais")}
    return names[code]


def _fallback_help(lang: str) -> str:
    after = order(lang)[1:]
    if not after:
        return gettext("Texte source : montré aux visiteurs quand une traduction manque.")
    return gettext("Si vide, les visiteurs lisent le texte en %(languages)s.") % {
        "languages": gettext(", à défaut en ").join(language_name(code) for code in after)
    }


fallback_help = lazy(_fallback_help, str)
"""The help text of a field in `lang`: which texts visitors read when it is empty (lazy)."""


# ---- French wording --------------------------------------------------------------------------

_CONTRACTIONS = (("le ", "du "), ("les ", "des "))
_VOWELS = "aàâäeéèêëiîïoôöuùûüy"


def de_article(name: str) -> str:
    """« de » before a French name, contracted with its article: « du Bistrot du Marais » for
    « Le Bistrot du Marais », « des Jardins » for « Les Jardins », « d'Arques Loisirs » before a
    vowel; « de L’Escale », « de La Coupole » and « de Hôtel… » stay (no contraction with « la »
    and « l’ », and an h may be aspirated)."""
    name = " ".join(name.split())
    for article, contracted in _CONTRACTIONS:
        if name.lower().startswith(article):
            return contracted + name[len(article) :]
    if name[:1].lower() in _VOWELS and name[1:2] not in ("'", "’"):
        return "d'" + name
    return "de " + name


def a_article(name: str) -> str:
    """« à » before a French name, contracted with its article: « au Bistrot du Marais »,
    « aux Jardins », « à L'Escale », « à La Coupole », « à Arques »."""
    name = " ".join(name.split())
    for article, contracted in (("le ", "au "), ("les ", "aux ")):
        if name.lower().startswith(article):
            return contracted + name[len(article) :]
    return "à " + name


def a_name(name: str, lang: str) -> str:
    """`a_article(name)` in French, the name alone in any other language."""
    return a_article(name) if content_language(lang) == "fr" else " ".join(name.split())


def de_name(name: str, lang: str) -> str:
    """`de_article(name)` in French, the name alone in any other language."""
    return de_article(name) if content_language(lang) == "fr" else " ".join(name.split())


# The first word of an office's name that takes an article in a French sentence (« L'Office de
# Tourisme… a bien reçu », « le site de la Maison du Tourisme ») and the article. Only elided and
# feminine ones: « de » never contracts with them. A name without these words keeps none
# (« Saint-Omer Tourisme a bien reçu »).
_OFFICE_ARTICLES = {"office": "l'", "agence": "l'", "espace": "l'", "maison": "la ", "destination": "la "}


def office_name(name: str, lang: str) -> str:
    """An office's name as a French sentence uses it (« l'Office de Tourisme… »); the name alone
    in any other language. Capitalise it at the start of a sentence."""
    name = " ".join(name.split())
    first = name.split(" ", 1)[0].lower()
    if content_language(lang) != "fr" or first not in _OFFICE_ARTICLES:
        return name
    return _OFFICE_ARTICLES[first] + name
