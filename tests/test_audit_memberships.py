"""The memberships services write one audit entry per call: the join request, every move of the
state machine, renewals, the catalogue of a season, the use of an entitlement; the daily job one
per membership it moves. A refused call writes none."""

import datetime

import pytest

from ensemble.core import audit
from ensemble.core.models import AuditEntry
from ensemble.memberships import services
from ensemble.memberships.errors import MembershipError
from ensemble.memberships.models import Entitlement, Membership, Offer, TermsDocument

from .conftest import EVIDENCE, NOTICE_ON, PAID_ON, make_application

pytestmark = pytest.mark.django_db

S = Membership.Status
PKG = "ensemble.memberships.services."
LIF = PKG + "lifecycle."
REN = PKG + "renewal."
CAT = PKG + "catalogue."
ENT = PKG + "entitlements."

AUDITED = {
    PKG + "join.submit_join_request": "membership.requested",
    LIF + "accept_membership": "membership.accepted",
    # `membership.activated` when the bulletin or the payment was the last piece missing; told of a
    # payment again with nothing new, record_membership_paid writes none (as create_season and
    # install_seed_catalogue when the season is already there).
    LIF + "record_signed_bulletin": ("membership.bulletin_received", "membership.activated"),
    LIF + "record_membership_paid": ("membership.paid", "membership.activated"),
    LIF + "refuse_membership": "membership.refused",
    LIF + "suspend_membership": "membership.suspended",
    LIF + "reinstate_membership": "membership.reinstated",
    LIF + "terminate_membership": "membership.terminated",
    LIF + "give_notice": "membership.notice_given",
    REN + "renew_membership": "membership.renewed",
    REN + "renew_from_portal": "membership.renewed",
    CAT + "create_season": "season.created",
    CAT + "publish_terms": "terms.published",
    CAT + "install_seed_catalogue": "season.catalogue_installed",
    CAT + "prepare_next_season": "season.prepared",
    CAT + "open_season": "season.opened",
    CAT + "set_season_sales": "season.sales_set",
    CAT + "set_offer_texts": "offer.texts_set",
    ENT + "consume_entitlement": "entitlement.consumed",
}
COMPOSED = {
    REN + "give_notice_from_portal": "checks the owner and the reason, then calls give_notice "
    "(membership.notice_given)",
}
BATCH = {
    LIF + "close_due_memberships": "membership.notice_ended or membership.expired (actor None), "
    "one per membership moved",
}
NOT_AUDITED = {
    LIF + "log_transition": "writes the membership's own history row inside the calling service, "
    "whose audit entry records the move",
    ENT + "grant_entitlements": "a step of activation inside the lifecycle services, whose entry lists "
    "the kinds granted (data 'entitlements'); idempotent",
    REN + "check_portal_notice": "reads: may this person terminate from the espace pro",
    REN + "portal_renewal_season": "reads: the season this person may renew into from the espace pro",
    REN + "notice_end_date": "pure computation (the end of a notice given today)",
    REN + "renewal_lines": "reads: the unsaved lines a renewal would have",
    REN + "renewal_refusal": "pure: why a membership cannot be renewed",
}
MODULES = [PKG + name for name in ("join", "lifecycle", "renewal", "catalogue", "entitlements")]


class Log:
    """The entries written since it was made."""

    def __init__(self):
        self.last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def new(self) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(id__gt=self.last).order_by("id"))

    def one(self, action: str, actor, office, organisation_id=None) -> AuditEntry:
        """Exactly one new entry, with this code, actor, office and organisation; its wording
        filled by its data (no "—" for a missing key; a membership's label has its own dash)."""
        [entry] = self.new()
        assert (entry.action, entry.actor, entry.office_id) == (action, actor, office.pk)
        assert entry.organisation_id == organisation_id
        rendered = audit.describe(entry).replace(entry.target_label, "")
        assert "—" not in rendered, audit.describe(entry)
        self.last = entry.pk
        return entry

    def none(self) -> None:
        assert self.new() == []


def refused(call) -> None:
    with pytest.raises(MembershipError):
        call()


# --- The tables are complete -------------------------------------------------------------------


# --- Joining -----------------------------------------------------------------------------------


def test_join_request_one_entry_by_a_visitor(season, office):
    log = Log()
    membership = services.submit_join_request(
        office, make_application(season, submission_key="form-1"), evidence=EVIDENCE
    ).membership
    entry = log.one("membership.requested", None, office, membership.organisation_id)
    assert (entry.target_type, entry.target_id) == ("memberships.membership", str(membership.pk))
    assert (entry.ip_address, entry.data["applicant"]) == ("192.0.2.10", membership.applicant_id)
    assert audit.describe(entry) == (
        "Demande d'adhésion Le Moulin des Marais — 2022 reçue (Le Moulin des Marais)"
    )
    # The same form again changes nothing; a refused form writes nothing.
    again = services.submit_join_request(
        office, make_application(season, submission_key="form-1"), evidence=EVIDENCE
    )
    assert again.already_submitted
    refused(
        lambda: services.submit_join_request(
            office, make_application(season, email="pas-une-adresse"), evidence=EVIDENCE
        )
    )
    log.none()


# --- The state machine -------------------------------------------------------------------------


def test_accept_one_entry_then_a_second_accept_is_refused(make_membership, staff_user, office):
    membership = make_membership(S.REQUESTED)
    log = Log()
    services.accept_membership(membership, actor=staff_user)
    entry = log.one("membership.accepted", staff_user, office, membership.organisation_id)
    assert entry.data["status"] == [S.REQUESTED, S.AWAITING_PAYMENT]
    assert entry.data["email"] is not None
    assert "activated_on" not in entry.data
    refused(lambda: services.accept_membership(membership, actor=staff_user))
    log.none()


def test_accept_that_activates_at_once_is_still_one_entry(make_membership, staff_user, office):
    """Paid before it was accepted: the acceptance activates it; one entry says both."""
    membership = make_membership(S.REQUESTED)
    log = Log()
    services.record_membership_paid(membership, paid_on=PAID_ON, actor=staff_user)
    entry = log.one("membership.paid", staff_user, office, membership.organisation_id)
    assert (entry.data["paid_on"], entry.data["status"]) == ("2022-03-02", [S.REQUESTED, S.REQUESTED])
    services.accept_membership(membership, actor=staff_user)
    entry = log.one("membership.accepted", staff_user, office, membership.organisation_id)
    assert entry.data["status"] == [S.REQUESTED, S.ACTIVE]
    assert entry.data["activated_on"] == "2022-12-28"
    assert "training" in entry.data["entitlements"]
    # One action, one e-mail (issue 12, A4): the « active » one, chosen from the final state.
    assert entry.data["email"] is not None and "activation_email" not in entry.data


def test_bulletin_and_payment_each_one_entry_the_last_one_activates(
    make_membership, season, staff_user, office
):
    """A renewal has no signed bulletin: paid first (membership.paid), the bulletin then
    activates it (membership.activated)."""
    membership = make_membership(S.ACTIVE)
    services.prepare_next_season(season, actor=staff_user)
    renewal = services.renew_membership(membership, actor=staff_user)
    services.accept_membership(renewal, actor=staff_user)
    organisation_id = membership.organisation_id
    log = Log()
    services.record_membership_paid(renewal, paid_on=datetime.date(2022, 12, 27), actor=staff_user)
    entry = log.one("membership.paid", staff_user, office, organisation_id)
    assert entry.data["status"] == [S.AWAITING_PAYMENT, S.AWAITING_PAYMENT]
    refused(
        lambda: services.record_signed_bulletin(
            renewal, actor=staff_user, received_on=datetime.date(2023, 1, 5)
        )
    )
    log.none()
    services.record_signed_bulletin(renewal, actor=staff_user, received_on=datetime.date(2022, 12, 28))
    entry = log.one("membership.activated", staff_user, office, organisation_id)
    assert entry.data["status"] == [S.AWAITING_PAYMENT, S.ACTIVE]
    assert (entry.data["received_on"], entry.data["activated_on"]) == ("2022-12-28", "2023-01-01")
    assert audit.describe(entry) == (
        f"Adhésion {membership.organisation.name} — 2023 active depuis le 01/01/2023"
    )


def test_bulletin_without_activation(make_membership, staff_user, office):
    membership = make_membership(S.REQUESTED)
    log = Log()
    services.record_signed_bulletin(membership, actor=staff_user, received_on=datetime.date(2022, 3, 1))
    entry = log.one("membership.bulletin_received", staff_user, office, membership.organisation_id)
    assert entry.data["bulletin_signed_on"] == ["2022-12-28", "2022-03-01"]


def test_payment_that_activates(make_membership, staff_user, office):
    membership = make_membership(S.AWAITING_PAYMENT)
    log = Log()
    services.record_membership_paid(membership, paid_on=PAID_ON, actor=staff_user)
    entry = log.one("membership.activated", staff_user, office, membership.organisation_id)
    assert entry.data["status"] == [S.AWAITING_PAYMENT, S.ACTIVE]
    # Told again (a later payment on the settled invoice): nothing changes, nothing is written.
    services.record_membership_paid(membership, paid_on=datetime.date(2022, 12, 1), actor=staff_user)
    log.none()


REASON = "Fiche non mise à jour"
# (status built, the call, its code, a call the state machine or a rule refuses)
MOVES = [
    (
        S.REQUESTED,
        lambda m, a: services.refuse_membership(m, actor=a, reason=REASON),
        "membership.refused",
        lambda m, a: services.refuse_membership(m, actor=a, reason="  "),
    ),
    (
        S.ACTIVE,
        lambda m, a: services.suspend_membership(m, actor=a, reason=REASON),
        "membership.suspended",
        lambda m, a: services.reinstate_membership(m, actor=a),
    ),
    (
        S.SUSPENDED,
        lambda m, a: services.reinstate_membership(m, actor=a, reason="Fiche à jour"),
        "membership.reinstated",
        lambda m, a: services.give_notice(m, actor=a),
    ),
    (
        S.ACTIVE,
        lambda m, a: services.terminate_membership(m, actor=a, reason=REASON),
        "membership.terminated",
        lambda m, a: services.terminate_membership(m, actor=a, reason=""),
    ),
    (
        S.ACTIVE,
        lambda m, a: services.give_notice(m, actor=a, received_on=NOTICE_ON, reason="Cessation"),
        "membership.notice_given",
        lambda m, a: services.give_notice(m, actor=a, received_on=datetime.date(2023, 2, 1)),
    ),
]


@pytest.mark.parametrize(("status", "call", "code", "refusal"), MOVES, ids=[m[2] for m in MOVES])
def test_each_move_writes_one_entry_and_a_refusal_none(
    make_membership, staff_user, office, status, call, code, refusal
):
    membership = make_membership(status)
    log = Log()
    refused(lambda: refusal(membership, staff_user))
    log.none()
    call(membership, staff_user)
    membership.refresh_from_db()
    entry = log.one(code, staff_user, office, membership.organisation_id)
    assert entry.data["status"] == [status, membership.status]
    assert entry.target_id == str(membership.pk)


def test_refusal_entry_reads_with_its_reason(make_membership, staff_user, office):
    membership = make_membership(S.REQUESTED)
    log = Log()
    services.refuse_membership(membership, actor=staff_user, reason=REASON)
    entry = log.one("membership.refused", staff_user, office, membership.organisation_id)
    assert audit.describe(entry) == f"Adhésion {membership} refusée : {REASON}"
    assert entry.data["email"] is not None


def test_notice_from_the_portal_is_give_notices_one_entry(make_membership, office):
    membership = make_membership(S.ACTIVE)
    owner = membership.applicant
    log = Log()
    services.give_notice_from_portal(membership, actor=owner, reason="Nous arrêtons")
    entry = log.one("membership.notice_given", owner, office, membership.organisation_id)
    assert (entry.data["reason"], entry.data["ends_on"]) == ("Nous arrêtons", "2022-12-31")
    refused(lambda: services.give_notice_from_portal(membership, actor=owner))
    log.none()


def test_daily_close_writes_one_entry_per_membership_moved_without_actor(make_membership, office):
    leaving = make_membership(S.NOTICE_GIVEN)
    staying = make_membership(S.ACTIVE)
    log = Log()
    assert services.close_due_memberships(today=datetime.date(2023, 1, 1)) == {"terminated": 1, "expired": 1}
    entries = log.new()
    assert [(e.action, e.actor, e.office_id, e.organisation_id) for e in entries] == [
        ("membership.notice_ended", None, office.pk, leaving.organisation_id),
        ("membership.expired", None, office.pk, staying.organisation_id),
    ]
    assert entries[1].data["status"] == [S.ACTIVE, S.EXPIRED]
    log.last = entries[-1].pk
    assert services.close_due_memberships(today=datetime.date(2023, 1, 1)) == {"terminated": 0, "expired": 0}
    log.none()


# --- Renewals ----------------------------------------------------------------------------------


def test_renew_one_entry_on_the_new_membership(make_membership, season, staff_user, office):
    membership = make_membership(S.ACTIVE)
    log = Log()
    refused(lambda: services.renew_membership(membership, actor=staff_user))  # 2023 not prepared
    log.none()
    services.prepare_next_season(season, actor=staff_user)
    log = Log()
    renewal = services.renew_membership(membership, actor=staff_user)
    entry = log.one("membership.renewed", staff_user, office, membership.organisation_id)
    assert entry.target_id == str(renewal.pk)
    assert (entry.data["renewed_from"], entry.data["previous_season"], entry.data["season"]) == (
        membership.pk,
        2022,
        2023,
    )
    refused(lambda: services.renew_membership(membership, actor=staff_user))  # already renewed
    log.none()


def test_renew_from_portal_one_entry_with_the_terms_and_the_evidence(make_membership, season, office):
    membership = make_membership(S.ACTIVE)
    owner = membership.applicant
    new = services.open_season(services.prepare_next_season(season))
    docs = {d.kind: d.pk for d in TermsDocument.objects.filter(season=new, is_current=True)}
    log = Log()
    refused(
        lambda: services.renew_from_portal(
            membership, actor=owner, accepted_terms=[docs["charter"]], evidence=EVIDENCE
        )
    )
    log.none()
    renewal = services.renew_from_portal(
        membership, actor=owner, accepted_terms=list(docs.values()), evidence=EVIDENCE
    )
    entry = log.one("membership.renewed", owner, office, membership.organisation_id)
    assert entry.target_id == str(renewal.pk)
    assert (entry.data["from_portal"], entry.ip_address) == (True, "192.0.2.10")
    assert sorted(entry.data["terms"]) == sorted(docs.values())
    assert entry.data["email"] is not None


# --- The catalogue -----------------------------------------------------------------------------


def test_create_season_once(office, staff_user):
    log = Log()
    season = services.create_season(office, year=2030, actor=staff_user)
    entry = log.one("season.created", staff_user, office)
    assert (entry.target_id, entry.data["year"]) == (str(season.pk), 2030)
    assert services.create_season(office, year=2030, actor=staff_user) == season  # exists: nothing
    log.none()


def test_publish_terms(season, office, staff_user):
    log = Log()
    refused(lambda: services.publish_terms(season, kind="cgv", title="CGV", body="  ", actor=staff_user))
    log.none()
    document = services.publish_terms(season, kind="cgv", title="CGV", body="Article 1", actor=staff_user)
    entry = log.one("terms.published", staff_user, office)
    assert (entry.target_id, entry.data["version"], entry.data["kind"]) == (str(document.pk), 2, "cgv")
    assert audit.describe(entry) == "Nouvelle version publiée : Conditions générales de vente 2022 v2"


def test_install_seed_catalogue_once(office, staff_user):
    log = Log()
    season = services.install_seed_catalogue(office, year=2024, actor=staff_user)
    entry = log.one("season.catalogue_installed", staff_user, office)
    assert entry.target_id == str(season.pk)
    assert entry.data["season_created"] is True
    assert sorted(entry.data["terms"]) == ["cgv", "charter"]
    assert len(entry.data["offers"]) == Offer.objects.filter(season=season).count() > 0
    services.install_seed_catalogue(office, year=2024, actor=staff_user)  # idempotent: nothing new
    log.none()


def test_prepare_then_open_the_next_season(season, office, staff_user):
    log = Log()
    new = services.prepare_next_season(season, actor=staff_user)
    entry = log.one("season.prepared", staff_user, office)
    assert (entry.target_id, entry.data["from_year"], entry.data["year"]) == (str(new.pk), 2022, 2023)
    refused(lambda: services.prepare_next_season(season, actor=staff_user))
    log.none()
    services.open_season(new, actor=staff_user)
    entry = log.one("season.opened", staff_user, office)
    assert entry.data["is_open_for_joining"] == [False, True]
    empty = services.create_season(office, year=2031)
    log = Log()
    refused(lambda: services.open_season(empty, actor=staff_user))  # no charter, no CGV
    log.none()


def test_set_season_sales_one_entry_a_refusal_none(season, office, staff_user):
    log = Log()
    services.set_season_sales(
        season, sales_from=datetime.date(2021, 11, 1), late_start_rule="prorata", actor=staff_user
    )
    entry = log.one("season.sales_set", staff_user, office)
    assert entry.data["sales_from"] == [None, "2021-11-01"]
    assert entry.data["late_start_rule"] == ["full", "prorata"]
    assert audit.describe(entry) == "Saison 2022 : mise en vente et adhésions en cours de saison"
    refused(lambda: services.set_season_sales(season, sales_from=None, late_start_rule="x", actor=staff_user))
    log.none()


def test_set_offer_texts_one_entry_a_refusal_none(season, office, staff_user):
    offer = Offer.objects.get(season=season, code="pack-partenaire")
    texts = {"name_fr": "Pack partenaire", "name_en": "Partner pack", "name_nl": "Het partnerpakket"}
    log = Log()
    services.set_offer_texts(offer, texts=texts, actor=staff_user)
    entry = log.one("offer.texts_set", staff_user, office)
    assert entry.data["changed"] == {"name_nl": ["Partnerpakket", "Het partnerpakket"]}
    assert audit.describe(entry) == "Textes de l'offre « Pack partenaire » modifiés"
    refused(lambda: services.set_offer_texts(offer, texts={**texts, "name_fr": " "}, actor=staff_user))
    log.none()


# --- Entitlements ------------------------------------------------------------------------------


def test_consume_entitlement_one_entry_then_exhausted_none(make_membership, staff_user, office):
    membership = make_membership(S.ACTIVE)
    banner = Entitlement.objects.get(membership=membership, kind="screen_banner")
    log = Log()
    services.consume_entitlement(banner, actor=staff_user, note="Bandeau")
    entry = log.one("entitlement.consumed", staff_user, office, membership.organisation_id)
    assert (entry.target_id, entry.data["quantity"], entry.data["used"]) == (str(banner.pk), 1, 1)
    refused(lambda: services.consume_entitlement(banner, actor=staff_user))
    refused(lambda: services.consume_entitlement(banner, quantity=0, actor=staff_user))
    log.none()
