"""What the office publishes beyond its partners, in the demo: two places it lists itself (not
partners) and a reception screen per desk with a message. Through the services."""

import datetime
from decimal import Decimal

from ensemble.directory import services as directory_services
from ensemble.directory.models import Category
from ensemble.listings import services as listing_services
from ensemble.listings.models import Listing
from ensemble.screens import services as screen_services
from ensemble.screens.models import Screen

from . import identities
from .clock import on
from .offices import DEMO_DAY

PLACES = {
    "saint-omer": [
        ("lieu-so-cathedrale", "Cathédrale Notre-Dame", "Enclos Notre-Dame", "Saint-Omer", "62500",
         (50.7497, 2.2522),
         "Cathédrale gothique et son horloge astronomique.", "Gothic cathedral with an astronomical clock.",
         "Gotische kathedraal met een astronomisch uurwerk."),
        ("lieu-so-jardin-public", "Jardin public", "Boulevard Vauban", "Saint-Omer", "62500",
         (50.7511, 2.2466),
         "Dix-neuf hectares de jardins au pied des remparts.",
         "Nineteen hectares of gardens below the ramparts.",
         "Negentien hectare tuinen aan de voet van de vestingmuren."),
    ],
}  # fmt: skip
DESKS = {"saint-omer": ["Accueil Saint-Omer, place Victor Hugo", "Accueil Aire-sur-la-Lys", "Accueil Arques"]}


def load_publishing(contexts) -> None:
    for context in contexts:
        office, staff = context.office, context.actors.reception
        with on(DEMO_DAY, hour=8):
            _places(office, staff)
            _screens(office, staff)


def _places(office, staff) -> None:
    if Listing.objects.filter(office=office, is_office_place=True).exists():
        return
    category = Category.objects.get(office=office, slug="loisirs")
    for key, name, address, city, postcode, (latitude, longitude), *texts in PLACES.get(office.slug, []):
        # The owner is invented, like every business of the demo (valid SIRET and phone).
        organisation = directory_services.create_organisation(
            office,
            actor=staff,
            name=f"Gestionnaire — {name}",
            address=address,
            postcode=postcode,
            city=city,
            siret=identities.siret_for(key),
            phone=identities.phone_for(key),
        )
        establishment = directory_services.save_establishment(
            organisation,
            actor=staff,
            name=name,
            category=category,
            address=address,
            postcode=postcode,
            city=city,
            latitude=Decimal(str(latitude)),
            longitude=Decimal(str(longitude)),
        )
        listing = listing_services.ensure_listing(establishment)
        changes = {
            f"short_description_{lang}": text for lang, text in zip(("fr", "en", "nl"), texts, strict=True)
        }
        listing_services.edit_listing(listing, changes=changes, actor=staff)
        listing_services.mark_office_place(listing, is_office_place=True, actor=staff)


def _screens(office, staff) -> None:
    if Screen.objects.filter(office=office).exists():
        return
    for name in DESKS.get(office.slug, []):
        screen_services.create_screen(office, name=name, actor=staff)
    if DESKS.get(office.slug):
        screen_services.create_screen_message(
            office,
            text="Bienvenue ! Demandez le programme des visites guidées de la semaine à l'accueil.",
            starts_on=DEMO_DAY,
            ends_on=DEMO_DAY + datetime.timedelta(days=30),
            actor=staff,
        )
