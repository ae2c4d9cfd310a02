"""The fields of a listing, each with how to read it, check it, write it and show it.

A field's value is plain JSON, so that a proposal, a version and a diff all speak the same
language. Scalars live on the establishment (name, address, contact: the CRM and the public share
them) or on the listing (descriptions, capacity); collections (periods, prices, photos) are
rewritten whole when they change.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ensemble.core.errors import EnsembleError
from ensemble.core.text import one_line, plain_text  # the one rule (also imported from here)
from ensemble.directory.validators import clean_phone, display_phone

from .models import Amenity, Listing, OpeningPeriod, Photo, Price

LANGS = ("fr", "en", "nl")
LANG_NAMES = {"fr": "français", "en": "anglais", "nl": "néerlandais"}  # in French error messages
LANG_LABELS = {"fr": _("français"), "en": _("anglais"), "nl": _("néerlandais")}
WEEKDAYS = {1: "lun.", 2: "mar.", 3: "mer.", 4: "jeu.", 5: "ven.", 6: "sam.", 7: "dim."}


class ListingError(EnsembleError):
    pass


@dataclass(frozen=True)
class ListingField:
    key: str
    label: str
    section: str
    read: Callable[[Listing], Any]
    write: Callable[[Listing, Any], None]
    clean: Callable[[Any, Listing], Any]
    show: Callable[[Any], str]


# ---- cleaning ------------------------------------------------------------------------------


# What a partner types is kept short (the public card and page are designed for it); a place
# the office publishes (written by staff or imported from DATAtourisme) keeps its texts whole,
# up to a bound against abuse (docs/decisions.md, "Long texts").
OFFICE_PLACE_TEXT_LIMITS = {"short_description": 2_000, "long_description": 20_000}
PARTNER_TEXT_LIMITS = {"short_description": 200, "long_description": 800}


def _text(key: str, label: str, limit: int, *, required: bool = False, multiline: bool = False):
    """A text field: plain text (core/text.py) on one line, or with its line breaks."""
    to_text = plain_text if multiline else one_line

    def clean(value: Any, listing: Listing) -> str:
        text = to_text(value)
        if required and not text:
            raise ListingError(f"{label} est obligatoire.", field=key)
        limit_here = limit
        if listing.is_office_place:
            limit_here = OFFICE_PLACE_TEXT_LIMITS.get(key.rsplit("_", 1)[0], limit)
        if len(text) > limit_here:
            raise ListingError(
                f"{label} dépasse {limit_here} caractères ({len(text)}) : raccourcissez-la.", field=key
            )
        return text

    return clean


def _url(key: str):
    def clean(value: Any, listing: Listing) -> str:
        url = str(value or "").strip()
        if not url:
            return ""
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ListingError(
                "Cette adresse web n'est pas valide (elle commence par https://).", field=key
            ) from None
        return url

    return clean


def _clean_email(value: Any, listing: Listing) -> str:
    email = str(value or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ListingError("Cette adresse e-mail n'est pas valide.", field="email") from None
    return email


def _clean_phone(value: Any, listing: Listing) -> str:
    phone = str(value or "").strip()
    if not phone:
        return ""
    try:
        return clean_phone(phone)
    except ValidationError as exc:
        raise ListingError(exc.messages[0], field="phone") from None


def _count(key: str):
    def clean(value: Any, listing: Listing) -> int | None:
        if value in (None, ""):
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ListingError("Indiquez un nombre entier.", field=key) from None
        if not 0 <= number <= 100_000:
            raise ListingError("Indiquez un nombre entre 0 et 100 000.", field=key)
        return number

    return clean


def _date(value: Any, key: str) -> datetime.date:
    try:
        return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ListingError(f"Cette date n'est pas valide : {value}.", field=key) from None


def _time(value: Any, key: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        parsed = value if isinstance(value, datetime.time) else datetime.time.fromisoformat(str(value))
    except ValueError:
        raise ListingError(f"Cette heure n'est pas valide : {value}.", field=key) from None
    return parsed.strftime("%H:%M")


def _clean_period(item: dict) -> dict:
    key = "opening_periods"
    starts, ends = _date(item.get("starts_on"), key), _date(item.get("ends_on"), key)
    if ends < starts:
        raise ListingError(
            f"La période du {starts:%d/%m/%Y} finit avant de commencer ({ends:%d/%m/%Y}).", field=key
        )
    weekdays = sorted({int(day) for day in item.get("closed_weekdays") or []})
    if any(day not in WEEKDAYS for day in weekdays):
        raise ListingError("Jour de fermeture inconnu.", field=key)
    opens, closes = _time(item.get("opens_at"), key), _time(item.get("closes_at"), key)
    if opens and closes and opens == closes:
        raise ListingError("L'heure de fermeture doit différer de l'heure d'ouverture.", field=key)
    return {
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat(),
        "opens_at": opens,
        "closes_at": closes,
        "closed_weekdays": weekdays,
        **_period_notes(item, starts),
    }


NOTE_LIMIT = 200


def _period_notes(item: dict, starts: datetime.date) -> dict[str, str]:
    """The period's note (« Fermé le 25 décembre ») in each language: note_fr, note_en,
    note_nl. `note` alone, as written before the notes were translated, is the French one."""
    notes = {}
    for lang in LANGS:
        raw = item.get(f"note_{lang}")
        if raw is None and lang == "fr":
            raw = item.get("note")
        note = one_line(raw)
        if len(note) > NOTE_LIMIT:
            raise ListingError(
                f"La précision ({LANG_NAMES[lang]}) de la période du {starts:%d/%m/%Y} dépasse "
                f"{NOTE_LIMIT} caractères ({len(note)}) : raccourcissez-la.",
                field="opening_periods",
            )
        notes[f"note_{lang}"] = note
    return notes


def _clean_periods(value: Any, listing: Listing) -> list[dict]:
    periods = [_clean_period(item) for item in value or []]
    return sorted(periods, key=lambda p: (p["starts_on"], p["ends_on"]))


def _money(value: Any, key: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", ".").replace("€", "").strip())
    except InvalidOperation:
        raise ListingError(f"Ce prix n'est pas un montant : {value}.", field=key) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("100000000"):
        raise ListingError(f"Ce prix n'est pas valide : {value}.", field=key)
    return str(amount.quantize(Decimal("0.01")))


def _clean_price(item: dict) -> dict:
    key = "prices"
    labels = {f"label_{lang}": one_line(item.get(f"label_{lang}"))[:120] for lang in LANGS}
    if not labels["label_fr"]:
        raise ListingError("Chaque prix a un intitulé en français.", field=key)
    amount = _money(item.get("amount"), key)
    if amount is None:
        raise ListingError(f"Le prix « {labels['label_fr']} » n'a pas de montant.", field=key)
    amount_max = _money(item.get("amount_max"), key)
    if amount_max is not None and Decimal(amount_max) < Decimal(amount):
        raise ListingError(
            f"Le prix maximum de « {labels['label_fr']} » est inférieur au minimum.", field=key
        )
    try:
        year = int(item.get("season_year"))
    except (TypeError, ValueError):
        raise ListingError("Chaque prix indique sa saison (année).", field=key) from None
    if not 2000 <= year <= 2100:
        raise ListingError(f"Saison invalide : {year}.", field=key)
    return {
        **labels,
        "amount": amount,
        "amount_max": amount_max,
        "season_year": year,
        **_price_period(item, labels["label_fr"]),
    }


def _price_period(item: dict, label: str) -> dict:
    """The price's own period (optional): valid_from, valid_through as ISO dates."""
    key = "prices"
    start = _date(item["valid_from"], key) if item.get("valid_from") else None
    end = _date(item["valid_through"], key) if item.get("valid_through") else None
    if start and end and end < start:
        raise ListingError(f"La période du prix « {label} » finit avant de commencer.", field=key)
    return {
        "valid_from": start.isoformat() if start else None,
        "valid_through": end.isoformat() if end else None,
    }


def _clean_list(key: str, label: str, check):
    """A list of further phones, e-mails or websites, each checked, without duplicates."""

    def clean(value: Any, listing: Listing) -> list[str]:
        if value in (None, ""):
            return []
        if isinstance(value, str):
            value = [line for line in value.replace(",", "\n").splitlines()]
        if not isinstance(value, list | tuple):
            raise ListingError(f"{label} : une liste est attendue.", field=key)
        kept: list[str] = []
        for item in value:
            item = str(item or "").strip()
            if item:
                cleaned = check(item, listing)
                if cleaned not in kept:
                    kept.append(cleaned)
        if len(kept) > MAX_EXTRA_CONTACTS:
            raise ListingError(f"{label} : {MAX_EXTRA_CONTACTS} au plus.", field=key)
        return kept

    return clean


MAX_EXTRA_CONTACTS = 10


def _clean_other_languages(value: Any, listing: Listing) -> dict[str, dict[str, str]]:
    """Texts in languages the office does not publish, kept for the exports:
    {"de": {"name": …, "short_description": …, "long_description": …}}."""
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ListingError("Textes dans d'autres langues : format invalide.", field="other_languages")
    kept: dict[str, dict[str, str]] = {}
    for lang, items in sorted(value.items()):
        lang = str(lang).lower()
        if not (2 <= len(lang) <= 3 and lang.isalpha()) or lang in LANGS or not isinstance(items, dict):
            raise ListingError(f"Langue invalide : « {lang[:10]} ».", field="other_languages")
        texts = {
            part: plain_text(items.get(part))[:20_000]
            for part in ("name", "short_description", "long_description")
            if plain_text(items.get(part))
        }
        if texts:
            kept[lang] = texts
    return kept


def _clean_prices(value: Any, listing: Listing) -> list[dict]:
    return [_clean_price(item) for item in value or []]


def _clean_amenities(value: Any, listing: Listing) -> list[int]:
    wanted = {int(pk) for pk in value or []}
    # One withdrawn from the lists since stays allowed on the listings that already have it.
    offered = (Q(is_active=True) | Q(listings=listing)) if listing.pk else Q(is_active=True)
    known = set(
        Amenity.objects.filter(offered, office_id=listing.office_id, pk__in=wanted).values_list(
            "pk", flat=True
        )
    )
    if wanted - known:
        raise ListingError(
            "Un équipement ou label choisi n'existe pas ou n'est plus proposé.", field="amenities"
        )
    return sorted(wanted)


def _clean_photos(value: Any, listing: Listing) -> list[dict]:
    items = list(value or [])
    ids = [int(item["id"]) for item in items]
    if len(set(ids)) != len(ids):
        raise ListingError("Une photo figure deux fois.", field="photos")
    if set(ids) - set(Photo.objects.filter(listing=listing, pk__in=ids).values_list("pk", flat=True)):
        raise ListingError("Une photo n'appartient pas à cette fiche.", field="photos")
    photos = []
    for item in items:
        credit = one_line(item.get("credit"))[:150]
        if not credit:
            raise ListingError("Chaque photo a un crédit (le nom de son auteur).", field="photos")
        alts = {f"alt_text_{lang}": one_line(item.get(f"alt_text_{lang}"))[:250] for lang in LANGS}
        photos.append({"id": int(item["id"]), "credit": credit, **alts})
    return photos


# ---- reading and writing -------------------------------------------------------------------


def _establishment_attr(name: str):
    def read(listing: Listing) -> Any:
        return getattr(listing.establishment, name)

    def write(listing: Listing, value: Any) -> None:
        setattr(listing.establishment, name, value)

    return read, write


def _listing_attr(name: str):
    def read(listing: Listing) -> Any:
        return getattr(listing, name)

    def write(listing: Listing, value: Any) -> None:
        setattr(listing, name, value)

    return read, write


def _read_periods(listing: Listing) -> list[dict]:
    return [
        {
            "starts_on": p.starts_on.isoformat(),
            "ends_on": p.ends_on.isoformat(),
            "opens_at": p.opens_at.strftime("%H:%M") if p.opens_at else None,
            "closes_at": p.closes_at.strftime("%H:%M") if p.closes_at else None,
            "closed_weekdays": list(p.closed_weekdays),
            **{f"note_{lang}": getattr(p, f"note_{lang}") or "" for lang in LANGS},
        }
        for p in listing.opening_periods.all()
    ]


def _write_periods(listing: Listing, value: list[dict]) -> None:
    listing.opening_periods.all().delete()
    OpeningPeriod.objects.bulk_create(
        OpeningPeriod(listing=listing, closed_mask=weekday_mask(item["closed_weekdays"]), **item)
        for item in value
    )


def weekday_mask(weekdays: list[int]) -> int:
    return sum(1 << day for day in set(weekdays))


def _read_prices(listing: Listing) -> list[dict]:
    return [
        {
            **{f"label_{lang}": getattr(p, f"label_{lang}") or "" for lang in LANGS},
            "amount": str(p.amount),
            "amount_max": str(p.amount_max) if p.amount_max is not None else None,
            "season_year": p.season_year,
            "valid_from": _iso(p.valid_from),
            "valid_through": _iso(p.valid_through),
        }
        for p in sorted(listing.prices.all(), key=lambda p: (p.position, p.pk))
    ]


def _iso(value) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def _write_prices(listing: Listing, value: list[dict]) -> None:
    listing.prices.all().delete()
    Price.objects.bulk_create(
        Price(
            listing=listing,
            position=position,
            **{k: v for k, v in item.items() if k.startswith("label_")},
            amount=Decimal(item["amount"]),
            amount_max=Decimal(item["amount_max"]) if item["amount_max"] is not None else None,
            season_year=item["season_year"],
            valid_from=item.get("valid_from"),
            valid_through=item.get("valid_through"),
        )
        for position, item in enumerate(value)
    )


def _read_amenities(listing: Listing) -> list[int]:
    return sorted(a.pk for a in listing.amenities.all())


def _write_amenities(listing: Listing, value: list[int]) -> None:
    listing.amenities.set(value)


def _read_photos(listing: Listing) -> list[dict]:
    published = [p for p in listing.photos.all() if p.status == Photo.Status.PUBLISHED]
    return [
        {
            "id": p.pk,
            "credit": p.credit,
            **{f"alt_text_{lang}": getattr(p, f"alt_text_{lang}") or "" for lang in LANGS},
        }
        for p in sorted(published, key=lambda p: (p.position, p.pk))
    ]


def _write_photos(listing: Listing, value: list[dict]) -> None:
    chosen = {item["id"]: (position, item) for position, item in enumerate(value)}
    for photo in Photo.objects.filter(listing=listing):
        if photo.pk in chosen:
            position, item = chosen[photo.pk]
            photo.status, photo.position, photo.credit = Photo.Status.PUBLISHED, position, item["credit"]
            for lang in LANGS:
                setattr(photo, f"alt_text_{lang}", item[f"alt_text_{lang}"])
        elif photo.status == Photo.Status.PUBLISHED:
            photo.status = Photo.Status.WITHDRAWN
        else:
            continue
        photo.save()


# ---- showing -------------------------------------------------------------------------------


def _show_text(value: Any) -> str:
    return "" if value in (None, "") else str(value)


def _show_periods(value: list[dict]) -> str:
    lines = []
    for p in value:
        line = f"{_fr_date(p['starts_on'])} → {_fr_date(p['ends_on'])}"
        if p["opens_at"] or p["closes_at"]:
            line += f", {p['opens_at'] or '?'}–{p['closes_at'] or '?'}"
        if p["closed_weekdays"]:
            line += ", fermé " + " ".join(WEEKDAYS[d] for d in p["closed_weekdays"])
        notes = _show_notes(p)
        if notes:
            line += f" ({notes})"
        lines.append(line)
    return "\n".join(lines)


def _show_notes(period: dict) -> str:
    """« Fermé le 25 décembre ; anglais : Closed on 25 December » (a version written before
    the notes were translated has `note` only)."""
    french = period.get("note_fr", period.get("note")) or ""
    others = [
        f"{LANG_NAMES[lang]} : {period[f'note_{lang}']}" for lang in LANGS[1:] if period.get(f"note_{lang}")
    ]
    return " ; ".join([french or "—", *others]) if others else french


def _fr_date(iso: str) -> str:
    return datetime.date.fromisoformat(iso).strftime("%d/%m/%Y")


def _show_prices(value: list[dict]) -> str:
    def amount(p):
        low = p["amount"].replace(".", ",")
        return f"{low} €" if not p["amount_max"] else f"{low} à {p['amount_max'].replace('.', ',')} €"

    def period(p):
        if p.get("valid_from") or p.get("valid_through"):
            start = _fr_date(p["valid_from"]) if p.get("valid_from") else "…"
            end = _fr_date(p["valid_through"]) if p.get("valid_through") else "…"
            return f"du {start} au {end}"
        return str(p["season_year"])

    return "\n".join(f"{p['label_fr']} : {amount(p)} ({period(p)})" for p in value)


def _show_amenities(value: list[int]) -> str:
    names = dict(Amenity.objects.filter(pk__in=value).values_list("pk", "name"))
    return ", ".join(sorted(names.get(pk, f"#{pk}") for pk in value))


def _show_photos(value: list[dict]) -> str:
    return "\n".join(f"Photo n° {item['id']} — © {item['credit']}" for item in value)


# ---- the registry --------------------------------------------------------------------------


def _phone_item(value: str, listing: Listing) -> str:
    try:
        return clean_phone(value)
    except ValidationError as exc:
        raise ListingError(f"{value[:40]} : {exc.messages[0]}", field="extra_phones") from None


def _email_item(value: str, listing: Listing) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise ListingError(
            f"Cette adresse e-mail n'est pas valide : {value[:60]}.", field="extra_emails"
        ) from None
    return value


def _website_item(value: str, listing: Listing) -> str:
    return _url("extra_websites")(value, listing)


def _show_list(value: list[str]) -> str:
    return "\n".join(value or [])


def _show_other_languages(value: dict) -> str:
    return "\n".join(
        f"{lang} : " + " / ".join(texts.get(part, "")[:80] for part in texts) for lang, texts in value.items()
    )


def _more_fields() -> list[ListingField]:
    """Names in English and Dutch, further contacts, texts in other languages (DATAtourisme)."""
    fields = [
        ListingField(
            f"name_{lang}",
            format_lazy("{} ({})", _("Nom"), LANG_LABELS[lang]),
            "general",
            *_listing_attr(f"name_{lang}"),
            _text(f"name_{lang}", f"Le nom ({LANG_NAMES[lang]})", 200),
            _show_text,
        )
        for lang in ("en", "nl")
    ]
    for key, label, check in (
        ("extra_phones", _("Autres téléphones"), _phone_item),
        ("extra_emails", _("Autres e-mails"), _email_item),
        ("extra_websites", _("Autres sites web"), _website_item),
    ):
        clean = _clean_list(key, str(label), check)
        fields.append(ListingField(key, label, "contact", *_listing_attr(key), clean, _show_list))
    fields.append(
        ListingField(
            "other_languages",
            _("Textes dans d'autres langues"),
            "texts",
            *_listing_attr("other_languages"),
            _clean_other_languages,
            _show_other_languages,
        )
    )
    return fields


def _build() -> list[ListingField]:
    fields = [
        ListingField(
            "name",
            _("Nom"),
            "general",
            *_establishment_attr("name"),
            _text("name", "Le nom", 200, required=True),
            _show_text,
        ),
    ]
    for base, limit, label in (
        ("short_description", PARTNER_TEXT_LIMITS["short_description"], "La description courte"),
        ("long_description", PARTNER_TEXT_LIMITS["long_description"], "La description longue"),
    ):
        for lang in LANGS:
            key = f"{base}_{lang}"
            read, write = _listing_attr(key)
            title = _("Description courte") if base == "short_description" else _("Description longue")
            fields.append(
                ListingField(
                    key,
                    format_lazy("{} ({})", title, LANG_LABELS[lang]),
                    "texts",
                    read,
                    write,
                    _text(key, f"{label} ({LANG_NAMES[lang]})", limit, multiline=True),
                    _show_text,
                )
            )
    for key, label in (("address", _("Adresse")), ("postcode", _("Code postal")), ("city", _("Ville"))):
        limit = 10 if key == "postcode" else 200
        fields.append(
            ListingField(
                key,
                label,
                "contact",
                *_establishment_attr(key),
                _text(key, str(label), limit, required=True),
                _show_text,
            )
        )
    fields += [
        ListingField(
            "phone",
            _("Téléphone"),
            "contact",
            *_establishment_attr("phone"),
            _clean_phone,
            lambda v: display_phone(v) if v else "",
        ),
        ListingField(
            "email", _("E-mail"), "contact", *_establishment_attr("email"), _clean_email, _show_text
        ),
        ListingField(
            "website", _("Site web"), "contact", *_establishment_attr("website"), _url("website"), _show_text
        ),
        ListingField(
            "booking_url",
            _("Lien de réservation"),
            "contact",
            *_listing_attr("booking_url"),
            _url("booking_url"),
            _show_text,
        ),
        *_more_fields(),
    ]
    for key, label in (
        ("rooms", _("Chambres")),
        ("beds", _("Lits")),
        ("covers", _("Couverts")),
        ("group_size", _("Taille de groupe maximale")),
    ):
        fields.append(ListingField(key, label, "capacity", *_listing_attr(key), _count(key), _show_text))
    fields += [
        ListingField(
            "amenities",
            _("Équipements et labels"),
            "amenities",
            _read_amenities,
            _write_amenities,
            _clean_amenities,
            _show_amenities,
        ),
        ListingField(
            "opening_periods",
            _("Périodes et horaires d'ouverture"),
            "opening",
            _read_periods,
            _write_periods,
            _clean_periods,
            _show_periods,
        ),
        ListingField(
            "prices", _("Tarifs"), "prices", _read_prices, _write_prices, _clean_prices, _show_prices
        ),
        ListingField(
            "photos", _("Photos"), "photos", _read_photos, _write_photos, _clean_photos, _show_photos
        ),
    ]
    return fields


FIELDS: dict[str, ListingField] = {field.key: field for field in _build()}
ESTABLISHMENT_KEYS = {"name", "address", "postcode", "city", "phone", "email", "website"}
DEFAULT_IMMEDIATE = ["opening_periods"]


def snapshot(listing: Listing) -> dict[str, Any]:
    """The listing's published content, whole, as JSON."""
    return {key: field.read(listing) for key, field in FIELDS.items()}
