"""Reading DATAtourisme objects (one JSON-LD file per object, as the national platform
distributes them) into what Ensemble stores for a place or an event. Pure functions: no
database (the office's class table is passed in).

Lossless and honest: texts are kept whole, in every language (French, English and Dutch go to
their fields, the others are kept for the exports); every phone, e-mail and website is kept; a
price keeps its own period; amenities (`hasFeature`) are read. What cannot be kept — a value
Ensemble refuses (a phone number that is not one), coordinates that contradict the postcode, a
missing street — is written to the object's `warnings` (imported, partial) or `incomplete`
(imported, marked incomplete). A postcode and a town that contradict each other are both kept
as given and flagged (partial). A file that cannot give the required fields (`@id`, a name, a
class with a category, a postcode and a town) is skipped with the reason.

The platform's JSON is loose: a value may be a string, a list, a `{"@value": …}` object or a
language map, and any property may be missing. Everything is read defensively.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone, translation
from django.utils.text import slugify

from ensemble.directory import postcodes
from ensemble.directory.validators import clean_phone
from ensemble.listings.fields import plain_text

from . import geo, ontology
from .vocabulary import short_class

LANGS = ("fr", "en", "nl")
NAME_LIMIT = 200
MAX_CONTACTS = 10  # of each kind; a source listing more is odd, and the report says so
MAX_PRICES = 40
NOT_JSON = "fichier illisible : pas du JSON"
# The first words of the reasons the back office re-checks against the place as it is now (a
# street added since, a postcode or town set right since: the place is no longer flagged).
NO_STREET = "adresse incomplète : pas de rue"
TOWN_MISMATCH = "code postal et commune en contradiction"
PARIS = ZoneInfo("Europe/Paris")


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
class PeriodData:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    all_day: bool


@dataclass
class PlaceData:
    """One object: a place (a listing) or, when `is_event`, an event of the agenda."""

    external_id: str
    classes: list[str]
    category: str
    name: str
    address: str
    postcode: str
    city: str
    owner: OwnerData
    is_event: bool = False
    category_via: str = ""
    names: dict[str, str] = field(default_factory=dict)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    websites: list[str] = field(default_factory=list)
    booking_url: str = ""
    short_description: dict[str, str] = field(default_factory=dict)
    long_description: dict[str, str] = field(default_factory=dict)
    other_languages: dict[str, dict[str, str]] = field(default_factory=dict)
    prices: list[dict] = field(default_factory=list)
    features: list[dict] = field(default_factory=list)
    periods: list[PeriodData] = field(default_factory=list)
    place_name: str = ""
    price_text: str = ""
    warnings: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)

    @property
    def phone(self) -> str:
        return self.phones[0] if self.phones else ""

    @property
    def email(self) -> str:
        return self.emails[0] if self.emails else ""

    @property
    def website(self) -> str:
        return self.websites[0] if self.websites else ""


# ---- reading loose JSON-LD values -------------------------------------------------------------


def values(node) -> list:
    """A property's values as a list (a single value, a list, or nothing)."""
    if node is None:
        return []
    return list(node) if isinstance(node, list) else [node]


def texts(node) -> list[str]:
    """Every textual value: "x", ["x", "y"], {"@value": "x"}; numbers as written."""
    found = []
    for value in values(node):
        if isinstance(value, dict):
            value = value.get("@value", value.get("@id"))
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, str | int | float):
            cleaned = plain_text(str(value))
            if cleaned:
                found.append(cleaned)
    return found


def text(node) -> str:
    """The first textual value."""
    found = texts(node)
    return found[0] if found else ""


def lang_texts(node) -> dict[str, str]:
    """A language-tagged text as {lang: text}: a language map {"fr": ["…"]}, value objects
    [{"@language": "fr", "@value": "…"}], or a bare string (taken as French). Several values
    in one language are kept, one paragraph each."""
    found: dict[str, list[str]] = {}
    for value in values(node):
        if isinstance(value, dict) and "@value" in value:
            lang = str(value.get("@language") or "fr").lower()[:2]
            found.setdefault(lang, []).extend(texts(value))
        elif isinstance(value, dict):
            for lang, items in value.items():
                if isinstance(lang, str) and not lang.startswith("@"):
                    found.setdefault(lang.lower()[:2], []).extend(texts(items))
        else:
            found.setdefault("fr", []).extend(texts(value))
    return {lang: "\n\n".join(dict.fromkeys(items)) for lang, items in found.items() if items}


def first_node(node) -> dict:
    return next((value for value in values(node) if isinstance(value, dict)), {})


def nodes(node) -> list[dict]:
    return [value for value in values(node) if isinstance(value, dict)]


# ---- one object -------------------------------------------------------------------------------


def load_json(raw: bytes):
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SkipObject(NOT_JSON) from None


def parse_object(data, mapping: dict[str, str] | None = None) -> PlaceData:
    """A DATAtourisme object (parsed JSON) → PlaceData, or SkipObject with the reason.
    `mapping`: the office's own class table (class → category slug)."""
    _check_shape(data)
    external_id = _external_id(data)
    names = lang_texts(data.get("rdfs:label"))
    name = names.get("fr") or next(iter(names.values()), "")
    if not name:
        raise SkipObject("champ obligatoire manquant : rdfs:label")
    classes = [short_class(value) for value in values(data.get("@type")) if isinstance(value, str)]
    found = ontology.resolve(classes, mapping)
    if not found.found:
        raise SkipObject(_no_category(classes, found))
    place = first_node(data.get("isLocatedAt"))
    address, postcode, city, incomplete = _address(first_node(place.get("schema:address")))
    result = PlaceData(
        external_id=external_id,
        classes=classes,
        category=found.category,
        category_via=found.via,
        is_event=found.is_event,
        names=names,
        name=name,
        address=address,
        postcode=postcode,
        city=city,
        owner=_owner(data, name, (address, postcode, city)),
        incomplete=incomplete,
        place_name=lang_texts(place.get("rdfs:label")).get("fr", "") or text(place.get("schema:name")),
    )
    if found.unknown:
        result.warnings.append(
            f"classe inconnue « {', '.join(found.unknown)[:120]} » : classée par son parent connu "
            f"« {found.via} »"
        )
    _read_name(result)
    _read_town(result)
    _read_geo(result, first_node(place.get("schema:geo")))
    _read_contact(result, data)
    _read_descriptions(result, data)
    _read_prices(result, data)
    result.features = _features(data)
    if result.is_event:
        result.periods = _periods(data, result)
        offer_texts = [lang_texts(offer.get("TextPriceSpecification")) for offer in nodes(data.get("offers"))]
        result.price_text = lang_texts(data.get("TextPriceSpecification")).get("fr", "") or next(
            (texts.get("fr", "") for texts in offer_texts if texts.get("fr")), ""
        )
    return result


def _check_shape(data) -> None:
    if isinstance(data, list):
        raise SkipObject("fichier ignoré : une liste (l'index d'une archive ?), pas un objet DATAtourisme")
    if not isinstance(data, dict):
        raise SkipObject("fichier ignoré : pas un objet DATAtourisme")
    if set(data) == {"@context"}:
        raise SkipObject("fichier ignoré : contexte JSON-LD seul, sans objet")


def _external_id(data: dict) -> str:
    external_id = data.get("@id")
    if not isinstance(external_id, str) or not external_id.strip():
        raise SkipObject("champ obligatoire manquant : @id")
    if len(external_id.strip()) > 300:
        raise SkipObject("identifiant trop long : @id dépasse 300 caractères")
    return external_id.strip()


def _no_category(classes: list[str], found: ontology.Resolution) -> str:
    specific = [name for name in classes if name not in ontology.GENERIC] or classes
    if not specific:
        return "classe inconnue : aucune classe (@type)"
    listed = ", ".join(specific)[:200]
    if found.unknown and len(found.unknown) == len(specific):
        return f"classe inconnue : {listed}"
    return f"aucune catégorie pour la classe : {listed} (table des classes DATAtourisme de l'office)"


def _address(node: dict) -> tuple[str, str, str, list[str]]:
    """Street, postcode, town, and what is missing but not required (the street)."""
    if not node:
        raise SkipObject("champ obligatoire manquant : isLocatedAt / schema:address")
    street = ", ".join(texts(node.get("schema:streetAddress")))
    postcode = text(node.get("schema:postalCode"))
    city = text(node.get("schema:addressLocality"))
    if not city:
        labels = lang_texts(first_node(node.get("hasAddressCity")).get("rdfs:label"))
        city = labels.get("fr") or next(iter(labels.values()), "")
    missing = [
        label
        for label, value in (("schema:postalCode", postcode), ("schema:addressLocality (commune)", city))
        if not value
    ]
    if missing:
        raise SkipObject("champ obligatoire manquant : " + ", ".join(missing))
    if len(postcode) > 10:
        raise SkipObject(f"code postal invalide : « {postcode[:20]} »")
    if len(city) > 100:
        raise SkipObject(f"commune trop longue : « {city[:40]}… »")
    incomplete = [] if street else [f"{NO_STREET} (schema:streetAddress)"]
    if len(street) > 200:
        raise SkipObject(f"adresse trop longue ({len(street)} caractères, 200 au plus)")
    return street, postcode, city, incomplete


def _owner(data: dict, name: str, address: tuple[str, str, str]) -> OwnerData:
    """The data's owner (isOwnedBy), else one owner per object named after the place."""
    node = first_node(data.get("isOwnedBy"))
    legal_name = text(node.get("schema:legalName")) or lang_texts(node.get("rdfs:label")).get("fr", "")
    if not legal_name:
        return OwnerData(f"object:{data['@id'].strip()}"[:300], name[:NAME_LIMIT], *address)
    owner_id = node.get("@id")
    key = (
        f"id:{owner_id.strip()}"
        if isinstance(owner_id, str) and owner_id.strip()
        else f"name:{legal_name.lower()}"
    )
    try:
        street, postcode, city, missing = _address(first_node(node.get("schema:address")))
    except SkipObject:
        street, postcode, city, missing = (*address, [])
    if missing:
        street, postcode, city = address
    return OwnerData(key[:300], legal_name[:NAME_LIMIT], street, postcode, city)


def _read_name(result: PlaceData) -> None:
    """The name in French, English and Dutch; in other languages, kept for the exports."""
    for lang, value in result.names.items():
        if len(value) > NAME_LIMIT:
            raise SkipObject(f"nom trop long ({len(value)} caractères, {NAME_LIMIT} au plus) : rdfs:label")
        if lang not in LANGS:
            result.other_languages.setdefault(lang, {})["name"] = value


def town_mismatch(postcode: str, city: str) -> str:
    """La Poste's list's objection to a French postcode and town, in French like the rest of
    the report (directory.postcodes, the rule every form applies); "" when they agree."""
    with translation.override("fr"):
        problem = postcodes.check_postcode("FR", postcode, city)
    return problem.message if problem is not None else ""


def _read_town(result: PlaceData) -> None:
    """A postcode that does not serve the town, or that La Poste does not list: both are kept
    as the data gives them (which one is wrong is not known; skipping the place would lose it)
    and the contradiction is reported — the place is imported partial, for staff to check."""
    result.postcode = postcodes.normalise_postcode("FR", result.postcode)
    result.owner.postcode = postcodes.normalise_postcode("FR", result.owner.postcode)
    problem = town_mismatch(result.postcode, result.city)
    if problem:
        result.warnings.append(
            f"{TOWN_MISMATCH} : code postal {result.postcode}, commune « {result.city} » — {problem} "
            "Adresse gardée telle quelle, à vérifier."
        )


def _decimal(value: str, low: int, high: int) -> Decimal | None:
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        return None
    if not number.is_finite() or not low <= number <= high:
        return None
    return number.quantize(Decimal("0.000001"))


def _read_geo(result: PlaceData, node: dict) -> None:
    latitude, longitude = text(node.get("schema:latitude")), text(node.get("schema:longitude"))
    if not latitude and not longitude:
        return
    lat, lon = _decimal(latitude, -90, 90), _decimal(longitude, -180, 180)
    if lat is None or lon is None:
        result.warnings.append(f"coordonnées ignorées : « {latitude[:20]} », « {longitude[:20]} »")
        return
    problem = geo.contradiction(result.postcode, lat, lon)
    if problem:  # kept out of the map: a point in the wrong department misleads visitors
        result.warnings.append(problem + " ; coordonnées laissées de côté")
        return
    result.latitude, result.longitude = lat, lon


def _valid_url(value: str) -> str:
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return ""
    return value if len(value) <= 200 else ""


def _valid_email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value if len(value) <= 254 else ""


def _valid_phone(value: str) -> str:
    try:
        return clean_phone(value)
    except ValidationError:
        return ""


def _all_valid(result: PlaceData, label: str, candidates: list[str], check) -> list[str]:
    kept: list[str] = []
    for candidate in candidates:
        checked = check(candidate)
        if not checked:
            result.warnings.append(f"{label} ignoré : « {candidate[:60]} »")
        elif checked not in kept:
            kept.append(checked)
    if len(kept) > MAX_CONTACTS:
        result.warnings.append(f"{label} : {len(kept) - MAX_CONTACTS} de plus que {MAX_CONTACTS} ignoré(s)")
    return kept[:MAX_CONTACTS]


def _read_contact(result: PlaceData, data: dict) -> None:
    contacts = nodes(data.get("hasContact"))

    def gather(key: str) -> list[str]:
        return [value for node in contacts for value in texts(node.get(key))]

    result.phones = _all_valid(result, "téléphone", gather("schema:telephone"), _valid_phone)
    result.emails = _all_valid(result, "e-mail", gather("schema:email"), _valid_email)
    result.websites = _all_valid(result, "site web", gather("foaf:homepage"), _valid_url)
    booking = [
        value for node in nodes(data.get("hasBookingContact")) for value in texts(node.get("foaf:homepage"))
    ]
    links = _all_valid(result, "lien de réservation", booking, _valid_url)
    result.booking_url = links[0] if links else ""
    for other in links[1:]:  # a second booking site is still a website of the place
        if other not in result.websites:
            result.websites.append(other)


def _read_descriptions(result: PlaceData, data: dict) -> None:
    description = first_node(data.get("hasDescription"))
    short = lang_texts(description.get("shortDescription")) or lang_texts(data.get("rdfs:comment"))
    long = lang_texts(description.get("dc:description"))
    result.short_description = {lang: short[lang] for lang in LANGS if short.get(lang)}
    result.long_description = {lang: long[lang] for lang in LANGS if long.get(lang)}
    for key, found in (("short_description", short), ("long_description", long)):
        for lang, value in found.items():
            if lang not in LANGS:
                result.other_languages.setdefault(lang, {})[key] = value


# ---- prices -------------------------------------------------------------------------------------


def _read_prices(result: PlaceData, data: dict) -> None:
    prices = []
    for offer in nodes(data.get("offers")):
        offer_period = _validity(offer)
        for spec in nodes(offer.get("schema:priceSpecification")):
            prices += _prices_of(result, spec, offer_period)
    if len(prices) > MAX_PRICES:
        result.warnings.append(f"tarifs : {len(prices) - MAX_PRICES} de plus que {MAX_PRICES} ignoré(s)")
    result.prices = prices[:MAX_PRICES]


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _validity(node: dict) -> tuple[datetime.date | None, datetime.date | None]:
    """schema:validFrom / validThrough, else the first of appliesOnPeriod (startDate, endDate)."""
    start, end = _date(text(node.get("schema:validFrom"))), _date(text(node.get("schema:validThrough")))
    if start is None and end is None:
        period = first_node(node.get("appliesOnPeriod"))
        start, end = _date(text(period.get("startDate"))), _date(text(period.get("endDate")))
    if start and end and end < start:
        start, end = end, start
    return start, end


def _prices_of(result: PlaceData, spec: dict, offer_period) -> list[dict]:
    currency = text(spec.get("schema:priceCurrency")) or "EUR"
    lows = [_amount(value) for value in texts(spec.get("schema:minPrice")) or texts(spec.get("schema:price"))]
    highs = [_amount(value) for value in texts(spec.get("schema:maxPrice"))]
    if currency.upper() != "EUR":
        result.warnings.append(f"tarif en {currency[:5]} ignoré (euros seulement)")
        return []
    labels = (
        lang_texts(spec.get("additionalInformation"))
        or lang_texts(spec.get("name"))
        or lang_texts(first_node(spec.get("hasPricingOffer")).get("rdfs:label"))
    )
    start, end = _validity(spec)
    if start is None and end is None:
        start, end = offer_period
    prices = []
    for index in range(max(len(lows), len(highs))):
        low = lows[index] if index < len(lows) else None
        high = highs[index] if index < len(highs) else None
        if low is None and high is None:
            continue
        low, high = sorted([low if low is not None else high, high if high is not None else low])
        prices.append(_price(labels, low, high, start, end))
    return prices


def _price(labels, low, high, start, end) -> dict:
    year = (end or start).year if (end or start) else timezone.localdate().year
    return {
        **{f"label_{lang}": labels.get(lang, "")[:120] for lang in LANGS},
        "label_fr": (labels.get("fr") or next(iter(labels.values()), "") or "Tarif")[:120],
        "amount": str(low),
        "amount_max": str(high) if high > low else None,
        "season_year": min(max(year, 2000), 2100),
        "valid_from": start.isoformat() if start else None,
        "valid_through": end.isoformat() if end else None,
    }


def _amount(value: str) -> Decimal | None:
    try:
        amount = Decimal(value.replace(",", ".").replace("€", "").strip()) if value else None
    except InvalidOperation:
        return None
    if amount is None or not amount.is_finite() or not 0 <= amount < 100_000_000:
        return None
    return amount.quantize(Decimal("0.01"))


# ---- amenities and events ------------------------------------------------------------------------


def feature_key(iri: str) -> str:
    """An amenity's identifier from a feature's @id: "kb:WiFi" → "wifi"."""
    local = re.split(r"[#:/]", iri.rstrip("/#"))[-1]
    return slugify(local)[:60].strip("-")


def _features(data: dict) -> list[dict]:
    found: dict[str, dict] = {}
    for spec in nodes(data.get("hasFeature")):
        for feature in nodes(spec.get("features")):
            iri = feature.get("@id")
            labels = lang_texts(feature.get("rdfs:label"))
            key = feature_key(iri) if isinstance(iri, str) else slugify(labels.get("fr", ""))[:60]
            if key and key not in found:
                found[key] = {"key": key, "id": iri if isinstance(iri, str) else "", "labels": labels}
    return list(found.values())


def _moment(day: datetime.date, clock: str, default: datetime.time) -> datetime.datetime:
    try:
        at = datetime.time.fromisoformat(clock[:8]) if clock else default
    except ValueError:
        at = default
    return datetime.datetime.combine(day, at.replace(tzinfo=None), tzinfo=PARIS)


def _periods(data: dict, result: PlaceData) -> list[PeriodData]:
    """The event's dates (takesPlaceAt), in order."""
    periods = []
    for node in nodes(data.get("takesPlaceAt")):
        start, end = _date(text(node.get("startDate"))), _date(text(node.get("endDate")))
        start = start or end
        if start is None:
            continue
        end = end if end and end >= start else start
        opens, closes = text(node.get("startTime")), text(node.get("endTime"))
        all_day = not opens
        periods.append(
            PeriodData(
                starts_at=_moment(start, opens, datetime.time()),
                ends_at=_moment(end, closes if closes else "", datetime.time(23, 59, 59)),
                all_day=all_day,
            )
        )
    if not periods:
        raise SkipObject("événement sans date : takesPlaceAt (startDate) manquant")
    return sorted(periods, key=lambda period: (period.starts_at, period.ends_at))
