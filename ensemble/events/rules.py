"""An event's fields, how each is checked, and the rules on the whole event (dates, town).

Values travel as plain Python between forms and services (aware datetimes, Decimals, an
establishment id). A partner's change waiting for the office is stored as JSON (`to_json`) and
checked again, from that JSON, when staff approve it: `clean_value` takes both forms. Texts are
plain text (HTML stripped, line breaks kept, limits counted after stripping), like listings.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import Office
from ensemble.directory.models import Establishment, Organisation
from ensemble.listings.fields import plain_text

from .errors import EventError
from .models import Event

PARIS = ZoneInfo("Europe/Paris")
LANGS = ("fr", "en", "nl")
LANG_NAMES = {"fr": "français", "en": "anglais", "nl": "néerlandais"}  # in French messages
# What a partner types is kept short (the agenda's cards and pages are designed for it); an event
# the office publishes (written by staff or imported from DATAtourisme) keeps its texts whole, up
# to a bound against abuse, as an office place's texts (docs/decisions.md, "Long texts").
TEXT_LIMITS = {"title": 200, "summary": 300, "description": 2000, "price_text": 200}
OFFICE_TEXT_LIMITS = {**TEXT_LIMITS, "summary": 2_000, "description": 20_000}
TEXT_NAMES = {
    "title": "Le titre",
    "summary": "Le résumé",
    "description": "La description",
    "price_text": "Le texte des tarifs",
}
PLACE_LIMITS = {"place_name": 200, "address": 200, "postcode": 10, "city": 100}
PLACE_NAMES = {
    "place_name": "Le nom du lieu",
    "address": "L'adresse",
    "postcode": "Le code postal",
    "city": "La ville",
}
TEXT_KEYS = tuple(f"{base}_{lang}" for base in TEXT_LIMITS for lang in LANGS)
PLACE_KEYS = ("place_name", "address", "postcode", "city", "latitude", "longitude")
KEYS = (
    *TEXT_KEYS,
    "category",
    "starts_at",
    "ends_at",
    "all_day",
    *PLACE_KEYS,
    "is_free",
    "booking_url",
    "establishment",
)
# Keys of an earlier shape, still read (a partner's change waiting since before the price text
# was translated is stored with the French text under `price_text`).
RENAMED = {"price_text": "price_text_fr"}
MAX_DURATION = datetime.timedelta(days=366)
HORIZON = datetime.timedelta(days=3 * 366)
POSTCODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$")

LABELS = {
    **{
        f"{base}_{lang}": format_label
        for base, format_label in (
            ("title", _("Titre")),
            ("summary", _("Résumé")),
            ("description", _("Description")),
            ("price_text", _("Tarifs")),
        )
        for lang in LANGS
    },
    "category": _("Catégorie"),
    "starts_at": _("Début"),
    "ends_at": _("Fin"),
    "all_day": _("Toute la journée"),
    "place_name": _("Lieu"),
    "address": _("Adresse"),
    "postcode": _("Code postal"),
    "city": _("Ville"),
    "latitude": _("Latitude"),
    "longitude": _("Longitude"),
    "is_free": _("Gratuit"),
    "booking_url": _("Lien de réservation"),
    "establishment": _("Établissement"),
}
LANG_LABELS = {"fr": _("français"), "en": _("anglais"), "nl": _("néerlandais")}


def label(key: str) -> str:
    key = RENAMED.get(key, key)
    base, _sep, lang = key.rpartition("_")
    if key in TEXT_KEYS:
        return f"{LABELS[key]} ({LANG_LABELS[lang]})"
    return str(LABELS[key])


# ---- one value -----------------------------------------------------------------------------


def text_limits(*, office_event: bool) -> dict[str, int]:
    """The limits of an event's texts: the office's own events keep longer texts."""
    return OFFICE_TEXT_LIMITS if office_event else TEXT_LIMITS


def _clean_text(key: str, value: Any, *, office_event: bool = False) -> str:
    base, _sep, lang = key.rpartition("_")
    text = plain_text(value)
    limit = text_limits(office_event=office_event)[base]
    if len(text) > limit:
        raise EventError(
            f"{TEXT_NAMES[base]} ({LANG_NAMES[lang]}) dépasse {limit} caractères ({len(text)}) : "
            "raccourcissez ce texte.",
            field=key,
        )
    return text


def _clean_place(key: str, value: Any) -> str:
    text = " ".join(plain_text(value).split())
    if len(text) > PLACE_LIMITS[key]:
        raise EventError(
            f"{PLACE_NAMES[key]} dépasse {PLACE_LIMITS[key]} caractères ({len(text)}).", field=key
        )
    if key == "postcode" and text and not POSTCODE.match(text):
        raise EventError(f"Le code postal n'est pas valide : « {text} ».", field=key)
    return text


def parse_moment(value: Any, key: str) -> datetime.datetime | None:
    """An aware datetime from a datetime (naive ones are Paris time), a date (midnight in
    Paris) or an ISO 8601 string; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise EventError(f"Date invalide : « {value[:30]} ».", field=key) from None
    if not isinstance(value, datetime.datetime):
        if not isinstance(value, datetime.date):
            raise EventError("Date invalide.", field=key)
        value = datetime.datetime.combine(value, datetime.time())
    if timezone.is_naive(value):
        value = value.replace(tzinfo=PARIS)
    if (
        not datetime.datetime(2000, 1, 1, tzinfo=PARIS)
        <= value
        <= datetime.datetime(2100, 1, 1, tzinfo=PARIS)
    ):
        raise EventError(f"Date hors limites : {value.date().isoformat()}.", field=key)
    return value


def _clean_coordinate(key: str, value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", ".")).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise EventError("Coordonnées invalides : indiquez un nombre décimal.", field=key) from None
    bound = 90 if key == "latitude" else 180
    if not -bound <= number <= bound:
        name = "La latitude" if key == "latitude" else "La longitude"
        raise EventError(f"{name} doit être comprise entre -{bound} et {bound}.", field=key)
    return number


def _clean_url(value: Any) -> str:
    url = str(value or "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise EventError(
            "Le lien de réservation n'est pas valide (il commence par https://).", field="booking_url"
        ) from None
    if len(url) > 200:
        raise EventError("Le lien de réservation dépasse 200 caractères.", field="booking_url")
    return url


def _clean_category(value: Any) -> str:
    category = str(value or Event.Category.OTHER)
    if category not in Event.Category.values:
        raise EventError(f"Catégorie d'événement inconnue : « {category[:30]} ».", field="category")
    return category


def clean_value(key: str, value: Any, *, office_event: bool = False) -> Any:
    """One field's value, checked and normalised (the establishment is checked apart). An
    office event's texts (`office_event`) take the office's limits."""
    if key in TEXT_KEYS:
        return _clean_text(key, value, office_event=office_event)
    if key in PLACE_LIMITS:
        return _clean_place(key, value)
    if key in ("starts_at", "ends_at"):
        return parse_moment(value, key)
    if key in ("latitude", "longitude"):
        return _clean_coordinate(key, value)
    if key in ("all_day", "is_free"):
        return bool(value)
    if key == "booking_url":
        return _clean_url(value)
    if key == "category":
        return _clean_category(value)
    raise EventError(f"Champ inconnu : {key}.")


def establishment_id(value: Any, *, office: Office, organisation: Organisation | None) -> int | None:
    """The establishment of the event: one of the organisation's (a partner's event), or any of
    the office's (an office event held at a partner's place)."""
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Establishment) else value
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    candidates = Establishment.objects.filter(office=office, pk=pk)
    if organisation is not None:
        if not candidates.filter(organisation=organisation).exists():
            raise EventError(
                "Cet établissement n'appartient pas à votre organisation.", field="establishment"
            )
    elif not candidates.exists():
        raise EventError("Cet établissement n'est pas connu de l'office.", field="establishment")
    return pk


def clean_changes(
    changes: dict[str, Any], *, office: Office, organisation: Organisation | None
) -> dict[str, Any]:
    """The changes checked; without an organisation, the event is the office's own (its texts
    take the office's limits)."""
    changes = {RENAMED.get(key, key): value for key, value in changes.items()}
    unknown = sorted(set(changes) - set(KEYS))
    if unknown:
        raise EventError(f"Champ inconnu : {', '.join(unknown)}.")
    cleaned = {}
    for key, value in changes.items():
        if key == "establishment":
            cleaned[key] = establishment_id(value, office=office, organisation=organisation)
        else:
            cleaned[key] = clean_value(key, value, office_event=organisation is None)
    return cleaned


# ---- the whole event -----------------------------------------------------------------------


def blank_state() -> dict[str, Any]:
    state: dict[str, Any] = dict.fromkeys(KEYS, "")
    state.update(
        category=Event.Category.OTHER,
        starts_at=None,
        ends_at=None,
        all_day=False,
        is_free=False,
        latitude=None,
        longitude=None,
        establishment=None,
    )
    return state


def snapshot(event: Event) -> dict[str, Any]:
    """The event's current content, by key."""
    state = {key: getattr(event, key) for key in KEYS if key != "establishment"}
    state["establishment"] = event.establishment_id
    for key in TEXT_KEYS + tuple(PLACE_LIMITS):
        state[key] = state[key] or ""
    return state


def fill_place(state: dict[str, Any]) -> None:
    """An event without a town takes the place of its establishment (name, address, town and
    coordinates), so that a partner's event at home needs no address typed."""
    if state["city"] or not state["establishment"]:
        return
    place = Establishment.objects.filter(pk=state["establishment"]).first()
    if place is None:
        return
    state["place_name"] = state["place_name"] or place.name
    state["address"] = state["address"] or place.address
    state["postcode"] = state["postcode"] or place.postcode
    state["city"] = place.city
    if state["latitude"] is None and state["longitude"] is None:
        state["latitude"], state["longitude"] = place.latitude, place.longitude


def _whole_days(state: dict[str, Any]) -> None:
    """An all-day event runs from midnight on its first day to the end of its last day, in
    Paris time."""
    first = timezone.localtime(state["starts_at"], PARIS).date()
    last = timezone.localtime(state["ends_at"], PARIS).date()
    state["starts_at"] = datetime.datetime.combine(first, datetime.time(), tzinfo=PARIS)
    state["ends_at"] = datetime.datetime.combine(last, datetime.time(23, 59, 59), tzinfo=PARIS)


def check_state(state: dict[str, Any], *, now: datetime.datetime | None = None) -> None:
    """The rules on the whole event; normalises an all-day event's times in place."""
    now = now or timezone.now()
    if not state["title_fr"]:
        raise EventError("Le titre en français est obligatoire.", field="title_fr")
    if state["starts_at"] is None:
        raise EventError("Indiquez la date de début.", field="starts_at")
    if state["ends_at"] is None:
        raise EventError("Indiquez la date de fin.", field="ends_at")
    if state["all_day"]:
        _whole_days(state)
    if state["ends_at"] < state["starts_at"]:
        raise EventError("La fin de l'événement précède son début.", field="ends_at")
    if state["ends_at"] <= now:
        raise EventError("Cet événement est déjà terminé : indiquez des dates à venir.", field="ends_at")
    if state["starts_at"] > now + HORIZON:
        raise EventError("La date de début est trop lointaine : trois ans au plus.", field="starts_at")
    if state["ends_at"] - state["starts_at"] > MAX_DURATION:
        raise EventError(
            "Un événement dure au plus un an : pour une activité permanente, complétez votre fiche.",
            field="ends_at",
        )
    if not state["city"]:
        raise EventError("La ville est obligatoire.", field="city")


def apply(event: Event, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key == "establishment":
            event.establishment_id = value
        else:
            setattr(event, key, value)
    # Only the _fr/_en/_nl columns are written: assigning `event.title` would write the active
    # language's column (modeltranslation), and the untranslated one is read through them.


# ---- JSON and display ----------------------------------------------------------------------


def to_json(values: dict[str, Any]) -> dict[str, Any]:
    def convert(value):
        if isinstance(value, datetime.datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    return {key: convert(value) for key, value in values.items()}


def from_json(values: dict[str, Any]) -> dict[str, Any]:
    """A waiting change as form values (dates and coordinates back to Python), unchecked."""
    decoded = {RENAMED.get(key, key): value for key, value in values.items()}
    for key in ("starts_at", "ends_at"):
        if decoded.get(key):
            decoded[key] = datetime.datetime.fromisoformat(decoded[key])
    for key in ("latitude", "longitude"):
        if decoded.get(key) not in (None, ""):
            decoded[key] = Decimal(decoded[key])
    return decoded


def show(key: str, value: Any, *, establishments: dict[int, str] | None = None) -> str:
    """A value as people read it (dates in Paris time)."""
    if value in (None, ""):
        return ""
    if key in ("starts_at", "ends_at"):
        moment = parse_moment(value, key)
        return date_format(timezone.localtime(moment, PARIS), "d/m/Y H:i")
    if key in ("all_day", "is_free"):
        return str(_("oui") if value else _("non"))
    if key == "category":
        return str(Event.Category(value).label)
    if key == "establishment":
        return (establishments or {}).get(int(value), f"#{value}")
    return str(value)
