"""Staff roles: every back-office URL, read from the URL configuration, answers what the permission
matrix says, for every role, with the office's own ids and with another office's ids.

- Every view declares its permission (a view without one fails the first test).
- With office A's ids: a role lacking the permission the method needs gets 403 and changes
  nothing (the attempt is logged); a role holding it gets a real answer (not 403, 404 or 5xx).
- With office B's ids put in office A's URLs: lacking → 403 (the role is checked first), holding
  → 404 (the office-scoped selector finds nothing).
Each id in a URL is mapped to its object by the segment just before it (`factures/<int:pk>` is an
invoice); a new (segment, parameter) pair must be added to OBJECT_OF, or the walk fails — so no
new URL escapes it.

Also here: a refused action is logged and changes nothing, and the team pages and services
(invite, change a role, deactivate, reactivate, the audit log and its CSV export).
"""

import collections
import contextlib
import csv
import datetime
import html
import io
import re

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ensemble.accounts import staff as staff_services
from ensemble.accounts.models import StaffMembership, User
from ensemble.accounts.roles import ROLE_PERMISSIONS, Permission, Role, role_has
from ensemble.accounts.services import AccountError
from ensemble.backoffice import urls as backoffice_urls
from ensemble.backoffice.access import StaffRequiredMixin
from ensemble.billing import services as billing_services
from ensemble.billing.models import Invoice
from ensemble.billing.payments import Payment
from ensemble.campaigns import services as campaign_services
from ensemble.claims import services as claim_services
from ensemble.core import audit
from ensemble.core.models import AuditEntry, OutboundEmail
from ensemble.datatourisme import services as datatourisme_services
from ensemble.datatourisme.models import ImportRun
from ensemble.directory.models import Contact
from ensemble.events import services as event_services
from ensemble.guide import services as guide_services
from ensemble.guide.models import GuideEdition
from ensemble.listings import services as listing_services
from ensemble.listings.models import ListingVersion
from ensemble.memberships import services as membership_services
from ensemble.screens import services as screen_services

from .conftest import BULLETIN_ON, EVIDENCE, PAID_ON, make_application, verified
from .factories import StaffFactory, UserFactory
from .images import jpeg_upload
from .test_quote_pages import make_quote
from .test_screens import banner_image

pytestmark = pytest.mark.django_db

PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")

# (the route segment just before the parameter, the parameter) → the object it names.
OBJECT_OF = {
    ("adhesions", "pk"): "membership",
    ("organisations", "pk"): "organisation",
    ("organisations", "organisation_pk"): "organisation",
    ("etablissements", "est_pk"): "establishment",
    ("contacts", "contact_pk"): "contact",
    ("catalogue", "season_pk"): "season",
    ("factures", "pk"): "invoice",
    ("reglements", "payment_pk"): "payment",
    ("devis", "pk"): "quote",
    ("moderation", "pk"): "proposal",
    ("fiches", "pk"): "listing",
    ("versions", "number"): "version",
    ("equipements-et-labels", "pk"): "amenity",
    ("demandes", "pk"): "claim",
    ("banque-images", "pk"): "image",
    ("campagnes", "pk"): "campaign",
    ("agenda", "pk"): "event",
    ("ecrans", "pk"): "screen",
    ("messages", "pk"): "screen_message",
    ("visibilite", "year"): "year",
    ("guide-imprime", "pk"): "guide_edition",
    ("imports", "run_id"): "run",
    ("equipe", "staff_pk"): "staff",
    ("documents", "kind"): "terms_kind",
    ("offres", "pk"): "offer",
}
# Not ids of an office's records: the same value in both offices' walks.
SHARED_VALUES = {"year", "terms_kind"}


# ---- the URL configuration -----------------------------------------------------------------------


def backoffice_routes(patterns=None, prefix=""):
    """(route, name) of every back-office URL, includes followed."""
    for pattern in backoffice_urls.urlpatterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from backoffice_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def route_objects(route: str) -> dict[str, str]:
    """{parameter: object kind} of a route; an unknown pair fails with what to do."""
    kinds = {}
    for match in PARAM.finditer(route):
        before = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        key = (before, match["name"])
        assert key in OBJECT_OF, (
            f"back-office route {route!r} names {key}: add it to OBJECT_OF in tests/test_backoffice_roles.py "
            "(and an object of that kind to build_office) so the permission walk covers it"
        )
        kinds[match["name"]] = OBJECT_OF[key]
    return kinds


def fill(route: str, office, values: dict) -> str:
    kinds = route_objects(route)
    path = PARAM.sub(lambda m: str(values[kinds[m["name"]]]), route)
    return f"/{office.slug}/gestion/{path}"


def view_class(url: str):
    func = resolve(url).func
    view = getattr(func, "view_class", None)
    assert view is not None, f"{url} is served by a function view: make it a StaffRequiredMixin class"
    return view


def test_every_back_office_view_declares_its_permission(office):
    undeclared = {}
    routes = list(backoffice_routes())
    assert len(routes) >= 90
    for route, name in routes:
        url = PARAM.sub("1", f"/{office.slug}/gestion/{route}")
        view = view_class(url)
        if not issubclass(view, StaffRequiredMixin):
            undeclared[name] = "not a StaffRequiredMixin view"
            continue
        for method in ("GET", "POST"):
            try:
                needed = view.required_permission(method)
            except ImproperlyConfigured as exc:
                undeclared[f"{method} {name}"] = str(exc)
                continue
            if needed not in Permission.values:
                undeclared[f"{method} {name}"] = f"{needed!r} is not a Permission"
    assert undeclared == {}


def test_an_undeclared_view_refuses_to_run():
    class Undeclared(StaffRequiredMixin):
        pass

    with pytest.raises(ImproperlyConfigured, match="Undeclared declares no permission"):
        Undeclared.required_permission("GET")


# ---- one object of each kind, in each office -----------------------------------------------------


def build_office(season, staff_user: User, domain: str) -> dict:
    """One record of each kind a back-office URL names, built through the services (a few fields a
    background task would fill are set directly: the guide's PDF)."""
    office = season.office
    membership = membership_services.submit_join_request(
        office,
        make_application(season, email=f"gite@{domain}", establishment_name=f"Gîte {domain}"),
        evidence=EVIDENCE,
    ).membership
    membership_services.record_signed_bulletin(membership, actor=staff_user, received_on=BULLETIN_ON)
    billing_services.accept_and_invoice(membership, actor=staff_user)
    membership.refresh_from_db()
    billing_services.record_membership_payment(
        membership, actor=staff_user, method="transfer", amount=membership.amount_due, received_on=PAID_ON
    )
    membership.refresh_from_db()
    partner = verified(membership.applicant)
    organisation = membership.organisation
    invoice = Invoice.objects.filter(organisation=organisation).get()
    listing = listing_services.ensure_listing(membership.establishment)
    version = listing_services.edit_listing(
        listing, changes={"short_description_fr": "Un gîte au bord du marais."}, actor=staff_user
    )
    proposal = listing_services.propose_changes(
        listing, changes={"short_description_fr": "Un gîte rénové."}, actor=partner
    ).pending
    claim = claim_services.request_claim(
        membership, kind="screen_banner", actor=partner, image=banner_image(), text="Soirée contes"
    )
    event = event_services.submit_event(
        organisation,
        actor=partner,
        establishment=membership.establishment,
        title_fr="Balade contée",
        starts_at=datetime.datetime(2023, 1, 21, 15, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2023, 1, 21, 17, tzinfo=datetime.UTC),
    )
    screen, _token = screen_services.create_screen(office, name="Accueil", actor=staff_user)
    edition = guide_services.request_guide(office, language="fr", title="Guide 2023", actor=staff_user)
    edition.pdf.save("guide.pdf", ContentFile(b"%PDF-1.4 guide"), save=False)
    GuideEdition.objects.filter(pk=edition.pk).update(pdf=edition.pdf.name, status=GuideEdition.Status.DONE)
    run = datatourisme_services.import_objects(office, [], actor=staff_user, source=ImportRun.Source.UPLOAD)
    return {
        "membership": membership.pk,
        "organisation": organisation.pk,
        "establishment": membership.establishment_id,
        "contact": Contact.objects.filter(organisation=organisation).first().pk,
        "season": season.pk,
        "invoice": invoice.pk,
        "payment": Payment.objects.get(invoice=invoice).pk,
        "quote": make_quote(organisation, season, staff_user).pk,
        "listing": listing.pk,
        "version": version.number,
        "proposal": proposal.pk,
        "amenity": listing_services.create_amenity(
            office, group="label", names={"fr": f"Label {domain}"}, actor=staff_user
        ).pk,
        "claim": claim.pk,
        "image": claim_services.add_media_image(
            office, image=jpeg_upload(), title="Le marais", credit="Office", actor=staff_user
        ).pk,
        "campaign": campaign_services.create_campaign(
            office, title="Mise à jour 2023", deadline=datetime.date(2023, 2, 15), actor=staff_user
        ).pk,
        "event": event.pk,
        "screen": screen.pk,
        "screen_message": screen_services.create_screen_message(
            office,
            text="Fermé le 1er janvier",
            starts_on=datetime.date(2022, 12, 28),
            ends_on=datetime.date(2023, 1, 2),
            actor=staff_user,
        ).pk,
        "guide_edition": edition.pk,
        "run": run.run.pk,
        "staff": StaffFactory(
            office=office, role=Role.READ_ONLY, user=UserFactory(email=f"stagiaire@{domain}")
        ).pk,
        "year": 2022,
        "terms_kind": "charter",
        "offer": season.offers.order_by("pk").first().pk,
    }


@pytest.fixture
def ours(season, staff_user):
    return build_office(season, staff_user, "saint-omer.example")


@pytest.fixture
def theirs(other_season, other_staff_user):
    values = build_office(other_season, other_staff_user, "aire.example")
    assert ListingVersion.objects.filter(listing_id=values["listing"], number=values["version"]).exists()
    return values


# ---- the walk --------------------------------------------------------------------------------------


def walk_cases(office, ours: dict, theirs: dict):
    """(url, method, required permission, whose ids) of every URL and method of the back office."""
    for route, _name in backoffice_routes():
        own = fill(route, office, ours)
        view = view_class(own)
        methods = ["GET"] + (["POST"] if hasattr(view, "post") else [])
        foreign = fill(route, office, theirs) if set(route_objects(route).values()) - SHARED_VALUES else None
        for method in methods:
            needed = view.required_permission(method)
            yield own, method, needed, "A"
            if foreign is not None:
                yield foreign, method, needed, "B"


def chosen_roles(index: int, needed: str) -> list[tuple[str, bool]]:
    """One role holding the permission and one lacking it (when one does), taken in turn along
    the walk so that every role meets every kind of URL (see the walk's docstring)."""
    holding = [role for role in Role.values if role_has(role, needed)]
    lacking = [role for role in Role.values if not role_has(role, needed)]
    chosen = [(holding[index % len(holding)], True)]
    if lacking:
        chosen.append((lacking[index % len(lacking)], False))
    return chosen


def played_cases(office, ours, theirs) -> list[tuple]:
    """(url, method, needed, whose, role, holds) of the walk. Roles are taken in turn per
    (permission, office): one turn for the whole walk aliases with the URLs' order and can leave
    a role that lacks a permission almost never played."""
    turns = collections.Counter()
    cases = []
    for url, method, needed, whose in walk_cases(office, ours, theirs):
        for role, holds in chosen_roles(turns[needed, whose], needed):
            cases.append((url, method, needed, whose, role, holds))
        turns[needed, whose] += 1
    return cases


def request(client, method: str, url: str):
    return client.get(url) if method == "GET" else client.post(url, {})


def status_problem(status: int, *, holds: bool, whose: str) -> str | None:
    """None when the answer is the one the matrix gives."""
    if not holds:
        return None if status == 403 else "expected 403"
    if whose == "B":
        return None if status == 404 else "expected 404"
    if status in (403, 404) or status >= 500:
        return "expected a real answer (not 403, 404 or 5xx)"
    return None


# Tables a refused request may write: its access.denied entry, and the session (the staff clock).
UNTRACKED = {"core.auditentry", "sessions.session"}


def database_state() -> dict:
    """Every row of every table (except UNTRACKED), to compare before and after refused requests."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in UNTRACKED or not model._meta.managed:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        state[label] = sorted(map(repr, model._base_manager.values_list(*fields)))
    return state


@contextlib.contextmanager
def rolled_back():
    """Run a request inside a savepoint that is rolled back (the test client works in one: the
    `db` fixture's transaction is not committed either)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def role_clients(office):
    """One logged-in client per role, each a staff member of office A."""
    clients = {}
    for role in Role.values:
        user = verified(
            StaffFactory(office=office, role=role, user=UserFactory(email=f"{role}@saint-omer.example")).user
        )
        clients[role] = Client()
        clients[role].force_login(user)
    return clients


def test_every_url_answers_what_the_matrix_says_for_every_role(office, ours, theirs, role_clients):
    """Every URL, GET and (when the view has one) POST with empty data, with A's ids and with B's
    ids in A's URLs. Each (URL, method) is played by one role holding the permission it needs and
    one role lacking it, the roles taken in turn along the walk: about 500 requests, ~30 s on
    SQLite, instead of ~2,000 for every role on every URL (which passed too, in two minutes).
    Each role is still played 11 to 114 times, holding and lacking, with both offices' ids, and
    the test checks it was (at least 5 times each way and each office).

    Refused requests are all played first, then the database is compared whole with what it was
    before them: a 403 changes nothing, and each one wrote its access.denied entry. Allowed POSTs
    are then played each inside a savepoint rolled back at once, since some act without any data
    (launching a campaign, revoking a screen, preparing next season) and would change what the
    next request sees."""
    cases = played_cases(office, ours, theirs)
    wrong = {}
    before = database_state()
    denied_before = AuditEntry.objects.filter(action="access.denied").count()
    refused = [case for case in cases if not case[5]]
    for url, method, needed, whose, role, holds in refused:
        status = request(role_clients[role], method, url).status_code
        if problem := status_problem(status, holds=holds, whose=whose):
            wrong[f"{role} {method} {url}"] = f"{status}: {problem}, needs {needed}"
    changed = sorted(label for label, rows in database_state().items() if rows != before.get(label))
    if changed:
        wrong["refused requests changed tables"] = changed
    denied = AuditEntry.objects.filter(action="access.denied").count() - denied_before
    if denied != len(refused):
        wrong["access.denied entries"] = f"{denied} for {len(refused)} refused requests"

    for url, method, needed, whose, role, holds in cases:
        if not holds:
            continue
        with rolled_back() if method == "POST" else contextlib.nullcontext():
            status = request(role_clients[role], method, url).status_code
        if problem := status_problem(status, holds=holds, whose=whose):
            wrong[f"{role} {method} {url}"] = f"{status}: {problem}, needs {needed}"
    assert wrong == {}

    # Every role was played many times holding and lacking (direction lacks nothing), with both
    # offices' ids.
    played = collections.Counter((role, holds, whose) for _u, _m, _n, whose, role, holds in cases)
    for role in Role.values:
        for whose in ("A", "B"):
            assert played[role, True, whose] >= 5, (role, whose, played)
            assert role == Role.DIRECTION or played[role, False, whose] >= 5, (role, whose, played)


def test_the_walk_covers_every_kind_of_url_and_every_role(office, ours, theirs):
    cases = list(walk_cases(office, ours, theirs))
    needed = {permission for _url, _method, permission, _whose in cases}
    # Every permission guards at least one URL, and every role lacks at least one (but direction).
    assert needed == set(Permission.values)
    for role, permissions in ROLE_PERMISSIONS.items():
        if role != Role.DIRECTION:
            assert needed - permissions, role
    foreign = [url for url, _method, _needed, whose in cases if whose == "B"]
    assert len(foreign) >= 70
    assert all(f"/{office.slug}/gestion/" in url for url in foreign)


def test_an_unknown_url_parameter_fails_the_walk():
    with pytest.raises(AssertionError, match="add it to OBJECT_OF"):
        route_objects("parapluies/<int:pk>/")


# ---- a refused action ----------------------------------------------------------------------------


def backoffice(name: str, office_slug: str = "saint-omer", **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": office_slug, **kwargs})


def staff_with_role(office, role: str, email: str) -> User:
    return verified(StaffFactory(office=office, role=role, user=UserFactory(email=email)).user)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_refused_action_is_logged_and_changes_nothing(client, office, submit, staff_user):
    membership = submit().membership
    invoice = billing_services.accept_and_invoice(membership, actor=staff_user)[1]
    desk = staff_with_role(office, Role.RECEPTION, "accueil@saint-omer.example")
    client.force_login(desk)

    response = client.post(
        backoffice("invoice_credit", pk=invoice.pk), {"reason": "Adhésion annulée à la demande du partenaire"}
    )
    assert response.status_code == 403
    assert (
        "Votre rôle (Accueil) ne permet pas cette action : il faut le droit "
        "« Avoirs, annulations de paiement et remboursements »." in page_text(response)
    )
    assert not Invoice.objects.filter(kind="credit_note").exists()
    entry = AuditEntry.objects.get(action="access.denied", actor=desk)
    assert entry.office == office
    assert entry.data == {
        "permission": "refund",
        "path": backoffice("invoice_credit", pk=invoice.pk),
        "method": "POST",
    }
    # The same person may read the invoice: the role has the right to view.
    assert client.get(backoffice("invoice", pk=invoice.pk)).status_code == 200

    response = client.get(backoffice("organisation_export"))
    assert response.status_code == 403
    assert "il faut le droit « Exporter des données »" in page_text(response)
    assert "text/csv" not in response["Content-Type"]
    assert (
        AuditEntry.objects.filter(action="access.denied", actor=desk, data__permission="export").count() == 1
    )


# ---- the team --------------------------------------------------------------------------------------


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def team_counts() -> tuple[int, ...]:
    return (
        StaffMembership.objects.count(),
        User.objects.count(),
        OutboundEmail.objects.count(),
        AuditEntry.objects.count(),
        StaffMembership.objects.filter(is_active=True).count(),
        StaffMembership.objects.filter(role=Role.DIRECTION).count(),
    )


@pytest.fixture
def direction_client(client, staff_user):
    assert StaffMembership.objects.get(user=staff_user).role == Role.DIRECTION
    client.force_login(staff_user)
    return client


def test_direction_invites_a_person_by_email(direction_client, office, staff_user):
    response = direction_client.post(
        backoffice("team"),
        {"email": "Lea@Saint-Omer.example", "role": Role.ACCOUNTING, "pole": "administration"},
    )
    assert response.status_code == 302 and response["Location"] == backoffice("team")
    staff = StaffMembership.objects.get(office=office, user__email="lea@saint-omer.example")
    assert (staff.role, staff.pole, staff.is_active) == (Role.ACCOUNTING, "administration", True)
    email = OutboundEmail.objects.get(to="lea@saint-omer.example")
    assert f"/comptes/activer/{urlsafe_base64_encode(force_bytes(staff.user_id))}/" in email.body_text
    assert "Comptabilité" in email.body_text
    entry = AuditEntry.objects.get(action="staff.invited")
    assert (entry.actor, entry.office, entry.target_id) == (staff_user, office, str(staff.user_id))
    assert entry.data == {"role": "comptabilite", "pole": "administration"}
    assert AuditEntry.objects.filter(action__startswith="staff.").count() == 1


def test_the_team_page_says_whether_an_invitation_has_left(direction_client, office):
    """An invitation counts as sent only once its e-mail has left (issue 11): queued, sent or
    failed, for those who have not logged in yet."""
    direction_client.post(
        backoffice("team"),
        {"email": "lea@saint-omer.example", "role": Role.PROMOTION, "pole": "administration"},
    )
    email = OutboundEmail.objects.get(to="lea@saint-omer.example")
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.QUEUED, sent_at=None)
    assert "Invitation en attente d'envoi" in direction_client.get(backoffice("team")).content.decode()
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.FAILED)
    assert "Invitation non remise" in direction_client.get(backoffice("team")).content.decode()
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.SENT, sent_at=email.created_at
    )
    assert "Invitation envoyée le" in direction_client.get(backoffice("team")).content.decode()


def test_direction_changes_a_role_deactivates_and_reactivates(direction_client, client, office, staff_user):
    other = Client()
    person = staff_with_role(office, Role.READ_ONLY, "stagiaire@saint-omer.example")
    other.force_login(person)
    staff = StaffMembership.objects.get(user=person)

    direction_client.post(backoffice("team_role", staff_pk=staff.pk), {f"m{staff.pk}-role": Role.PROMOTION})
    staff.refresh_from_db()
    assert staff.role == Role.PROMOTION
    entry = AuditEntry.objects.get(action="staff.role_changed")
    assert (entry.actor, entry.target_id, entry.data) == (
        staff_user,
        str(person.pk),
        {"role": "promotion", "previous_role": "lecture"},
    )
    assert other.get(backoffice("screens")).status_code == 200

    direction_client.post(backoffice("team_deactivate", staff_pk=staff.pk))
    staff.refresh_from_db()
    assert not staff.is_active and staff.deactivated_at is not None
    assert AuditEntry.objects.get(action="staff.deactivated").actor == staff_user
    assert other.get(backoffice("dashboard")).status_code == 404
    assert other.post(backoffice("screens"), {"name": "Accueil"}).status_code == 404

    direction_client.post(backoffice("team_reactivate", staff_pk=staff.pk))
    staff.refresh_from_db()
    assert staff.is_active and staff.deactivated_at is None
    assert AuditEntry.objects.get(action="staff.reactivated").actor == staff_user
    assert other.get(backoffice("dashboard")).status_code == 200
    assert AuditEntry.objects.filter(action__startswith="staff.").count() == 3


def test_the_last_direction_member_can_be_neither_demoted_nor_deactivated(
    direction_client, office, staff_user
):
    staff = StaffMembership.objects.get(user=staff_user)
    other_direction = StaffFactory(office=office, role=Role.DIRECTION, is_active=False)  # does not count
    before = team_counts()
    message = "L'office doit garder au moins une personne avec le rôle Direction."
    response = direction_client.post(
        backoffice("team_role", staff_pk=staff.pk), {f"m{staff.pk}-role": Role.READ_ONLY}, follow=True
    )
    assert message in messages_of(response)
    response = direction_client.post(backoffice("team_deactivate", staff_pk=staff.pk), follow=True)
    assert message in messages_of(response)
    staff.refresh_from_db()
    assert (staff.role, staff.is_active) == (Role.DIRECTION, True)
    assert team_counts() == before
    with pytest.raises(AccountError, match="au moins une personne avec le rôle Direction"):
        staff_services.change_staff_role(staff, role=Role.ACCOUNTING, actor=staff_user)

    # With a second active direction member, the first may step down.
    staff_services.reactivate_staff(other_direction, actor=staff_user)
    staff_services.change_staff_role(staff, role=Role.ACCOUNTING, actor=staff_user)
    staff.refresh_from_db()
    assert staff.role == Role.ACCOUNTING


@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.DIRECTION])
def test_other_roles_get_403_on_the_team_pages(client, office, role):
    client.force_login(staff_with_role(office, role, f"{role}@saint-omer.example"))
    target = StaffFactory(office=office, role=Role.READ_ONLY)
    before = team_counts()
    for name in ("team", "audit_log", "audit_log_export"):
        assert client.get(backoffice(name)).status_code == 403, name
    data = {"email": "intrus@example.org", "role": Role.DIRECTION, "pole": "accueil"}
    assert client.post(backoffice("team"), data).status_code == 403
    assert (
        client.post(
            backoffice("team_role", staff_pk=target.pk), {f"m{target.pk}-role": "direction"}
        ).status_code
        == 403
    )
    assert client.post(backoffice("team_deactivate", staff_pk=target.pk)).status_code == 403
    after = team_counts()
    assert after[:3] == before[:3] and after[4:] == before[4:]
    assert after[3] == before[3] + 6  # one access.denied entry per refusal, nothing else
    target.refresh_from_db()
    assert (target.role, target.is_active) == (Role.READ_ONLY, True)


@pytest.fixture
def log(office, other_office, staff_user):
    """Entries of several kinds, authors and organisations (and one of another office)."""
    colleague = staff_with_role(office, Role.PARTNERS, "julie@saint-omer.example")
    entries = [
        ("invoice.issued", staff_user, 11),
        ("invoice.paid", colleague, 11),
        ("credit_note.issued", staff_user, 12),
        ("membership.accepted", colleague, 12),
        ("invoices.something", staff_user, None),  # "invoice" is a prefix up to a dot only
    ]
    for action, actor, organisation in entries:
        audit.record(action, actor=actor, office=office, organisation_id=organisation, data={"n": action})
    audit.record("invoice.issued", actor=staff_user, office=other_office, organisation_id=11)
    return colleague


def listed_actions(response) -> list[str]:
    return sorted(entry.action for entry, _text in response.context["rows"])


def test_the_audit_log_filters_by_action_actor_and_organisation(direction_client, log):
    page = direction_client.get(backoffice("audit_log"), {"action": "invoice"})
    assert listed_actions(page) == ["invoice.issued", "invoice.paid"]
    page = direction_client.get(backoffice("audit_log"), {"actor": "JULIE@saint-omer.example"})
    assert listed_actions(page) == ["invoice.paid", "membership.accepted"]
    page = direction_client.get(backoffice("audit_log"), {"organisation": "12"})
    assert listed_actions(page) == ["credit_note.issued", "membership.accepted"]
    page = direction_client.get(
        backoffice("audit_log"), {"action": "invoice.", "actor": "staff@saint-omer.example"}
    )
    assert listed_actions(page) == ["invoice.issued"]
    # A bad filter is ignored, never an error page.
    assert direction_client.get(backoffice("audit_log"), {"organisation": "abc"}).status_code == 200


def test_the_audit_log_export_holds_the_filtered_rows_only(direction_client, log, staff_user):
    response = direction_client.get(backoffice("audit_log_export"), {"organisation": "11"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=csv_delimiter(content)))
    header, body = rows[0], rows[1:]
    action = header.index("Action")
    assert sorted(row[action] for row in body) == ["invoice.issued", "invoice.paid"]
    exported = AuditEntry.objects.get(action="audit_log.exported")
    assert exported.actor == staff_user and exported.data == {"filters": {"organisation": "11"}}


def csv_delimiter(content: bytes) -> str:
    first_line = content.decode("utf-8-sig").splitlines()[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "pas-une-adresse", "role": Role.READ_ONLY}, "Saisissez une adresse de courriel valide."),
        ({"email": "lea@saint-omer.example", "role": "patron"}, "Sélectionnez un choix valide."),
        (
            {"email": "staff@saint-omer.example", "role": Role.READ_ONLY},
            "Cette personne fait déjà partie de l'équipe : changez son rôle ou réactivez-la.",
        ),
    ],
)
def test_a_bad_invitation_is_refused_with_a_french_message(direction_client, data, message):
    before = team_counts()
    response = direction_client.post(backoffice("team"), {"pole": "accueil", **data})
    assert response.status_code == 200
    assert message in page_text(response)
    assert team_counts() == before


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("pas-une-adresse", Role.READ_ONLY, "Cette adresse e-mail n'est pas valide."),
        ("lea@saint-omer.example", "patron", "Choisissez un rôle dans la liste."),
        (
            "staff@saint-omer.example",
            Role.READ_ONLY,
            "Cette personne fait déjà partie de l'équipe : changez son rôle ou réactivez-la.",
        ),
    ],
)
def test_the_invite_service_refuses_bad_input(office, staff_user, email, role, message):
    before = team_counts()
    with pytest.raises(AccountError) as info:
        staff_services.invite_staff(office, email=email, role=role, pole="accueil", actor=staff_user)
    assert info.value.message == message
    assert team_counts() == before


def test_an_unknown_role_on_the_team_page_changes_nothing(direction_client, office):
    staff = StaffFactory(office=office, role=Role.READ_ONLY)
    before = team_counts()
    response = direction_client.post(
        backoffice("team_role", staff_pk=staff.pk), {f"m{staff.pk}-role": "patron"}, follow=True
    )
    assert "Choisissez un rôle dans la liste." in messages_of(response)
    staff.refresh_from_db()
    assert staff.role == Role.READ_ONLY
    assert team_counts() == before


def test_team_pages_of_another_office_s_member_answer_404(direction_client, other_office):
    theirs = StaffFactory(office=other_office, role=Role.READ_ONLY)
    assert direction_client.post(backoffice("team_deactivate", staff_pk=theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active
