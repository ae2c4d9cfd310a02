"""Load the demo: two offices, their staff, last year's and this year's seasons, and invented
partners.

The seasons are replayed day by day (`clock.on`): every request, validation, payment and notice
goes through the services on the day it happens, up to today at the latest (`DEMO_DAY`). Both
seasons carry the partner guide's 2022 catalogue and texts (year moved forward); the 2022 season
itself is installed as the guide prints it, closed. Last year's season holds the partners who
left.

Idempotent: natural keys make a second run a no-op (offices by slug, people by e-mail, partners
by office and SIRET). A partner is loaded in one transaction, so an interrupted run leaves no
half partner behind.
"""

import dataclasses
import datetime
import functools
from collections import Counter

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import get_hasher, make_password
from django.db import transaction

from ensemble.accounts.models import StaffMembership, User
from ensemble.accounts.services import get_or_create_login
from ensemble.core.models import Office
from ensemble.directory import services as directory_services
from ensemble.directory.models import Category, Establishment, Organisation
from ensemble.events.models import Event
from ensemble.listings.models import Listing
from ensemble.memberships import selectors as membership_selectors
from ensemble.memberships import services
from ensemble.memberships.models import Membership, Season

from . import identities
from .billing import load_billing
from .clock import on
from .espace_pro import load_espace_pro
from .events import load_events
from .listings import load_listings
from .offices import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    GUIDE_YEAR,
    OFFICES,
    PREVIOUS_YEAR,
    SEASON_SETUP_DAY,
    SEASON_YEAR,
    SETUP_DAY,
    STAFF,
)
from .outcomes import Actors, Step, bring_to_outcome
from .partners import FORMER_PARTNER_OUTCOMES, PARTNERS_BY_OFFICE, TOWNS, PartnerSpec
from .publishing import load_publishing

EVIDENCE = services.Evidence(ip_address=None, user_agent="manage.py load_demo")


class DemoError(Exception):
    pass


@dataclasses.dataclass
class OfficeContext:
    office: Office
    actors: Actors
    seasons: dict[int, Season]


@functools.cache
def _demo_password_hash(hasher: str) -> str:
    """Hashed once per run (a PBKDF2 hash costs ~0.5 s): every demo login shares it."""
    return make_password(DEMO_PASSWORD)


def set_demo_password(user: User) -> None:
    """What `accounts.services.set_initial_password` does, without its password validation: the
    published demo password is deliberately close to the demo e-mails (…@ensemble.demo), which
    the similarity validator rightly refuses for real people."""
    user.password = _demo_password_hash(get_hasher().algorithm)
    user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def ensure_login(email: str, *, full_name: str, language: str = "fr") -> User:
    """A demo login with the demo password and a verified e-mail; left alone if it has one."""
    user = get_or_create_login(email, full_name=full_name, language=language)
    if not user.has_usable_password():
        set_demo_password(user)
    return user


def ensure_admin() -> User:
    with on(SETUP_DAY):
        if not User.objects.filter(email=ADMIN_EMAIL).exists():
            User.objects.create_superuser(ADMIN_EMAIL, full_name="Administration Ensemble")
        return ensure_login(ADMIN_EMAIL, full_name="Administration Ensemble")


def _ensure_staff(office: Office) -> Actors:
    staff = {}
    for member in (s for s in STAFF if s.office == office.slug):
        user = ensure_login(member.email, full_name=member.full_name)
        StaffMembership.objects.get_or_create(
            user=user, office=office, defaults={"pole": member.pole, "role": member.role}
        )
        staff[member.pole] = user  # the pôle's last one acts in the demo's story
    anyone = next(iter(staff.values()))
    return Actors(
        partners=staff.get(StaffMembership.Pole.PARTNERS, anyone),
        administration=staff.get(StaffMembership.Pole.ADMINISTRATION, anyone),
        reception=staff.get(StaffMembership.Pole.RECEPTION, anyone),
    )


def ensure_office(spec: dict) -> OfficeContext:
    """The office, its categories, its staff and the 2021 season (the 2022 one comes later)."""
    with on(SETUP_DAY):
        fields = {k: v for k, v in spec.items() if k != "slug"}
        office, _ = Office.objects.get_or_create(slug=spec["slug"], defaults=fields)
        directory_services.ensure_default_categories(office)
        if PREVIOUS_YEAR > GUIDE_YEAR:
            services.install_seed_catalogue(office, year=GUIDE_YEAR, open_for_joining=False)
        previous = services.install_seed_catalogue(office, year=PREVIOUS_YEAR, open_for_joining=True)
        actors = _ensure_staff(office)
    return OfficeContext(office=office, actors=actors, seasons={PREVIOUS_YEAR: previous})


def install_current_season(context: OfficeContext) -> None:
    with on(SEASON_SETUP_DAY):
        context.seasons[SEASON_YEAR] = services.install_seed_catalogue(
            context.office, year=SEASON_YEAR, open_for_joining=True
        )


def application(context: OfficeContext, season: Season, spec: PartnerSpec) -> services.JoinApplication:
    """The bulletin as the partner fills in the join form."""
    terms = membership_selectors.current_terms(season)
    offers = {offer.code: offer for offer in membership_selectors.catalogue(season)}
    category = Category.objects.get(office=context.office, slug=spec.category)
    first_name, last_name = spec.contact.split(" ", 1)
    return services.JoinApplication(
        establishment_name=spec.name,
        first_name=first_name,
        last_name=last_name,
        address=spec.address,
        postcode=TOWNS[spec.town][0],
        city=spec.town,
        phone=identities.phone_for(spec.key),
        email=identities.email_for(spec),
        siret=identities.siret_for(spec.key),
        category_id=category.pk,
        pack_id=offers["pack-partenaire"].pk,
        options={offers[code].pk: quantity for code, quantity in spec.options},
        payment_method=spec.payment,
        accepted_charter_id=terms["charter"].pk,
        accepted_cgv_id=terms["cgv"].pk,
        language=spec.language,
    )


def complete_directory_record(membership: Membership, spec: PartnerSpec, actor: User) -> None:
    """What staff add after the join form: the legal name and the map position."""
    organisation = membership.organisation
    if organisation.name != spec.organisation:
        directory_services.update_organisation(organisation, actor=actor, name=spec.organisation)
    latitude, longitude = identities.coordinates_for(spec)
    directory_services.save_establishment(
        organisation,
        actor=actor,
        establishment=membership.establishment,
        latitude=latitude,
        longitude=longitude,
    )


def season_year(spec: PartnerSpec) -> int:
    return PREVIOUS_YEAR if spec.outcome in FORMER_PARTNER_OUTCOMES else SEASON_YEAR


def load_partner(context: OfficeContext, spec: PartnerSpec) -> bool:
    """Join, then follow the membership to its outcome. False if the partner already exists."""
    siret = identities.siret_for(spec.key)
    if Organisation.objects.filter(office=context.office, siret=siret).exists():
        return False
    year = season_year(spec)
    season, dates = context.seasons[year], identities.dates_for(spec, year)
    with transaction.atomic():
        with on(dates.joined, hour=9):
            result = services.submit_join_request(
                context.office, application(context, season, spec), evidence=EVIDENCE
            )
            membership = result.membership
            if membership.season_id != season.pk:
                raise DemoError(
                    f"{spec.name} : la demande est allée à la saison {membership.season} au lieu de "
                    f"{season}. Chargez la démo dans une base neuve."
                )
            if spec.login and not membership.applicant.has_usable_password():
                set_demo_password(membership.applicant)
        with on(dates.accepted, hour=9):
            complete_directory_record(membership, spec, context.actors.partners)
        bring_to_outcome(Step(membership, spec, dates, context.actors))
    return True


def close_previous_season(contexts: list[OfficeContext]) -> dict[str, int]:
    """The daily job on 1 January: the 2021 memberships still live expire (first run only)."""
    pending = Membership.objects.filter(
        season__in=[c.seasons[PREVIOUS_YEAR] for c in contexts],
        status__in=Membership.TRANSITIONS["expire"][0],
    )
    if not pending.exists():
        return {}
    with on(datetime.date(SEASON_YEAR, 1, 1), hour=3):
        return services.close_due_memberships()


def load_demo() -> dict:
    """Load everything; returns what was created in this run."""
    contexts = [ensure_office(spec) for spec in OFFICES]
    ensure_admin()
    created = Counter()

    def load(former: bool) -> None:
        for context in contexts:
            for spec in PARTNERS_BY_OFFICE[context.office.slug]:
                if (spec.outcome in FORMER_PARTNER_OUTCOMES) == former and load_partner(context, spec):
                    created[context.office.slug] += 1

    load(former=True)  # the 2021 season, before the 2022 one exists (joins go to the open season)
    for context in contexts:
        install_current_season(context)
    closed = close_previous_season(contexts)
    load(former=False)
    load_billing(contexts)
    listings = load_listings(contexts)
    load_espace_pro(contexts)
    load_events(contexts)
    load_publishing(contexts)
    return {
        "created": dict(created),
        "closed": closed,
        "listings": listings,
        "offices": [c.office for c in contexts],
    }


def summary(office: Office) -> dict:
    rows = Membership.objects.filter(office=office).values_list("season__year", "status")
    by_season: dict[int, Counter] = {}
    for year, status in rows:
        by_season.setdefault(year, Counter())[status] += 1
    return {
        "organisations": Organisation.objects.filter(office=office).count(),
        "establishments": Establishment.objects.filter(office=office).count(),
        "seasons": {year: dict(by_season[year]) for year in sorted(by_season)},
        "events": Event.objects.filter(office=office).count(),
        "places": Listing.objects.filter(office=office, is_office_place=True).count(),
    }


def demo_logins() -> list[tuple[str, str]]:
    logins = [(ADMIN_EMAIL, "superutilisateur (admin Django)")]
    logins += [(s.email, f"équipe {s.office}, {StaffMembership.Pole(s.pole).label}") for s in STAFF]
    partners: dict[str, list[str]] = {}
    for slug, specs in PARTNERS_BY_OFFICE.items():
        for spec in specs:
            if spec.login:
                partners.setdefault(spec.email, []).append(slug)
    logins += [(email, "partenaire de " + " et ".join(slugs)) for email, slugs in partners.items()]
    return logins
