"""The agenda in the demo: the office's own events and its partners' proposals in every state
(published, one already past, waiting, refused, a change waiting for validation, one cancelled),
dated around the demo day. Everything goes through the events services, on the day it happens.
"""

import dataclasses
import datetime

from ensemble.events import services as event_services
from ensemble.events.models import Event
from ensemble.memberships.models import Membership

from .clock import PARIS, on
from .offices import DEMO_DAY, SEASON_YEAR


@dataclasses.dataclass(frozen=True)
class Spec:
    """One event: `day` counts from the demo day, `outcome` says what happens to it."""

    title_fr: str
    category: str
    day: int
    hour: int
    hours: int
    outcome: str  # office, published, past, waiting, rejected, change, cancelled
    title_en: str = ""
    title_nl: str = ""
    summary_fr: str = ""
    summary_en: str = ""
    summary_nl: str = ""
    price_text: str = ""  # French
    price_text_en: str = ""
    price_text_nl: str = ""
    is_free: bool = False
    all_day: bool = False
    days: int = 1
    place_name: str = ""
    city: str = ""
    postcode: str = ""
    latitude: str | None = None
    longitude: str | None = None
    booking: bool = False


SAINT_OMER = [
    Spec(
        "Marché de Noël de Saint-Omer",
        "market",
        -3,
        11,
        0,
        "office",
        "Saint-Omer Christmas market",
        "Kerstmarkt van Saint-Omer",
        "Chalets, vin chaud et artisans sur la place Foch.",
        "Chalets, mulled wine and craftspeople on place Foch.",
        summary_nl="Chalets, glühwein en ambachtslieden op de place Foch.",
        is_free=True,
        all_day=True,
        days=24,
        place_name="Place Foch",
        city="Saint-Omer",
        postcode="62500",
        latitude="50.750300",
        longitude="2.252500",
    ),
    Spec(
        "Concert de Noël à la cathédrale",
        "concert",
        6,
        20,
        2,
        "office",
        "Christmas concert in the cathedral",
        "Kerstconcert in de kathedraal",
        "Chœurs et orgue dans la cathédrale Notre-Dame.",
        "Choirs and organ in Notre-Dame cathedral.",
        "Koren en orgel in de kathedraal Notre-Dame.",
        price_text="10 €, gratuit pour les moins de 12 ans",
        price_text_en="€10, free for children under 12",
        price_text_nl="€ 10, gratis voor kinderen onder 12 jaar",
        place_name="Cathédrale Notre-Dame",
        city="Saint-Omer",
        postcode="62500",
        latitude="50.747800",
        longitude="2.251900",
        booking=True,
    ),
    Spec(
        "Balade contée dans le marais",
        "visit",
        12,
        14,
        2,
        "office",
        "Storytelling walk in the marshes",
        "Verhalenwandeling door het moeras",
        "Légendes du marais audomarois, au fil de l'eau.",
        "Legends of the Audomarois marshes, along the water.",
        "Legendes van het moeras van Saint-Omer, langs het water.",
        price_text="6 €",
        price_text_en="€6",
        price_text_nl="€ 6",
        place_name="Maison du Marais",
        city="Saint-Omer",
        postcode="62500",
        booking=True,
    ),
    Spec(
        "Exposition « Le marais en hiver »",
        "exhibition",
        -20,
        10,
        8,
        "office",
        "“The marshes in winter” exhibition",
        "Tentoonstelling „Het moeras in de winter”",
        "Photographies du marais audomarois sous le givre.",
        "Photographs of the Audomarois marshes under the frost.",
        "Foto's van het moeras van Saint-Omer onder de rijp.",
        is_free=True,
        all_day=True,
        days=60,
        place_name="Office de tourisme",
        city="Saint-Omer",
        postcode="62500",
    ),
    Spec(
        "Soirée dégustation de bières de Noël",
        "food",
        4,
        19,
        3,
        "published",
        "Christmas beer tasting",
        "Kerstbierproeverij",
        "Cinq bières de saison et leurs fromages.",
        price_text="18 €",
        booking=True,
    ),
    Spec(
        "Atelier cuisine : la chicorée dans tous ses états",
        "workshop",
        9,
        15,
        2,
        "published",
        summary_fr="Recettes sucrées et salées à la chicorée.",
        price_text="25 € par personne",
        booking=True,
    ),
    Spec(
        "Marché des producteurs",
        "market",
        16,
        8,
        5,
        "published",
        "Farmers' market",
        "Boerenmarkt",
        summary_fr="Légumes du marais, fromages et volailles de la ferme.",
        is_free=True,
    ),
    Spec(
        "Randonnée des crêtes de l'Aa",
        "sport",
        23,
        9,
        4,
        "published",
        summary_fr="12 km, dénivelé modéré.",
        is_free=True,
    ),
    Spec(
        "Visite de la ferme illuminée",
        "visit",
        -6,
        18,
        2,
        "past",
        summary_fr="La ferme décorée pour l'Avent.",
        price_text="4 €",
    ),
    Spec(
        "Brunch du Nouvel An",
        "food",
        17,
        11,
        3,
        "waiting",
        "New Year's brunch",
        summary_fr="Produits du terroir et animations pour les enfants.",
        price_text="32 €",
        booking=True,
    ),
    Spec(
        "Soirée karaoké",
        "concert",
        8,
        21,
        3,
        "rejected",
        summary_fr="Micro ouvert à tous.",
        is_free=True,
    ),
    Spec(
        "Tournoi de pétanque d'hiver",
        "sport",
        10,
        14,
        4,
        "change",
        summary_fr="En doublettes, inscription sur place.",
        price_text="5 € par équipe",
    ),
    Spec(
        "Concert de jazz manouche",
        "concert",
        5,
        20,
        2,
        "cancelled",
        "Gypsy jazz concert",
        summary_fr="Le trio des Marais en acoustique.",
        price_text="12 €",
    ),
]

AIRE = [
    Spec(
        "Illuminations de la collégiale Saint-Pierre",
        "festival",
        2,
        18,
        3,
        "office",
        "Illuminations of Saint-Pierre collegiate church",
        "Verlichting van de collegiale kerk Saint-Pierre",
        "Projection lumineuse sur la façade.",
        "A light show on the façade.",
        "Een lichtprojectie op de gevel.",
        is_free=True,
        place_name="Collégiale Saint-Pierre",
        city="Aire-sur-la-Lys",
        postcode="62120",
        latitude="50.638900",
        longitude="2.396500",
    ),
    Spec(
        "Visite du bailliage",
        "visit",
        7,
        15,
        1,
        "office",
        "Tour of the Bailliage",
        "Bezoek aan het Bailliage",
        "Le joyau Renaissance de la Grand-Place.",
        "The Renaissance jewel of the Grand-Place.",
        "Het renaissancejuweel van de Grand-Place.",
        price_text="5 €",
        price_text_en="€5",
        price_text_nl="€ 5",
        place_name="Le Bailliage",
        city="Aire-sur-la-Lys",
        postcode="62120",
    ),
    Spec(
        "Marché gourmand",
        "food",
        11,
        10,
        6,
        "published",
        summary_fr="Les producteurs du pays d'Aire.",
        is_free=True,
    ),
    Spec(
        "Atelier couronnes de l'Avent",
        "workshop",
        3,
        14,
        3,
        "waiting",
        price_text="15 €",
    ),
]

OFFICE_SPECS = {"saint-omer": SAINT_OMER, "aire-sur-la-lys": AIRE}


def _when(spec: Spec) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(
        DEMO_DAY + datetime.timedelta(days=spec.day), datetime.time(spec.hour), tzinfo=PARIS
    )
    if spec.all_day:
        return start, start + datetime.timedelta(days=spec.days - 1)
    return start, start + datetime.timedelta(hours=spec.hours)


def _values(spec: Spec, booking_host: str) -> dict:
    starts_at, ends_at = _when(spec)
    values = {
        field.name: getattr(spec, field.name)
        for field in dataclasses.fields(Spec)
        if field.name not in ("day", "hour", "hours", "outcome", "days", "booking")
    }
    values["price_text_fr"] = values.pop("price_text")
    values.update(starts_at=starts_at, ends_at=ends_at)
    if spec.booking:
        values["booking_url"] = f"https://{booking_host}/reservation"
    return values


def _partners(office) -> list[Membership]:
    return list(
        Membership.objects.filter(office=office, season__year=SEASON_YEAR, status="active")
        .select_related("organisation", "establishment", "applicant")
        .order_by("-pk")
    )


def _day(offset: int) -> datetime.date:
    return DEMO_DAY + datetime.timedelta(days=offset)


def _partner_event(spec: Spec, member: Membership, staff) -> None:
    """Submitted before the event, decided two days later; the rest as `outcome` says."""
    submitted = _day(min(spec.day - 12, -10))
    values = _values(spec, "billetterie.demo")
    with on(submitted, hour=9):
        event = event_services.submit_event(
            member.organisation, actor=member.applicant, establishment=member.establishment, **values
        )
    if spec.outcome == "waiting":
        return
    with on(submitted + datetime.timedelta(days=2), hour=10):
        if spec.outcome == "rejected":
            event_services.reject_event(
                event,
                actor=staff,
                reason="L'agenda de l'office présente les événements touristiques ; "
                "proposez plutôt une soirée à thème autour du territoire.",
            )
            return
        event = event_services.approve_event(event, actor=staff)
    if spec.outcome == "change":
        with on(_day(-1), hour=16):
            changed = {**values, "price_text_fr": "6 € par équipe, buvette sur place"}
            event_services.update_event(event, actor=member.applicant, **changed)
    elif spec.outcome == "cancelled":
        with on(_day(-1), hour=8):
            event_services.cancel_event(
                event, actor=member.applicant, reason="Musicien souffrant : concert reporté."
            )


def load_events(contexts) -> dict[str, int]:
    """Once per office: a second run finds the events and does nothing. Returns the number of
    events created per office."""
    created = {}
    for context in contexts:
        office, staff = context.office, context.actors.partners
        specs = OFFICE_SPECS.get(office.slug, [])
        if not specs or Event.objects.filter(office=office).exists():
            continue
        partners = _partners(office)
        count = 0
        for spec in specs:
            if spec.outcome == "office":
                with on(_day(min(spec.day, 0) - 14), hour=9):
                    event_services.create_office_event(
                        office, actor=staff, **_values(spec, "billetterie.demo")
                    )
            elif partners:
                _partner_event(spec, partners[count % len(partners)], staff)
            else:
                continue
            count += 1
        created[office.slug] = count
    return created
