"""The core kit every app uses: the row lock, the acting user, work queued on commit, the
state-machine tables, and a service's error on a form."""

import logging

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.transaction import TransactionManagementError

from ensemble.billing.errors import BillingError
from ensemble.billing.quotes import Quote
from ensemble.claims.errors import ClaimError
from ensemble.claims.models import Claim
from ensemble.core.audit import acting_user
from ensemble.core.errors import EnsembleError
from ensemble.core.forms import ServiceErrorFormMixin
from ensemble.core.transactions import enqueue_on_commit, lock
from ensemble.core.workflow import Transitions, move
from ensemble.memberships.errors import MembershipError
from ensemble.memberships.models import Membership
from ensemble.screens.models import Screen

MS, CS, QS = Membership.Status, Claim.Status, Quote.State


# ---- lock ----------------------------------------------------------------------------------


@pytest.fixture
def screen(office, staff_user):
    return Screen.objects.create(office=office, name="Accueil", token_hash="a" * 64, created_by=staff_user)


def test_lock_reads_the_stored_row_and_refreshes_the_callers_instance(screen, django_assert_num_queries):
    stale = Screen.objects.get(pk=screen.pk)
    Screen.objects.filter(pk=screen.pk).update(name="Hall de la gare")
    with transaction.atomic():
        locked = lock(stale, related=("office",))
    assert locked.name == "Hall de la gare"
    assert stale.name == "Hall de la gare"  # the caller's own object is current too
    with django_assert_num_queries(0):  # joined by the locking query, for both objects
        assert locked.office.slug == stale.office.slug == screen.office.slug


def test_changes_to_the_locked_copy_do_not_touch_the_callers_object(screen):
    """A refusal raised after the service changed its copy leaves the caller's object as stored."""
    with transaction.atomic():
        locked = lock(screen)
        locked.name = "Changé puis refusé"
    assert locked is not screen
    assert screen.name == "Accueil"


def test_lock_drops_relations_cached_on_the_callers_object(screen, other_office):
    assert screen.office.pk != other_office.pk  # cached now
    Screen.objects.filter(pk=screen.pk).update(office=other_office)
    with transaction.atomic():
        locked = lock(screen)
    assert screen.office == other_office
    assert locked.office == other_office


def test_lock_loads_a_handle_built_from_an_id(screen):
    with transaction.atomic():
        locked = lock(Screen(pk=screen.pk))
        assert (locked.name, locked.office_id) == ("Accueil", screen.office_id)
        assert locked._state.adding is False
        locked.name = "Entrée"
        locked.save(update_fields=["name"])
    screen.refresh_from_db()
    assert screen.name == "Entrée"


@pytest.mark.django_db(transaction=True)
def test_lock_refuses_to_run_outside_a_transaction(screen):
    with pytest.raises(TransactionManagementError, match="inside the service's transaction"):
        lock(screen)


def test_lock_of_a_deleted_row_raises_does_not_exist(screen):
    Screen.objects.filter(pk=screen.pk).delete()
    with transaction.atomic(), pytest.raises(Screen.DoesNotExist):
        lock(screen)


# ---- the acting user -------------------------------------------------------------------------


def test_acting_user_is_none_for_nobody_and_anonymous_visitors(staff_user):
    assert acting_user(None) is None
    assert acting_user(AnonymousUser()) is None
    assert acting_user(staff_user) is staff_user


# ---- enqueue_on_commit -----------------------------------------------------------------------


class FakeTask:
    """A task of a backend other than the database's (the tests' immediate backend is one): it is
    queued on commit. The database backend's path, inside the transaction: tests/test_worker.py."""

    def __init__(self):
        self.calls = []

    def get_backend(self):
        return object()

    def enqueue(self, *args, **kwargs):
        self.calls.append((args, kwargs))


def test_enqueue_on_commit_waits_for_the_commit(db, django_capture_on_commit_callbacks):
    task = FakeTask()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit(task, 42, "nl")
    assert task.calls == []  # not before the commit
    for callback in callbacks:
        callback()
    assert task.calls == [((42, "nl"), {})]


def test_enqueue_on_commit_queues_nothing_when_the_transaction_rolls_back(
    db, django_capture_on_commit_callbacks
):
    task = FakeTask()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValueError), transaction.atomic():
            enqueue_on_commit(task, 42)
            raise ValueError
    assert callbacks == []
    assert task.calls == []


# ---- transitions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model, state, action, allowed",
    [
        (Membership, MS.REQUESTED, "accept", True),
        (Membership, MS.ACTIVE, "accept", False),
        (Membership, MS.NOTICE_GIVEN, "suspend", True),
        (Membership, MS.TERMINATED, "reinstate", False),
        (Claim, CS.REQUESTED, "cancel", True),
        (Claim, CS.ACCEPTED, "cancel", False),
        (Claim, CS.ACCEPTED, "complete", True),
        (Claim, CS.DONE, "refuse", False),
        (Quote, QS.DRAFT, "send", True),
        (Quote, QS.SENT, "send", False),
        (Quote, QS.ACCEPTED, "invoice", True),
        (Quote, QS.SENT, "invoice", False),
    ],
)
def test_each_table_allows_and_forbids_per_state(model, state, action, allowed):
    table = model.TRANSITIONS
    assert table.can(state, action) is allowed
    assert model(**{table.field: state}).can(action) is allowed  # the model's own `can`


@pytest.mark.parametrize(
    "model, state, action, error",
    [
        (Membership, MS.REFUSED, "activate", MembershipError),
        (Claim, CS.CANCELLED, "accept", ClaimError),
        (Quote, QS.DECLINED, "accept", BillingError),
    ],
)
def test_check_raises_the_apps_error_with_the_message(model, state, action, error):
    with pytest.raises(error) as refused:
        model.TRANSITIONS.check(state, action, "Refusé ici.", code="transition")
    assert (refused.value.message, refused.value.code) == ("Refusé ici.", "transition")


def test_check_returns_the_target_and_builds_no_message_when_allowed():
    def message():
        raise AssertionError("the refusal is only built when refused")

    assert Quote.TRANSITIONS.check(QS.SENT, "accept", message) == QS.ACCEPTED
    assert Claim.TRANSITIONS.check(CS.REQUESTED, "refuse", message) == CS.REFUSED


def test_tables_still_read_like_their_dicts():
    sources, target = Membership.TRANSITIONS["expire"]
    assert sources == {MS.ACTIVE, MS.SUSPENDED, MS.NOTICE_GIVEN}
    assert target == MS.EXPIRED
    assert set(Quote.TRANSITIONS) == {"send", "accept", "decline", "expire", "invoice"}
    assert Quote.TRANSITIONS.field == "state"


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        Claim.TRANSITIONS.can(CS.REQUESTED, "teleport")


def test_a_table_without_its_apps_error_raises_the_core_error():
    table = Transitions({"close": ({"open"}, "closed")})
    with pytest.raises(EnsembleError):
        table.check("closed", "close", "Déjà fermé.")


def test_move_saves_only_the_state_and_logs(make_membership, staff_user, caplog):
    membership = make_membership(MS.REQUESTED)
    caplog.set_level(logging.INFO, logger="ensemble.core.workflow")
    with transaction.atomic():
        locked = lock(membership)
        locked.payment_method = "zz"  # changed in memory, not part of the move
        before = move(locked, "accept", "Refusé.", actor=staff_user)
    assert before == MS.REQUESTED
    stored = Membership.objects.get(pk=membership.pk)
    assert stored.status == MS.AWAITING_PAYMENT
    assert stored.payment_method == membership.payment_method != "zz"
    assert f"memberships.Membership {membership.pk}: accept (requested -> awaiting_payment)" in caplog.text
    assert f"by user {staff_user.pk}" in caplog.text


def test_a_forbidden_move_raises_and_writes_nothing(make_membership):
    membership = make_membership(MS.REQUESTED)
    stamp = membership.updated_at
    with pytest.raises(MembershipError, match="Impossible ici"), transaction.atomic():
        move(lock(membership), "reinstate", lambda: "Impossible ici.")
    stored = Membership.objects.get(pk=membership.pk)
    assert (stored.status, stored.updated_at) == (MS.REQUESTED, stamp)


# ---- a service's error on a form ---------------------------------------------------------------


class NameForm(ServiceErrorFormMixin, forms.Form):
    name = forms.CharField()
    credit = forms.CharField(required=False)
    service_field_map = {"photos": "credit", "amenities": ""}


@pytest.mark.parametrize(
    "field, lands_on",
    [
        ("name", "name"),  # a field of the form: on it
        ("photos", "credit"),  # the service calls it otherwise: mapped
        ("amenities", "__all__"),  # mapped to nothing: above the form
        ("siret", "__all__"),  # not a field of this form: above it
        (None, "__all__"),  # no field: above the form
    ],
)
def test_service_error_lands_on_its_field_or_above_the_form(field, lands_on):
    form = NameForm(data={"name": "Le Marais", "credit": ""})
    assert form.is_valid()
    form.add_service_error(EnsembleError("Refusé par le service.", field=field))
    assert form.errors == {lands_on: ["Refusé par le service."]}
