"""Web origins (scheme, host and port, as browsers send them in the `Origin` header).

The office lists, one per line, the sites allowed to call its open-data API from a browser
(CORS). Each line is `http(s)://host[:port]`, without path, query or trailing slash.
"""

import re

from django.core.exceptions import ValidationError

MAX_ORIGINS = 20
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_ORIGIN = re.compile(rf"^https?://{_LABEL}(?:\.{_LABEL})*(?::(\d{{1,5}}))?$")


def normalise_origin(value: str) -> str:
    """Lower case, spaces and one trailing slash removed: "HTTPS://Www.Exemple.fr/" → "https://www.exemple.fr"."""
    value = value.strip().lower()
    return value[:-1] if value.endswith("/") and not value.endswith("//") else value


def is_origin(value: str) -> bool:
    match = _ORIGIN.match(value)
    if match is None:
        return False
    port = match.group(1)
    return port is None or 1 <= int(port) <= 65535


def parse_origins(text: str) -> list[str]:
    """The origins of a text field, one per line, normalised, without blank lines or repeats."""
    origins: list[str] = []
    for line in (text or "").splitlines():
        origin = normalise_origin(line)
        if origin and origin not in origins:
            origins.append(origin)
    return origins


def validate_origins(text: str) -> None:
    """Each line must be an origin `http(s)://host[:port]`; at most MAX_ORIGINS of them."""
    origins = parse_origins(text)
    for origin in origins:
        if not is_origin(origin):
            raise ValidationError(
                "Origine invalide : « %(origin)s ». Indiquez une origine par ligne, sous la forme "
                "https://www.exemple.fr ou https://exemple.fr:8443, sans chemin.",
                code="invalid_origin",
                params={"origin": origin[:100]},
            )
    if len(origins) > MAX_ORIGINS:
        raise ValidationError(
            "Au plus %(limit)s origines.", code="too_many_origins", params={"limit": MAX_ORIGINS}
        )
