"""Reading DATAtourisme objects (one JSON-LD file per object, as the national platform
distributes them) into what Ensemble stores for a place. Pure functions: no database.

The platform's JSON is loose: a value may be a string, a list, a `{"@value": …}` object or a
language map, and any property may be missing. Everything is read defensively; a file that
cannot give the required fields (`@id`, `rdfs:label`, a known class, an address with its postcode
and town) is skipped with the reason, and an optional value that Ensemble would refuse (a phone
number that is not one, coordinates out of range) is left out with a warning.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone

from ensemble.directory.validators import clean_phone
from ensemble.listings.fields import plain_text

from .vocabulary import CLASS_CATEGORIES, GENERIC_CLASSES, short_class

LANGS = ("fr", "en", "nl")
SHORT_LIMIT, LONG_LIMIT = 200, 800
NOT_JSON = "fichier illisible : pas du JSON"


class SkipObject(Exception):
    """The file is not imported; `reason` (French) goes to the report."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class OwnerData:
    key: str
    name: str
    address: str
    postcode: str
    city: str


@dataclass
class PlaceData:
    external_id: str
    classes: list[str]
    category: str
    name: str
    address: str
    postcode: str
    city: str
    owner: OwnerData
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    phone: str = ""
    email: str = ""
    website: str = ""
    booking_url: str = ""
    short_description: dict[str, str] = field(default_factory=dict)
    long_description: dict[str, str] = field(default_factory=dict)
    prices: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---- reading loose JSON-LD values -------------------------------------------------------------


def values(node) -> list:
    """A property's values as a list (a single value, a list, or nothing)."""
    if node is None:
        return []
    return list(node) if isinstance(node, list) else [node]


def text(node) -> str:
    """The first textual value: "x", ["x"], {"@value": "x"}; numbers as written."""
    for value in values(node):
        if isinstance(value, dict):
            value = value.get("@value")
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, str | int | float):
            cleaned = plain_text(str(value))
            if cleaned:
                return cleaned
    return ""


def lang_texts(node) -> dict[str, str]:
    """A language-tagged text as {lang: text}: a language map {"fr": ["…"]}, value objects
    [{"@language": "fr", "@value": "…"}], or a bare string (taken as French)."""
    found: dict[str, str] = {}
    for value in values(node):
        if isinstance(value, dict) and "@value" in value:
            lang = str(value.get("@language") or "fr").lower()[:2]
            found.setdefault(lang, text(value))
        elif isinstance(value, dict):
            for lang, texts in value.items():
                if isinstance(lang, str) and not lang.startswith("@"):
                    found.setdefault(lang.lower()[:2], text(texts))
        else:
            found.setdefault("fr", text(value))
    return {lang: value for lang, value in found.items() if value}


def first_node(node) -> dict:
    return next((value for value in values(node) if isinstance(value, dict)), {})


def cut(value: str, limit: int) -> str:
    """At most `limit` characters, cut at a word with an ellipsis."""
    if len(value) <= limit:
        return value
    return value[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


# ---- one object -------------------------------------------------------------------------------


def load_json(raw: bytes):
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SkipObject(NOT_JSON) from None


def parse_object(data) -> PlaceData:
    """A DATAtourisme object (parsed JSON) → PlaceData, or SkipObject with the reason."""
    if isinstance(data, list):
        raise SkipObject("fichier ignoré : une liste (l'index d'une archive ?), pas un objet DATAtourisme")
    if not isinstance(data, dict):
        raise SkipObject("fichier ignoré : pas un objet DATAtourisme")
    if set(data) == {"@context"}:
        raise SkipObject("fichier ignoré : contexte JSON-LD seul, sans objet")
    external_id = _external_id(data)
    labels = lang_texts(data.get("rdfs:label"))
    name = labels.get("fr") or next(iter(labels.values()), "")
    if not name:
        raise SkipObject("champ obligatoire manquant : rdfs:label")
    classes, category = _category(data)
    place = first_node(data.get("isLocatedAt"))
    address, postcode, city = _address(first_node(place.get("schema:address")))
    result = PlaceData(
        external_id=external_id,
        classes=classes,
        category=category,
        name=cut(name, 200),
        address=address,
        postcode=postcode,
        city=city,
        owner=_owner(data, name, (address, postcode, city)),
    )
    _read_geo(result, first_node(place.get("schema:geo")))
    _read_contact(result, data)
    _read_descriptions(result, data)
    result.prices = _prices(data)
    return result


def _external_id(data: dict) -> str:
    external_id = data.get("@id")
    if not isinstance(external_id, str) or not external_id.strip():
        raise SkipObject("champ obligatoire manquant : @id")
    if len(external_id.strip()) > 300:
        raise SkipObject("identifiant trop long : @id dépasse 300 caractères")
    return external_id.strip()


def _category(data: dict) -> tuple[list[str], str]:
    classes = [short_class(value) for value in values(data.get("@type")) if isinstance(value, str)]
    for known, slug in CLASS_CATEGORIES:
        if known in classes:
            return classes, slug
    specific = [name for name in classes if name not in GENERIC_CLASSES] or classes
    raise SkipObject("classe inconnue : " + (", ".join(specific)[:200] or "aucune classe (@type)"))


def _address(node: dict) -> tuple[str, str, str]:
    if not node:
        raise SkipObject("champ obligatoire manquant : isLocatedAt / schema:address")
    street = ", ".join(text(line) for line in values(node.get("schema:streetAddress")) if text(line))
    postcode = text(node.get("schema:postalCode"))
    city = text(node.get("schema:addressLocality"))
    if not city:
        labels = lang_texts(first_node(node.get("hasAddressCity")).get("rdfs:label"))
        city = labels.get("fr") or next(iter(labels.values()), "")
    missing = [
        label
        for label, value in (
            ("schema:streetAddress", street),
            ("schema:postalCode", postcode),
            ("schema:addressLocality (commune)", city),
        )
        if not value
    ]
    if missing:
        raise SkipObject("champ obligatoire manquant : " + ", ".join(missing))
    if len(postcode) > 10:
        raise SkipObject(f"code postal invalide : « {postcode[:20]} »")
    return cut(street, 200), postcode, cut(city, 100)


def _owner(data: dict, name: str, address: tuple[str, str, str]) -> OwnerData:
    """The data's owner (isOwnedBy), else one owner per object named after the place."""
    node = first_node(data.get("isOwnedBy"))
    legal_name = text(node.get("schema:legalName")) or lang_texts(node.get("rdfs:label")).get("fr", "")
    if not legal_name:
        return OwnerData(f"object:{data['@id'].strip()}"[:300], cut(name, 200), *address)
    owner_id = node.get("@id")
    key = (
        f"id:{owner_id.strip()}"
        if isinstance(owner_id, str) and owner_id.strip()
        else f"name:{legal_name.lower()}"
    )
    own_address = first_node(node.get("schema:address"))
    try:
        street, postcode, city = _address(own_address)
    except SkipObject:
        street, postcode, city = address
    return OwnerData(key[:300], cut(legal_name, 200), street, postcode, city)


def _decimal(value: str, low: int, high: int) -> Decimal | None:
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        return None
    if not number.is_finite() or not low <= number <= high:
        return None
    return number.quantize(Decimal("0.000001"))


def _read_geo(result: PlaceData, geo: dict) -> None:
    latitude, longitude = text(geo.get("schema:latitude")), text(geo.get("schema:longitude"))
    if not latitude and not longitude:
        return
    lat, lon = _decimal(latitude, -90, 90), _decimal(longitude, -180, 180)
    if lat is None or lon is None:
        result.warnings.append(f"coordonnées ignorées : « {latitude[:20]} », « {longitude[:20]} »")
        return
    result.latitude, result.longitude = lat, lon


def _valid_url(value: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return False
    return len(value) <= 200


def _valid_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return len(value) <= 254


def _valid_phone(value: str) -> str:
    try:
        return clean_phone(value)
    except ValidationError:
        return ""


def _first_valid(result: PlaceData, label: str, candidates: list[str], check) -> str:
    for candidate in candidates:
        checked = check(candidate)
        if checked:
            return candidate if checked is True else checked
    if candidates:
        result.warnings.append(f"{label} ignoré : « {candidates[0][:60]} »")
    return ""


def _read_contact(result: PlaceData, data: dict) -> None:
    contacts = [node for node in values(data.get("hasContact")) if isinstance(node, dict)]

    def gather(key: str) -> list[str]:
        return [text(value) for node in contacts for value in values(node.get(key)) if text(value)]

    result.phone = _first_valid(result, "téléphone", gather("schema:telephone"), _valid_phone)
    result.email = _first_valid(result, "e-mail", gather("schema:email"), _valid_email)
    result.website = _first_valid(result, "site web", gather("foaf:homepage"), _valid_url)
    booking = [
        text(value)
        for node in values(data.get("hasBookingContact"))
        if isinstance(node, dict)
        for value in values(node.get("foaf:homepage"))
        if text(value)
    ]
    result.booking_url = _first_valid(result, "lien de réservation", booking, _valid_url)


def _read_descriptions(result: PlaceData, data: dict) -> None:
    description = first_node(data.get("hasDescription"))
    short = lang_texts(description.get("shortDescription")) or lang_texts(data.get("rdfs:comment"))
    long = lang_texts(description.get("dc:description"))
    result.short_description = {lang: cut(short[lang], SHORT_LIMIT) for lang in LANGS if short.get(lang)}
    result.long_description = {lang: cut(long[lang], LONG_LIMIT) for lang in LANGS if long.get(lang)}


def _prices(data: dict) -> list[dict]:
    prices = []
    for offer in values(data.get("offers")):
        if not isinstance(offer, dict):
            continue
        for spec in values(offer.get("schema:priceSpecification")):
            price = _price(spec) if isinstance(spec, dict) else None
            if price:
                prices.append(price)
    return prices[:20]


def _price(spec: dict) -> dict | None:
    currency = text(spec.get("schema:priceCurrency")) or "EUR"
    low = _amount(text(spec.get("schema:minPrice")) or text(spec.get("schema:price")))
    high = _amount(text(spec.get("schema:maxPrice")))
    if currency.upper() != "EUR" or (low is None and high is None):
        return None
    low = low if low is not None else high
    labels = lang_texts(spec.get("additionalInformation")) or lang_texts(
        first_node(spec.get("hasPricingOffer")).get("rdfs:label")
    )
    year = _season(spec)
    return {
        **{f"label_{lang}": cut(labels.get(lang, ""), 120) for lang in LANGS},
        "label_fr": cut(labels.get("fr") or next(iter(labels.values()), "") or "Tarif", 120),
        "amount": str(low),
        "amount_max": str(high) if high is not None and high > low else None,
        "season_year": year,
    }


def _amount(value: str) -> Decimal | None:
    try:
        amount = Decimal(value.replace(",", ".").replace("€", "").strip()) if value else None
    except InvalidOperation:
        return None
    if amount is None or not amount.is_finite() or not 0 <= amount < 100_000_000:
        return None
    return amount.quantize(Decimal("0.01"))


def _season(spec: dict) -> int:
    for key in ("schema:validThrough", "schema:validFrom"):
        stamp = text(spec.get(key))
        if len(stamp) >= 4 and stamp[:4].isdigit() and 2000 <= int(stamp[:4]) <= 2100:
            return int(stamp[:4])
    return timezone.localdate().year
