"""Helpers shared by the API's routes: texts by language, links, cursors, Last-Modified."""

import base64
import binascii
import datetime
import json
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from pydantic import WithJsonSchema

from ensemble.publishing.selectors import BadFilter

LANGS = ("fr", "en", "nl")
# Query parameters read as text (the publishing filters parse them, with French messages),
# documented with their format.
DATE = WithJsonSchema({"type": "string", "format": "date"})
DATE_TIME = WithJsonSchema({"type": "string", "format": "date-time"})
MAX_ID = 2**31 - 1  # larger ids do not exist (and some databases refuse to compare them)


def is_int(value) -> bool:
    return type(value) is int  # not a bool, not a float


def is_text(value) -> bool:
    return isinstance(value, str) and "\x00" not in value and len(value) <= 300


def is_id(value) -> bool:
    return is_int(value) and 0 < value <= MAX_ID


def translated(obj, field: str) -> dict[str, str]:
    return {lang: getattr(obj, f"{field}_{lang}", "") or "" for lang in LANGS}


def coordinate(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def page_url(request: HttpRequest, cursor: str) -> str:
    """This request's URL with `cursor` set (other parameters kept)."""
    query = request.GET.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def start_of_today() -> datetime.datetime:
    """Midnight, Paris time: what depends on the date (availability window, outdated prices,
    live memberships) changes then at the latest."""
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))


def set_last_modified(response: HttpResponse, *stamps: datetime.datetime | None) -> None:
    latest = max((stamp for stamp in stamps if stamp is not None), default=None)
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())


# ---- cursors: opaque to clients -------------------------------------------------------------


def encode(payload: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str) -> list:
    try:
        payload = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadFilter("Curseur de pagination invalide.") from None
    if not isinstance(payload, list):
        raise BadFilter("Curseur de pagination invalide.")
    return payload
