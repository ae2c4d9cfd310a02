"""The demo partners' listings: approved content in three languages, opening periods, prices,
amenities and availability, plus a few changes waiting for moderation.

Texts are written from the category and the town (every business is invented); everything goes
through the listings services, as staff and partners would do it.
"""

import datetime
import zlib

from django.db import transaction
from django.db.models import Q

from ensemble.directory.models import Establishment
from ensemble.listings import services as listing_services
from ensemble.listings.fields import snapshot
from ensemble.listings.models import Listing
from ensemble.memberships.models import Membership

from .clock import on
from .offices import DEMO_DAY, SEASON_YEAR

TEXTS = {
    "hebergement": (
        "Une étape au calme à {town}, à deux pas du marais audomarois.",
        "An easy-going stay in {town}, close to the Audomarois marshes.",
        "Een rustige overnachting in {town}, vlak bij het moeras van Saint-Omer.",
    ),
    "restauration": (
        "Cuisine de saison et produits du marais, à {town}.",
        "Seasonal cooking with produce from the marshes, in {town}.",
        "Seizoenskeuken met producten uit het moeras, in {town}.",
    ),
    "bars": (
        "Bières de la région et terrasse au soleil, à {town}.",
        "Local beers and a sunny terrace, in {town}.",
        "Streekbieren en een zonnig terras, in {town}.",
    ),
    "loisirs": (
        "Une sortie pour toute la famille à {town}.",
        "A day out for the whole family in {town}.",
        "Een uitstap voor het hele gezin in {town}.",
    ),
    "terroir": (
        "Vente directe à la ferme, à {town}.",
        "Farm shop selling its own produce, in {town}.",
        "Hoevewinkel met eigen producten, in {town}.",
    ),
}
LONG = (
    "Ouvert aux visiteurs du Pays de Saint-Omer.\nRenseignements et réservations auprès de l'établissement.",
    "Open to visitors of the Pays de Saint-Omer.\nInformation and bookings from the establishment.",
    "Open voor bezoekers van het Pays de Saint-Omer.\nInlichtingen en reserveringen bij het bedrijf.",
)
PRICE_LABELS = {
    "hebergement": ("Nuitée pour deux", "Night for two", "Overnachting voor twee", "78"),
    "restauration": ("Menu du jour", "Set menu", "Dagmenu", "19.50"),
    "bars": ("Bière pression", "Draught beer", "Tapbier", "4.50"),
    "loisirs": ("Entrée adulte", "Adult ticket", "Toegang volwassene", "9"),
    "terroir": ("Panier découverte", "Discovery basket", "Ontdekkingsmand", "25"),
}
# The opening period's note, in the three languages like every text visitors read.
CHRISTMAS_NOTE = {
    "note_fr": "Fermé le 25 décembre",
    "note_en": "Closed on 25 December",
    "note_nl": "Gesloten op 25 december",
}
AMENITY_CHOICES = ["parle-anglais", "parle-neerlandais", "accueil-velo", "wifi", "parking", "terrasse",
                   "animaux-acceptes", "acces-fauteuil", "qualite-tourisme"]  # fmt: skip


def _pick(key: str, choices: list[str], count: int) -> list[str]:
    seed = zlib.crc32(key.encode())
    return [choices[(seed >> (3 * i)) % len(choices)] for i in range(count)]


def _content(establishment: Establishment, amenities: dict[str, int]) -> dict:
    slug = establishment.category.slug
    short = TEXTS.get(slug, TEXTS["loisirs"])
    fr, en, nl, amount = PRICE_LABELS.get(slug, PRICE_LABELS["loisirs"])
    picked = sorted({amenities[s] for s in _pick(establishment.name, AMENITY_CHOICES, 3) if s in amenities})
    langs = ("fr", "en", "nl")
    content = {
        f"short_description_{lang}": text.format(town=establishment.city)
        for lang, text in zip(langs, short, strict=True)
    }
    content |= {f"long_description_{lang}": text for lang, text in zip(langs, LONG, strict=True)}
    price = {"label_fr": fr, "label_en": en, "label_nl": nl, "amount": amount, "season_year": SEASON_YEAR}
    return content | {
        "amenities": picked,
        "opening_periods": [
            {"starts_on": f"{SEASON_YEAR}-04-01", "ends_on": f"{SEASON_YEAR}-10-31", "opens_at": "10:00",
             "closes_at": "19:00", "closed_weekdays": [1]},
            {"starts_on": f"{SEASON_YEAR}-11-01", "ends_on": f"{SEASON_YEAR}-12-31", "opens_at": "10:00",
             "closes_at": "17:00", "closed_weekdays": [1, 2], **CHRISTMAS_NOTE},
        ],
        "prices": [price],
        "rooms": 6 if slug == "hebergement" else None,
        "covers": 40 if slug == "restauration" else None,
    }  # fmt: skip


def _availability(listing: Listing, actor) -> None:
    start = DEMO_DAY
    days = {}
    for offset in range(45):
        day = start + datetime.timedelta(days=offset)
        days[day] = "full" if day.weekday() == 5 else ("few_left" if day.weekday() == 4 else "available")
    listing_services.set_availability(listing, days=days, actor=actor)


def load_listings(contexts) -> int:
    """Listings for the partners of the current season; a second run changes nothing."""
    created = 0
    for context in contexts:
        office, staff = context.office, context.actors.partners
        with on(DEMO_DAY, hour=8):
            amenities = {a.slug: a.pk for a in listing_services.install_default_amenities(office)}
        live = Membership.objects.filter(office=office, season__year=SEASON_YEAR).exclude(
            status__in=["refused", "terminated"]
        )
        establishments = (
            Establishment.objects.filter(
                office=office, pk__in=live.values("establishment"), listing__isnull=True
            )
            .select_related("category", "organisation")
            .order_by("pk")
        )
        for establishment in establishments:
            with on(DEMO_DAY, hour=8), transaction.atomic():
                listing = listing_services.ensure_listing(establishment)
                listing_services.edit_listing(
                    listing, changes=_content(establishment, amenities), actor=staff
                )
                if establishment.category.has_availability:
                    _availability(listing, staff)
            created += 1
        _translate_notes(office, staff)
        _pending_changes(office)
    return created


def _translate_notes(office, staff) -> None:
    """A demo loaded before the notes were translated has the French one only (the migration
    kept it as such): the office gives the English and Dutch ones. Nothing to do otherwise."""
    untranslated = Q(opening_periods__note_en="") | Q(opening_periods__note_en__isnull=True)
    listings = Listing.objects.filter(
        untranslated, office=office, opening_periods__note_fr=CHRISTMAS_NOTE["note_fr"]
    ).distinct()
    for listing in listings.order_by("pk"):
        periods = [
            {**period, **CHRISTMAS_NOTE} if period["note_fr"] == CHRISTMAS_NOTE["note_fr"] else period
            for period in snapshot(listing)["opening_periods"]
        ]
        with on(DEMO_DAY, hour=8):
            listing_services.edit_listing(listing, changes={"opening_periods": periods}, actor=staff)


def _pending_changes(office) -> None:
    """A partner with a demo login has proposed a new Dutch description: the moderation queue
    is not empty when staff log in."""
    listing = (
        Listing.objects.filter(
            office=office, establishment__organisation__members__email="partner@saint-omer.demo"
        )
        .exclude(proposals__status="pending")
        .first()
    )
    if listing is None or listing.versions.filter(origin="approved").exists():
        return
    user = listing.establishment.organisation.members.get(email="partner@saint-omer.demo")
    with on(DEMO_DAY, hour=11):
        listing_services.propose_changes(
            listing,
            changes={"short_description_nl": "Vernieuwd in " + str(SEASON_YEAR) + ": kom gerust langs!"},
            actor=user,
        )
