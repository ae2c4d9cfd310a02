"""The shapes of the API's answers (they make the OpenAPI schema).

Texts in the three content languages come as `{"fr": …, "en": …, "nl": …}`, each "" when the
place has no text in that language (no fallback: the client chooses; the schema states the order
the office's own pages use, from `core.languages`). Amounts are decimal strings in euros, never
floats. An all-day event's dates are dates (« 2026-11-17 »), its last day included; other
events' are moments (ISO 8601, UTC).
"""

import datetime

from ninja import Field, Schema

from ensemble.core.languages import CONTENT_LANGUAGES, order


class Error(Schema):
    detail: str = Field(description="Le message d'erreur, en français.")


def _fallback_orders() -> str:
    return "; ".join(" → ".join(order(lang)) for lang in CONTENT_LANGUAGES if len(order(lang)) > 1)


class Translated(Schema):
    __doc__ = (
        "Le texte dans chaque langue, vide quand il manque. Ordre de repli des pages de l'office : "
        f"{_fallback_orders()}."
    )

    fr: str
    en: str
    nl: str


class Geo(Schema):
    latitude: float | None = Field(description="Degrés décimaux (WGS 84).")
    longitude: float | None


class Address(Schema):
    street: str
    postcode: str
    city: str


class Contact(Schema):
    phone: str = Field(description="Format international E.164, ou vide.")
    email: str
    website: str
    booking_url: str
    extra_phones: list[str] = Field(default_factory=list, description="Autres téléphones (E.164).")
    extra_emails: list[str] = Field(default_factory=list, description="Autres adresses e-mail.")
    extra_websites: list[str] = Field(default_factory=list, description="Autres sites web.")


class Capacity(Schema):
    rooms: int | None
    beds: int | None
    covers: int | None
    group_size: int | None


class CategoryOut(Schema):
    slug: str
    name: Translated
    has_availability: bool = Field(description="Les fiches de cette catégorie publient leurs disponibilités.")
    updated_at: datetime.datetime


class AmenityOut(Schema):
    slug: str
    group: str = Field(description="accessibility, pets, languages, label, classification ou equipment.")
    name: Translated
    is_active: bool = Field(
        description="Encore proposé aux partenaires (un équipement retiré reste sur les fiches)."
    )
    updated_at: datetime.datetime


class PhotoOut(Schema):
    url: str = Field(description="URL absolue de l'image (JPEG).")
    width: int
    height: int
    credit: str = Field(description="Crédit photo, à afficher avec l'image.")
    alt: Translated


class ListingSummary(Schema):
    id: int
    name: str = Field(description="Le nom (en français).")
    names: Translated = Field(
        description="Le nom dans chaque langue ; vide en anglais ou en néerlandais quand c'est le même."
    )
    url: str = Field(description="La page publique de la fiche.")
    category: str = Field(description="Identifiant de la catégorie (voir /categories).")
    is_office_place: bool = Field(description="Lieu publié par l'office, non partenaire (musée, église…).")
    highlighted: bool = Field(description="Mise en avant par l'offre du partenaire.")
    address: Address
    geo: Geo
    short_description: Translated
    amenities: list[str] = Field(description="Identifiants des équipements et labels (voir /amenities).")
    photo: PhotoOut | None = Field(description="La première photo publiée.")
    updated_at: datetime.datetime


class ListingPage(Schema):
    items: list[ListingSummary]
    next: str | None = Field(description="URL de la page suivante, absente à la dernière page.")
    removed: list[int] | None = Field(
        None,
        description=(
            "Avec since= seulement, en première page : identifiants des fiches modifiées depuis "
            "cette date qui ne sont plus publiées (retirées, adhésion terminée) ; à supprimer."
        ),
    )


class Period(Schema):
    starts_on: datetime.date
    ends_on: datetime.date
    opens_at: str | None = Field(description="HH:MM, heure de Paris.")
    closes_at: str | None
    closed_weekdays: list[int] = Field(description="Jours de fermeture, ISO : 1 = lundi … 7 = dimanche.")
    note: Translated = Field(description="Précision (« fermé le 25 décembre ») dans chaque langue.")


class PriceOut(Schema):
    label: Translated
    amount: str = Field(description="Prix TTC en euros, décimal.")
    amount_max: str | None
    currency: str = "EUR"
    season: int = Field(description="Année de la saison du tarif.")
    valid_from: datetime.date | None = Field(None, description="Début de la période du tarif.")
    valid_through: datetime.date | None = Field(None, description="Fin de la période du tarif.")
    outdated: bool = Field(description="Tarif d'une période ou d'une saison passée.")


class AvailabilityDay(Schema):
    date: datetime.date
    status: str = Field(description="available, few_left, full ou closed.")


class ListingDetail(Schema):
    id: int
    name: str = Field(description="Le nom (en français).")
    names: Translated = Field(
        description="Le nom dans chaque langue ; vide en anglais ou en néerlandais quand c'est le même."
    )
    url: str
    datatourisme: str = Field(description="La même fiche au format DATAtourisme (JSON-LD).")
    category: CategoryOut
    is_office_place: bool
    highlighted: bool
    address: Address
    geo: Geo
    contact: Contact
    short_description: Translated
    long_description: Translated
    capacity: Capacity
    amenities: list[AmenityOut]
    photos: list[PhotoOut]
    opening_periods: list[Period]
    prices: list[PriceOut]
    availability: list[AvailabilityDay] = Field(
        description="Les 30 prochaines nuits renseignées (catégories à disponibilités seulement)."
    )
    updated_at: datetime.datetime


class EventPlace(Schema):
    name: str
    address: str
    postcode: str
    city: str
    geo: Geo


class EventOut(Schema):
    id: int
    url: str = Field(description="La page publique de l'événement.")
    uid: str = Field(description="Identifiant stable (UID iCalendar).")
    sequence: int = Field(description="Augmente à chaque changement publié.")
    title: Translated
    summary: Translated
    description: Translated
    category: str
    starts_at: datetime.datetime | datetime.date = Field(
        description="Début : une date (AAAA-MM-JJ) pour un événement d'une journée entière, sinon un moment."
    )
    ends_at: datetime.datetime | datetime.date = Field(
        description="Fin : le dernier jour (inclus) d'un événement d'une journée entière, sinon un moment."
    )
    all_day: bool
    place: EventPlace
    is_free: bool
    price_text: Translated
    booking_url: str
    listing_id: int | None = Field(
        description="La fiche publiée du lieu ou de l'organisateur, s'il y en a une."
    )
    updated_at: datetime.datetime


class EventPage(Schema):
    items: list[EventOut]
    next: str | None
    removed: list[int] | None = Field(
        None,
        description=(
            "Avec since= seulement, en première page : identifiants des événements modifiés depuis "
            "cette date qui ne sont plus publiés (annulés, refusés) ; à supprimer."
        ),
    )
