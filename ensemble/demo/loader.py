"""Load the demo: offices, staff, catalogue 2022 and invented partners; idempotent.

Natural keys make a second run a no-op: offices by slug, people by e-mail, partners by their
office and SIRET. A partner is loaded in one transaction, so an interrupted run leaves no half
partner behind and the next run completes it.
"""

import dataclasses
import datetime
import functools
from collections import Counter

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import get_hasher, make_password
from django.db import transaction
from django.utils import timezone

from ensemble.accounts.models import StaffMembership, User
from ensemble.accounts.services import get_or_create_login
from ensemble.core.models import Office
from ensemble.directory import services as directory_services
from ensemble.directory.models import Category, Establishment, Organisation
from ensemble.memberships import selectors as membership_selectors
from ensemble.memberships import services
from ensemble.memberships.models import Membership, Season

from . import identities
from .offices import ADMIN_EMAIL, DEMO_PASSWORD, OFFICES, SEASON_YEAR, STAFF
from .outcomes import Actors, bring_to_outcome
from .partners import CLOSED_AT_SEASON_END, PARTNERS_BY_OFFICE, TOWNS, PartnerSpec

EVIDENCE = services.Evidence(ip_address=None, user_agent="manage.py load_demo")


@dataclasses.dataclass
class OfficeContext:
    office: Office
    season: Season
    actors: Actors


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
    if not User.objects.filter(email=ADMIN_EMAIL).exists():
        User.objects.create_superuser(ADMIN_EMAIL, full_name="Administration Ensemble")
    return ensure_login(ADMIN_EMAIL, full_name="Administration Ensemble")


def ensure_office(spec: dict) -> OfficeContext:
    fields = {k: v for k, v in spec.items() if k != "slug"}
    office, _ = Office.objects.get_or_create(slug=spec["slug"], defaults=fields)
    directory_services.ensure_default_categories(office)
    season = services.install_seed_catalogue(office, year=SEASON_YEAR, open_for_joining=True)
    staff = {}
    for member in (s for s in STAFF if s.office == office.slug):
        user = ensure_login(member.email, full_name=member.full_name)
        StaffMembership.objects.get_or_create(
            user=user, office=office, defaults={"pole": member.pole, "is_manager": True}
        )
        staff[member.pole] = user
    any_staff = next(iter(staff.values()))
    actors = Actors(
        partners=staff.get(StaffMembership.Pole.PARTNERS, any_staff),
        administration=staff.get(StaffMembership.Pole.ADMINISTRATION, any_staff),
        reception=staff.get(StaffMembership.Pole.RECEPTION, any_staff),
    )
    return OfficeContext(office=office, season=season, actors=actors)


def application(context: OfficeContext, spec: PartnerSpec) -> services.JoinApplication:
    """The bulletin as the partner would fill in the join form."""
    season = context.season
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


def load_partner(context: OfficeContext, spec: PartnerSpec) -> bool:
    """Join, then follow the membership to its outcome. False if the partner already exists."""
    siret = identities.siret_for(spec.key)
    if Organisation.objects.filter(office=context.office, siret=siret).exists():
        return False
    with transaction.atomic():
        result = services.submit_join_request(context.office, application(context, spec), evidence=EVIDENCE)
        membership = result.membership
        complete_directory_record(membership, spec, context.actors.partners)
        bring_to_outcome(membership, spec, context.actors)
        if spec.login and not membership.applicant.has_usable_password():
            set_demo_password(membership.applicant)
    return True


def close_season_end(contexts: list[OfficeContext]) -> dict[str, int]:
    """Run the daily closing job as on the first day after the season, if the partners meant to
    end that way are still live (first run only: afterwards they are closed)."""
    sirets = [
        identities.siret_for(spec.key)
        for context in contexts
        for spec in PARTNERS_BY_OFFICE[context.office.slug]
        if spec.outcome in CLOSED_AT_SEASON_END
    ]
    pending = Membership.objects.filter(
        season__in=[c.season for c in contexts],
        organisation__siret__in=sirets,
        status__in=Membership.TRANSITIONS["expire"][0],
    )
    if not pending.exists():
        return {}
    return services.close_due_memberships(today=datetime.date(SEASON_YEAR + 1, 1, 1))


class DemoClockError(Exception):
    """The demo shows the 2022 season once it is over; it cannot be loaded before its end."""


def load_demo() -> dict:
    """Load everything; returns what was created in this run."""
    season_end = datetime.date(SEASON_YEAR, 12, 31)
    if timezone.localdate() <= season_end:
        raise DemoClockError(
            f"La démo présente la saison {SEASON_YEAR} une fois terminée (paiements reçus, "
            f"adhésions échues) : elle ne peut être chargée qu'après le {season_end:%d/%m/%Y}."
        )
    contexts = [ensure_office(spec) for spec in OFFICES]
    ensure_admin()
    created = Counter()

    def load(wanted) -> None:
        for context in contexts:
            for spec in PARTNERS_BY_OFFICE[context.office.slug]:
                if wanted(spec) and load_partner(context, spec):
                    created[context.office.slug] += 1

    # Partners whose membership ends with the season go first: the closing job, run as on
    # 1 January of the next year, must not touch the others.
    load(lambda spec: spec.outcome in CLOSED_AT_SEASON_END)
    closed = close_season_end(contexts)
    load(lambda spec: spec.outcome not in CLOSED_AT_SEASON_END)
    return {"created": dict(created), "closed": closed, "offices": [c.office for c in contexts]}


def summary(office: Office) -> dict:
    counts = membership_selectors.status_counts(office, None)
    return {
        "organisations": Organisation.objects.filter(office=office).count(),
        "establishments": Establishment.objects.filter(office=office).count(),
        "statuses": {status: counts[status] for status in Membership.Status.values},
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
