"""The membership state machine: transitions, activation, payments, notice, closing, renewal."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from ensemble.billing import services as billing_services
from ensemble.billing.payments import Payment
from ensemble.core.models import AuditEntry
from ensemble.directory.models import OrganisationMember
from ensemble.memberships import services
from ensemble.memberships.errors import MembershipError
from ensemble.memberships.models import (
    Entitlement,
    Membership,
    MembershipTransition,
    Offer,
)

from .conftest import BULLETIN_ON, NOTICE_ON, PAID_ON, assert_refused, offer, row_counts
from .factories import OrganisationFactory

S = Membership.Status
REASON = "Fiche non mise à jour malgré deux relances"
END_OF_NOTICE = NOTICE_ON + datetime.timedelta(days=30)
AFTER_SEASON = datetime.date(2023, 1, 1)


def transitions(membership: Membership) -> list[MembershipTransition]:
    return list(MembershipTransition.objects.filter(membership=membership).order_by("id"))


def accept(membership, *, actor):
    """Staff validate a request: accepted, and its invoice issued (billing)."""
    return billing_services.accept_and_invoice(membership, actor=actor)[0]


def pay(membership, actor, amount, received_on, method="transfer", **extra) -> Payment:
    """Payments go on the membership's invoice (billing), issued when the request is accepted."""
    return billing_services.record_membership_payment(
        membership,
        actor=actor,
        method=method,
        amount=Decimal(amount),
        received_on=received_on,
        **extra,
    )


# --- Every allowed transition -----------------------------------------------------------------

# (action, from status, how it is done, to status, reason recorded, done by staff)
ALLOWED = [
    ("accept", S.REQUESTED, "accept", S.AWAITING_PAYMENT, "", True),
    ("activate", S.AWAITING_PAYMENT, "pay", S.ACTIVE, "", True),
    ("refuse", S.REQUESTED, "refuse", S.REFUSED, REASON, True),
    ("refuse", S.AWAITING_PAYMENT, "refuse", S.REFUSED, REASON, True),
    ("suspend", S.ACTIVE, "suspend", S.SUSPENDED, REASON, True),
    ("suspend", S.NOTICE_GIVEN, "suspend", S.SUSPENDED, REASON, True),
    ("reinstate", S.SUSPENDED, "reinstate", S.ACTIVE, "Fiche mise à jour", True),
    ("terminate", S.AWAITING_PAYMENT, "terminate", S.TERMINATED, REASON, True),
    ("terminate", S.ACTIVE, "terminate", S.TERMINATED, REASON, True),
    ("terminate", S.SUSPENDED, "terminate", S.TERMINATED, REASON, True),
    ("terminate", S.NOTICE_GIVEN, "terminate", S.TERMINATED, REASON, True),
    ("give_notice", S.ACTIVE, "give_notice", S.NOTICE_GIVEN, "Cessation d'activité", True),
    ("end_notice", S.NOTICE_GIVEN, "close_after_notice", S.TERMINATED, "Fin du préavis", False),
    ("expire", S.ACTIVE, "close_after_season", S.EXPIRED, "Fin de la saison", False),
    ("expire", S.SUSPENDED, "close_after_season", S.EXPIRED, "Fin de la saison", False),
]


def _do(how: str, membership: Membership, staff, reason: str) -> None:
    if how == "accept":
        accept(membership, actor=staff)
    elif how == "pay":
        pay(membership, staff, membership.amount_due, PAID_ON)
    elif how == "refuse":
        services.refuse_membership(membership, actor=staff, reason=reason)
    elif how == "suspend":
        services.suspend_membership(membership, actor=staff, reason=reason)
    elif how == "reinstate":
        services.reinstate_membership(membership, actor=staff, reason=reason)
    elif how == "terminate":
        services.terminate_membership(membership, actor=staff, reason=reason)
    elif how == "give_notice":
        services.give_notice(membership, actor=staff, received_on=NOTICE_ON, reason=reason)
    elif how == "close_after_notice":
        services.close_due_memberships(today=END_OF_NOTICE)
    elif how == "close_after_season":
        services.close_due_memberships(today=AFTER_SEASON)


# The audit code each transition is logged under (the membership's own history keeps the action).
AUDIT_CODES = {
    "accept": "membership.accepted",
    "activate": "membership.activated",
    "refuse": "membership.refused",
    "suspend": "membership.suspended",
    "reinstate": "membership.reinstated",
    "terminate": "membership.terminated",
    "give_notice": "membership.notice_given",
    "end_notice": "membership.notice_ended",
    "expire": "membership.expired",
}


@pytest.mark.parametrize(
    ("action", "from_status", "how", "to_status", "reason", "by_staff"),
    ALLOWED,
    ids=[f"{a[0]}-from-{a[1]}" for a in ALLOWED],
)
def test_allowed_transition_is_logged_and_in_the_audit_log(
    make_membership, staff_user, action, from_status, how, to_status, reason, by_staff
):
    membership = make_membership(from_status)
    before = len(transitions(membership))
    entries = AuditEntry.objects.filter(
        organisation_id=membership.organisation_id, action=AUDIT_CODES[action], target_id=str(membership.pk)
    )
    entries_before = entries.count()

    _do(how, membership, staff_user, reason)

    membership.refresh_from_db()
    assert membership.status == to_status
    new = transitions(membership)[before:]
    logged = [t for t in new if t.action == action]
    assert len(logged) == 1
    assert (logged[0].from_status, logged[0].to_status) == (from_status, to_status)
    assert logged[0].reason == reason
    assert logged[0].actor == (staff_user if by_staff else None)
    assert entries.count() == entries_before + 1
    entry = entries.first()
    assert entry.data["status"] == [from_status, to_status]
    assert entry.data["season"] == 2022
    assert entry.office_id == membership.office_id
    assert entry.actor == (staff_user if by_staff else None)
    if by_staff:  # the daily job's reasons are its codes', not data
        assert entry.data.get("reason", "") == reason


def test_transition_table_is_fully_covered():
    covered = {(action, from_status) for action, from_status, *_ in ALLOWED}
    in_table = {
        (action, from_status)
        for action, (sources, _) in Membership.TRANSITIONS.items()
        for from_status in sources
    }
    # A notice always ends on or before the season's last day, so "expire" never meets a
    # NOTICE_GIVEN membership: close_due_memberships ends the notice first.
    assert in_table - covered == {("expire", S.NOTICE_GIVEN)}


def test_notice_running_to_season_end_terminates_rather_than_expires(make_membership):
    membership = make_membership(S.ACTIVE)
    services.give_notice(membership, actor=None, received_on=datetime.date(2022, 12, 20))
    services.close_due_memberships(today=AFTER_SEASON)
    membership.refresh_from_db()
    assert membership.status == S.TERMINATED
    assert transitions(membership)[-1].action == "end_notice"


# --- Forbidden transitions --------------------------------------------------------------------

FORBIDDEN = [
    ("accept", S.AWAITING_PAYMENT),
    ("accept", S.ACTIVE),
    ("accept", S.REFUSED),
    ("refuse", S.ACTIVE),
    ("refuse", S.TERMINATED),
    ("suspend", S.REQUESTED),
    ("suspend", S.AWAITING_PAYMENT),
    ("reinstate", S.ACTIVE),
    ("reinstate", S.TERMINATED),
    ("terminate", S.REQUESTED),
    ("terminate", S.REFUSED),
    ("terminate", S.EXPIRED),
    ("give_notice", S.REQUESTED),
    ("give_notice", S.SUSPENDED),
    ("give_notice", S.NOTICE_GIVEN),
]


@pytest.mark.parametrize(("how", "status"), FORBIDDEN, ids=[f"{a}-from-{s}" for a, s in FORBIDDEN])
def test_forbidden_transition_is_refused_and_nothing_changes(make_membership, staff_user, how, status):
    membership = make_membership(status)
    snapshot = Membership.objects.filter(pk=membership.pk).values().get()
    with assert_refused(f"Action impossible : l'adhésion est « {S(status).label} ».", field=None):
        _do(how, membership, staff_user, REASON)
    assert Membership.objects.filter(pk=membership.pk).values().get() == snapshot


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
@pytest.mark.parametrize(
    ("service", "status"),
    [
        (services.refuse_membership, S.REQUESTED),
        (services.suspend_membership, S.ACTIVE),
        (services.terminate_membership, S.ACTIVE),
    ],
)
def test_refuse_suspend_terminate_require_a_reason(make_membership, staff_user, service, status, reason):
    membership = make_membership(status)
    with assert_refused("Le motif est obligatoire.", field="reason"):
        service(membership, actor=staff_user, reason=reason)
    membership.refresh_from_db()
    assert membership.status == status


@pytest.mark.parametrize(
    ("service", "status", "subject", "sentence"),
    [
        (
            services.refuse_membership,
            S.REQUESTED,
            "Votre demande d'adhésion 2022",
            "Nous ne pouvons pas donner suite à votre demande d'adhésion 2022",
        ),
        (
            services.suspend_membership,
            S.ACTIVE,
            "Suspension de votre adhésion 2022",
            "Votre adhésion 2022 est suspendue",
        ),
        (
            services.terminate_membership,
            S.ACTIVE,
            "Résiliation de votre adhésion 2022",
            "L'Office met fin à votre adhésion 2022",
        ),
    ],
)
def test_refuse_suspend_terminate_email_the_applicant_with_the_reason(
    make_membership,
    staff_user,
    django_capture_on_commit_callbacks,
    service,
    status,
    subject,
    sentence,
):
    membership = make_membership(status)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        service(membership, actor=staff_user, reason=f"  {REASON}  ")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [membership.applicant.email]
    assert message.subject == subject
    assert sentence in message.body
    assert f"Motif : {REASON}" in message.body
    assert transitions(membership)[-1].reason == REASON


def test_terminate_ends_the_membership_today(make_membership, staff_user):
    membership = make_membership(S.ACTIVE)
    services.terminate_membership(membership, actor=staff_user, reason=REASON)
    membership.refresh_from_db()
    assert membership.ends_on == timezone.localdate()


# --- Activation: accepted AND bulletin signed AND fully paid ----------------------------------


def test_accept_alone_waits_for_payment(make_membership, staff_user):
    membership = make_membership(S.REQUESTED)
    accept(membership, actor=staff_user)
    membership.refresh_from_db()
    assert membership.status == S.AWAITING_PAYMENT
    assert membership.accepted_on == timezone.localdate()
    assert membership.activated_on is None
    assert not Entitlement.objects.filter(membership=membership).exists()


def test_accept_grants_portal_access_to_the_applicant(submit, office, staff_user):
    organisation = OrganisationFactory(office=office)
    membership = submit(siret=organisation.siret, email="reprise@marais.example").membership
    assert not OrganisationMember.objects.filter(user=membership.applicant).exists()
    accept(membership, actor=staff_user)
    member = OrganisationMember.objects.get(user=membership.applicant)
    assert (member.organisation, member.role) == (organisation, OrganisationMember.Role.OWNER)


def test_partial_payment_keeps_awaiting_payment(make_membership, staff_user):
    membership = make_membership(S.AWAITING_PAYMENT)
    pay(membership, staff_user, "50.00", datetime.date(2022, 3, 5))
    membership.refresh_from_db()
    assert membership.status == S.AWAITING_PAYMENT
    assert billing_services.outstanding(membership.invoices.get()) == membership.amount_due - Decimal("50.00")
    assert membership.activated_on is None


def test_balance_paid_later_activates_on_the_day_of_the_last_payment(make_membership, staff_user):
    membership = make_membership(S.AWAITING_PAYMENT)
    pay(membership, staff_user, "50.00", datetime.date(2022, 3, 5))
    pay(membership, staff_user, "40.00", datetime.date(2022, 3, 20))
    membership.refresh_from_db()
    assert membership.status == S.ACTIVE
    assert membership.activated_on == datetime.date(2022, 3, 20)
    assert membership.ends_on == datetime.date(2022, 12, 31)


def test_a_payment_before_acceptance_waits_for_the_invoice(submit, staff_user):
    membership = submit().membership
    services.record_signed_bulletin(membership, actor=staff_user, received_on=datetime.date(2022, 3, 10))
    with assert_refused(
        "Validez d'abord la demande : sa facture est émise à la validation et le règlement "
        "s'enregistre sur elle."
    ):
        pay(membership, staff_user, "90.00", datetime.date(2022, 3, 5), method="cheque", cheque_number="1")
    accept(membership, actor=staff_user)
    # The cheque that came with the bulletin (dated 5 March) is recorded on the invoice at once.
    pay(membership, staff_user, "90.00", datetime.date(2022, 3, 5), method="cheque", cheque_number="0012345")
    membership.refresh_from_db()
    assert membership.status == S.ACTIVE
    # Both the bulletin (10 March) and the payment (5 March) were in on 10 March.
    assert membership.activated_on == datetime.date(2022, 3, 10)
    actions = [t.action for t in transitions(membership)]
    assert actions == ["submit", "accept", "activate"]


def test_activated_on_is_the_payment_day_when_the_bulletin_came_first(submit, staff_user):
    membership = submit().membership
    services.record_signed_bulletin(membership, actor=staff_user, received_on=datetime.date(2022, 3, 10))
    accept(membership, actor=staff_user)
    pay(membership, staff_user, "90.00", datetime.date(2022, 3, 15))
    membership.refresh_from_db()
    assert membership.activated_on == datetime.date(2022, 3, 15)


def test_activation_grants_the_entitlements_of_pack_and_options(make_membership, season):
    membership = make_membership(
        S.ACTIVE,
        options={offer(season, "formation-anglais").pk: 2, offer(season, "photos-10").pk: 1},
    )
    # One row per catalogue rule (issue 12, A9): the kinds of several offers are not merged.
    rows = list(Entitlement.objects.filter(membership=membership).order_by("pk"))
    assert [e.label for e in rows if e.kind == "training"] == [
        "1 inscription par an à une formation réseaux sociaux (CGV art. 8)",
        "Inscription à la formation anglais",
    ]
    assert [e.quantity for e in rows if e.kind == "training"] == [1, 2]  # one per person trained
    granted = {e.kind: e for e in rows}  # the last row of each kind
    assert set(granted) == {
        "training",
        "salon_day",
        "screen_banner",
        "promo_spot",
        "welcome_gift",
        "pro_meetings",
        "working_groups",
        "image_bank",
        "annual_visit",
        "photos",
        "translation",
    }
    assert granted["translation"].quantity == 1
    assert granted["photos"].quantity == 10
    assert granted["screen_banner"].duration_days == 60
    assert granted["pro_meetings"].quantity is None
    for entitlement in granted.values():
        assert entitlement.valid_from == PAID_ON
        assert entitlement.valid_until == datetime.date(2022, 12, 31)
        assert entitlement.used == 0
        assert entitlement.office_id == membership.office_id


def test_entitlements_are_not_granted_twice(make_membership, staff_user):
    membership = make_membership(S.ACTIVE)
    count = Entitlement.objects.filter(membership=membership).count()
    assert count == 9
    assert services.grant_entitlements(membership) == []
    services.suspend_membership(membership, actor=staff_user, reason=REASON)
    services.reinstate_membership(membership, actor=staff_user)
    pay(membership, staff_user, "10.00", PAID_ON)  # an extra payment on an active membership
    assert Entitlement.objects.filter(membership=membership).count() == count


def test_activation_emails_the_partner(make_membership, staff_user, django_capture_on_commit_callbacks):
    membership = make_membership(S.AWAITING_PAYMENT)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        pay(membership, staff_user, "90.00", PAID_ON)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([membership.applicant.email], "Bienvenue au Club Partenaire 2022 : votre adhésion est active")
    ]


# --- record_payment: bad inputs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message", "field"),
    [
        ({"amount": Decimal("0")}, "Le montant doit être positif.", "amount"),
        ({"amount": Decimal("0.00")}, "Le montant doit être positif.", "amount"),
        ({"amount": Decimal("-90.00")}, "Le montant doit être positif.", "amount"),
        ({"amount": Decimal("90.005")}, "Le montant a au plus deux décimales.", "amount"),
        (
            {"received_on": timezone.localdate() + datetime.timedelta(days=1)},
            "La date de réception ne peut pas être dans le futur.",
            "received_on",
        ),
        ({"method": "cheque"}, "Indiquez le numéro du chèque.", "cheque_number"),
        (
            {"method": "cheque", "cheque_number": "   "},
            "Indiquez le numéro du chèque.",
            "cheque_number",
        ),
        ({"method": "bitcoin"}, "Mode de règlement inconnu.", "method"),
        ({"method": ""}, "Mode de règlement inconnu.", "method"),
    ],
)
def test_record_payment_bad_input_is_refused(make_membership, staff_user, kwargs, message, field):
    membership = make_membership(S.AWAITING_PAYMENT)
    payment = {"method": "transfer", "amount": Decimal("90.00"), "received_on": PAID_ON}
    payment.update(kwargs)
    with assert_refused(message, field=field):
        billing_services.record_membership_payment(membership, actor=staff_user, **payment)
    membership.refresh_from_db()
    assert membership.status == S.AWAITING_PAYMENT


def test_record_payment_on_a_refused_request_is_refused(make_membership, staff_user):
    membership = make_membership(S.REFUSED)
    with assert_refused(
        "Validez d'abord la demande : sa facture est émise à la validation et le règlement "
        "s'enregistre sur elle."
    ):
        pay(membership, staff_user, "90.00", PAID_ON)


def test_an_overpayment_is_kept_as_a_credit_for_the_organisation(make_membership, staff_user):
    membership = make_membership(S.AWAITING_PAYMENT)
    payment = pay(membership, staff_user, "100.00", PAID_ON)
    assert (payment.amount, payment.allocated, payment.overpaid) == (
        Decimal("100.00"),
        Decimal("90.00"),
        Decimal("10.00"),
    )
    assert membership.organisation.customer_credits.get().amount == Decimal("10.00")
    membership.refresh_from_db()
    assert membership.status == S.ACTIVE


def test_record_payment_writes_a_payment_and_an_audit_entry(make_membership, staff_user):
    membership = make_membership(S.AWAITING_PAYMENT)
    payment = pay(
        membership,
        staff_user,
        "90.00",
        PAID_ON,
        method="cheque",
        cheque_number=" 0012345 ",
        bank="Crédit du Nord",
    )
    assert payment.cheque_number == "0012345"
    assert payment.recorded_by == staff_user
    assert payment.office_id == membership.office_id
    from ensemble.core.models import AuditEntry  # local: this file's imports are the memberships part's

    entry = AuditEntry.objects.get(action="payment.recorded", organisation_id=membership.organisation_id)
    assert (entry.actor, entry.target_id) == (staff_user, str(payment.pk))
    data = entry.data
    assert (data["amount"], data["method"], data["cheque_number"]) == ("90.00", "cheque", "0012345")


# --- Bulletin ---------------------------------------------------------------------------------


def test_bulletin_in_the_future_is_refused(make_membership, staff_user):
    membership = make_membership(S.REQUESTED)
    with assert_refused("La date de réception ne peut pas être dans le futur.", field="received_on"):
        services.record_signed_bulletin(
            membership,
            actor=staff_user,
            received_on=timezone.localdate() + datetime.timedelta(days=1),
        )


def test_bulletin_on_an_active_membership_is_refused(make_membership, staff_user):
    membership = make_membership(S.ACTIVE)
    with assert_refused("Le bulletin ne peut plus être enregistré pour cette adhésion.", field=None):
        services.record_signed_bulletin(membership, actor=staff_user, received_on=BULLETIN_ON)


# --- Notice (CGV art. 4: 30 days) and the daily closing job -----------------------------------


def test_give_notice_ends_thirty_days_after_receipt(make_membership):
    membership = make_membership(S.ACTIVE)
    services.give_notice(membership, actor=None, received_on=datetime.date(2022, 6, 1))
    membership.refresh_from_db()
    assert membership.status == S.NOTICE_GIVEN
    assert membership.notice_given_on == datetime.date(2022, 6, 1)
    assert membership.ends_on == datetime.date(2022, 7, 1)
    assert membership.is_live is True


def test_give_notice_is_capped_at_season_end(make_membership):
    membership = make_membership(S.ACTIVE)
    services.give_notice(membership, actor=None, received_on=datetime.date(2022, 12, 15))
    membership.refresh_from_db()
    assert membership.ends_on == datetime.date(2022, 12, 31)


def test_give_notice_in_the_future_is_refused(make_membership):
    membership = make_membership(S.ACTIVE)
    with assert_refused("La date de réception ne peut pas être dans le futur.", field=None):
        services.give_notice(
            membership, actor=None, received_on=timezone.localdate() + datetime.timedelta(days=2)
        )
    membership.refresh_from_db()
    assert membership.status == S.ACTIVE
    assert membership.notice_given_on is None


def test_close_due_memberships_terminates_when_notice_ran_out(make_membership):
    membership = make_membership(S.NOTICE_GIVEN)
    assert services.close_due_memberships(today=END_OF_NOTICE - datetime.timedelta(days=1)) == {
        "terminated": 0,
        "expired": 0,
    }
    membership.refresh_from_db()
    assert membership.status == S.NOTICE_GIVEN
    assert services.close_due_memberships(today=END_OF_NOTICE) == {"terminated": 1, "expired": 0}
    membership.refresh_from_db()
    assert membership.status == S.TERMINATED


def test_close_due_memberships_expires_live_ones_after_season_end(make_membership):
    active = make_membership(S.ACTIVE)
    suspended = make_membership(S.SUSPENDED)
    requested = make_membership(S.REQUESTED)
    assert services.close_due_memberships(today=datetime.date(2022, 12, 31)) == {
        "terminated": 0,
        "expired": 0,
    }
    assert services.close_due_memberships(today=AFTER_SEASON) == {"terminated": 0, "expired": 2}
    expected = {active.pk: S.EXPIRED, suspended.pk: S.EXPIRED, requested.pk: S.REQUESTED}
    found = dict(Membership.objects.filter(pk__in=expected).values_list("pk", "status"))
    assert found == expected


def test_close_due_memberships_twice_changes_nothing_more(make_membership):
    make_membership(S.ACTIVE)
    make_membership(S.NOTICE_GIVEN)
    first = services.close_due_memberships(today=AFTER_SEASON)
    assert first == {"terminated": 1, "expired": 1}
    before = row_counts()
    assert services.close_due_memberships(today=AFTER_SEASON) == {"terminated": 0, "expired": 0}
    assert row_counts() == before


# --- Renewal into the next season -------------------------------------------------------------


def test_renewal_copies_lines_at_next_season_prices(make_membership, season, staff_user):
    membership = make_membership(
        S.ACTIVE,
        options={
            offer(season, "formation-neerlandais").pk: 2,
            offer(season, "evenementiel").pk: 1,
        },
    )
    next_season = services.prepare_next_season(season)
    Offer.objects.filter(season=next_season, code="pack-partenaire").update(price_ttc=Decimal("95.00"))
    Offer.objects.filter(season=next_season, code="formation-neerlandais").update(price_ttc=Decimal("55.00"))
    renewal = services.renew_membership(membership, actor=staff_user)
    renewal.refresh_from_db()
    assert renewal.season == next_season
    assert renewal.status == S.REQUESTED
    assert renewal.renewed_from == membership
    assert renewal.organisation == membership.organisation
    lines = {line.offer.code: line for line in renewal.lines.select_related("offer")}
    assert {code: (line.quantity, line.unit_price_ttc) for code, line in lines.items()} == {
        "pack-partenaire": (1, Decimal("95.00")),
        "formation-neerlandais": (2, Decimal("55.00")),
        "evenementiel": (1, None),
    }
    assert all(line.offer.season_id == next_season.pk for line in lines.values())
    assert renewal.amount_due == Decimal("205.00")
    assert type(renewal.amount_due) is Decimal
    assert renewal.bulletin_signed_on is None
    assert transitions(renewal)[0].action == "renew"
    entry = AuditEntry.objects.get(action="membership.renewed", organisation_id=membership.organisation_id)
    assert entry.target_id == str(renewal.pk)
    assert (entry.data["previous_season"], entry.data["season"]) == (2022, 2023)
    assert entry.data["renewed_from"] == membership.pk
    assert entry.actor == staff_user


def test_renewal_without_next_season_is_refused(make_membership, staff_user):
    membership = make_membership(S.ACTIVE)
    with assert_refused("La saison 2023 n'est pas encore préparée.", field=None):
        services.renew_membership(membership, actor=staff_user)


def test_renewal_twice_is_refused(make_membership, season, staff_user):
    membership = make_membership(S.ACTIVE)
    services.prepare_next_season(season)
    services.renew_membership(membership, actor=staff_user)
    with assert_refused("Une adhésion 2023 existe déjà.", field=None):
        services.renew_membership(membership, actor=staff_user)


@pytest.mark.parametrize("status", [S.REQUESTED, S.AWAITING_PAYMENT, S.REFUSED, S.TERMINATED])
def test_renewal_of_a_never_active_or_ended_membership_is_refused(
    make_membership, season, staff_user, status
):
    membership = make_membership(status)
    services.prepare_next_season(season)
    with assert_refused("Seule une adhésion qui a été active peut être renouvelée.", field=None):
        services.renew_membership(membership, actor=staff_user)


def test_renewal_after_notice_is_refused(make_membership, season, staff_user):
    membership = make_membership(S.NOTICE_GIVEN)
    services.prepare_next_season(season)
    with assert_refused("Le partenaire a résilié : l'adhésion ne peut pas être renouvelée.", field=None):
        services.renew_membership(membership, actor=staff_user)


def test_renewal_without_the_pack_next_season_is_refused(make_membership, season, staff_user):
    membership = make_membership(S.ACTIVE)
    next_season = services.prepare_next_season(season)
    Offer.objects.filter(season=next_season, code="pack-partenaire").update(is_active=False)
    with assert_refused("Le pack partenaire n'est pas proposé en 2023.", field=None):
        services.renew_membership(membership, actor=staff_user)


def test_renewal_activates_once_bulletin_and_payment_are_in(make_membership, season, staff_user):
    membership = make_membership(S.ACTIVE)
    services.prepare_next_season(season)
    renewal = services.renew_membership(membership, actor=staff_user)
    accept(renewal, actor=staff_user)
    pay(renewal, staff_user, "90.00", datetime.date(2022, 12, 10))
    renewal.refresh_from_db()
    assert renewal.status == S.AWAITING_PAYMENT  # paid, but no signed bulletin yet
    services.record_signed_bulletin(renewal, actor=staff_user, received_on=datetime.date(2022, 12, 12))
    renewal.refresh_from_db()
    assert renewal.status == S.ACTIVE
    # Renewed early: it takes effect when the new season starts.
    assert renewal.activated_on == datetime.date(2023, 1, 1)
    assert renewal.ends_on == datetime.date(2023, 12, 31)
    training = Entitlement.objects.get(membership=renewal, kind="training")
    assert training.valid_from == datetime.date(2023, 1, 1)
    assert training.source.offer.season.year == 2023
    membership.refresh_from_db()
    assert membership.status == S.ACTIVE  # last year's runs to its end


def test_finished_season_takes_no_new_request_and_no_acceptance(submit, season, staff_user):
    membership = submit().membership
    with time_machine.travel(datetime.datetime(2023, 1, 2, 9, 0, tzinfo=datetime.UTC)):
        with pytest.raises(MembershipError, match="La saison 2022 est terminée."):
            accept(membership, actor=staff_user)
        with pytest.raises(MembershipError, match="ne sont pas ouvertes"):
            submit(email="autre@example.org")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REQUESTED
