"""The one rule for text people enter: plain text with its line breaks, whatever was pasted.

Text pasted from Word or from a web page arrives as HTML. `plain_text` keeps what a reader sees:
the words, one line per paragraph, list item or `<br>`; entities decoded (`&amp;` → `&`,
`&nbsp;` → U+00A0, kept as the character so that « Bistrot du Marais » still does not break);
the contents of `<script>` and `<style>` dropped, comments dropped, every other tag removed.
HTML is parsed by nh3 (the Rust ammonia sanitiser, html5ever's parser), not by a regular
expression, so a broken or hostile fragment cannot slip a tag through.

Every path that stores free text uses it: the form fields of the audience apps (`PlainTextField`
in core/forms.py) and the services' checks (the listings field registry, events, campaigns,
screens), so a value from the API or an import follows the same rule as one typed in a form.
"""

import html
import re
from typing import Any

import nh3

# Tags that end a line: their opening or closing tag is a line break (a run of them, one).
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    }
)
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "title", "head"})

# nh3's output keeps only these tags, bare (no attributes): `<p>`, `</li>`, `<br>`; any `<` of
# the text itself comes out as `&lt;`, so these patterns can only match the kept tags.
_BLOCK_RUN = re.compile(r"(?:[ \t\r\n]*</?(?:%s)>[ \t\r\n]*)+" % "|".join(sorted(BLOCK_TAGS)))  # noqa: UP031
_BREAK = re.compile(r"<br>")
# Control characters (PostgreSQL refuses NUL in text) except the tab and the line feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\f\v\u200b\ufeff]+")


def plain_text(value: Any) -> str:
    """`value` (any text, HTML or not) as plain text: words and line breaks only, at most one
    blank line in a row, no spaces at the ends of lines; "" for None."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    if "<" in text or "&" in text:
        text = _from_html(text)
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


# `<https://example.fr/>`, `<contact@example.fr>`: an address written between angle brackets, as
# plain text (and e-mails) do, is text, not a tag to remove.
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^\s<>]*|[^\s<>@\"']+@[^\s<>@\"']+)>", re.IGNORECASE)


def _from_html(text: str) -> str:
    text = _AUTOLINK.sub(r"&lt;\1&gt;", text)
    cleaned = nh3.clean(
        text,
        tags=set(BLOCK_TAGS) | {"br"},
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={},
        link_rel=None,
        strip_comments=True,
    )
    cleaned = _BREAK.sub("\n", cleaned)
    cleaned = _BLOCK_RUN.sub("\n", cleaned)
    return html.unescape(cleaned)


def one_line(value: Any) -> str:
    """`plain_text` on one line (a name, a title, a label): line breaks become spaces."""
    return " ".join(part for part in plain_text(value).split("\n") if part)
