"""Using what the pack includes: consume_entitlement, its limits, and concurrent claims."""

import threading

import pytest
from django.db import connection, transaction

from ensemble.memberships import services
from ensemble.memberships.errors import MembershipError
from ensemble.memberships.models import Entitlement, EntitlementConsumption, Membership

from .concurrency import require_postgresql, run_in_threads
from .conftest import assert_refused, offer

S = Membership.Status
EXHAUSTED = "Ce droit est épuisé pour la saison : il peut être commandé en option ou sur devis."
NOT_LIVE = "L'adhésion n'est pas active : ce droit ne peut pas être utilisé."


def entitlement(membership: Membership, kind: str) -> Entitlement:
    return Entitlement.objects.get(membership=membership, kind=kind)


def uses(ent: Entitlement) -> int:
    return EntitlementConsumption.objects.filter(entitlement=ent).count()


@pytest.fixture
def active(make_membership):
    return make_membership(S.ACTIVE)


def test_consume_decrements_the_remaining_quantity(active, staff_user):
    banner = entitlement(active, "screen_banner")
    assert banner.remaining == 1
    use = services.consume_entitlement(banner, actor=staff_user, note="Bandeau de printemps")
    banner.refresh_from_db()
    assert (banner.used, banner.remaining) == (1, 0)
    assert (use.quantity, use.note, use.actor) == (1, "Bandeau de printemps", staff_user)
    assert uses(banner) == 1


def test_consume_beyond_the_quantity_is_refused(active, staff_user):
    salon = entitlement(active, "salon_day")
    services.consume_entitlement(salon, actor=staff_user)
    with assert_refused(EXHAUSTED, field=None):
        services.consume_entitlement(salon, actor=staff_user)
    salon.refresh_from_db()
    assert salon.used == 1


def test_consume_several_at_once_cannot_overdraw(make_membership, season, staff_user):
    membership = make_membership(S.ACTIVE, options={offer(season, "photos-25").pk: 1})
    photos = entitlement(membership, "photos")
    services.consume_entitlement(photos, quantity=20, actor=staff_user)
    with assert_refused(EXHAUSTED, field=None):
        services.consume_entitlement(photos, quantity=6, actor=staff_user)
    services.consume_entitlement(photos, quantity=5, actor=staff_user)
    photos.refresh_from_db()
    assert (photos.used, photos.remaining) == (25, 0)


@pytest.mark.parametrize("quantity", [0, -1])
def test_consume_quantity_below_one_is_refused(active, staff_user, quantity):
    with assert_refused("La quantité doit être d'au moins 1.", field="quantity"):
        services.consume_entitlement(entitlement(active, "training"), quantity=quantity, actor=staff_user)


def test_unlimited_entitlement_never_runs_out(active, staff_user):
    meetings = entitlement(active, "pro_meetings")
    assert meetings.quantity is None
    for _ in range(25):
        services.consume_entitlement(meetings, actor=staff_user)
    meetings.refresh_from_db()
    assert meetings.used == 25
    assert meetings.remaining is None
    assert uses(meetings) == 25


def test_consume_while_notice_is_running_is_allowed(make_membership, staff_user):
    membership = make_membership(S.NOTICE_GIVEN)
    services.consume_entitlement(entitlement(membership, "training"), actor=staff_user)
    assert entitlement(membership, "training").used == 1


@pytest.mark.parametrize("status", [S.SUSPENDED, S.TERMINATED, S.EXPIRED])
def test_consume_on_a_membership_that_is_not_live_is_refused(make_membership, staff_user, status):
    membership = make_membership(status)
    with assert_refused(NOT_LIVE, field=None):
        services.consume_entitlement(entitlement(membership, "training"), actor=staff_user)


def test_consume_checks_the_membership_as_stored_not_as_loaded(active, staff_user):
    # Loaded through the membership, the entitlement carries that (now stale) ACTIVE object.
    training = active.entitlements.get(kind="training")
    services.suspend_membership(active, actor=staff_user, reason="Fiche non mise à jour")
    assert training.membership.status == S.ACTIVE  # what the caller still holds
    with assert_refused(NOT_LIVE, field=None):
        services.consume_entitlement(training, actor=staff_user)


# --- Real threads against PostgreSQL ----------------------------------------------------------


@pytest.fixture
def three_training_seats(make_membership, season):
    # One seat per person for three people: 3 seats (the pack's own seat is another row: A9).
    membership = make_membership(S.ACTIVE, options={offer(season, "formation-reseaux-sociaux").pk: 3})
    seats = Entitlement.objects.get(
        membership=membership, kind="training", source__offer__code="formation-reseaux-sociaux"
    )
    assert seats.quantity == 3
    return seats


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_claims_on_three_seats_consume_exactly_three(three_training_seats):
    require_postgresql()
    seats_id = three_training_seats.pk
    connection.close()  # leave the pool's connections to the threads

    def claim() -> str:
        try:
            services.consume_entitlement(Entitlement.objects.get(pk=seats_id), actor=None)
        except MembershipError as exc:
            assert exc.message == EXHAUSTED
            return "refused"
        return "ok"

    outcomes = run_in_threads(10, claim)
    assert outcomes.count("ok") == 3
    assert outcomes.count("refused") == 7
    assert EntitlementConsumption.objects.filter(entitlement_id=seats_id).count() == 3
    assert Entitlement.objects.get(pk=seats_id).used == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_read_then_write_without_the_guard_overconsumes(three_training_seats):
    """The control run: the same threads with a naive read-check-write lose the race, so the
    test above would catch a missing guard."""
    require_postgresql()
    seats_id = three_training_seats.pk
    connection.close()
    count = 6
    all_have_read = threading.Barrier(count)

    def naive_claim() -> str:
        with transaction.atomic():
            seats = Entitlement.objects.get(pk=seats_id)
            all_have_read.wait(timeout=30)
            if seats.used + 1 > seats.quantity:
                return "refused"
            seats.used += 1
            seats.save(update_fields=["used"])
            EntitlementConsumption.objects.create(entitlement=seats, quantity=1)
        return "ok"

    outcomes = run_in_threads(count, naive_claim)
    assert outcomes.count("ok") > 3
    assert EntitlementConsumption.objects.filter(entitlement_id=seats_id).count() > 3
