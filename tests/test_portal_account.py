"""« Mon compte avec l'office »: status and history, the documents accepted with their text,
renewal for next season in two clicks (with next season's charter and CGV), and the partner's
own termination with the 30 days' notice. Only one's own organisations, in this office."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from ensemble.core.models import AuditEntry, OutboundEmail
from ensemble.directory import services as directory_services
from ensemble.memberships import services
from ensemble.memberships.models import (
    Membership,
    MembershipTransition,
    Offer,
    TermsAcceptance,
    TermsDocument,
)

from .conftest import EVIDENCE, assert_refused, make_application, offer, row_counts

S = Membership.Status
TO_RENEW = "pour renouveler votre adhésion."
OWNERS_RENEW = "Seul un titulaire du compte de l'organisation peut renouveler l'adhésion."
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def active(make_membership, season):
    return make_membership(S.ACTIVE, options={offer(season, "formation-neerlandais").pk: 2})


@pytest.fixture
def owner(active):
    return active.applicant


def open_next_season(season):
    """2023 prepared from 2022, with new prices, and opened for joining (after which the join
    form is for 2023: build 2022 memberships before)."""
    new = services.prepare_next_season(season)
    Offer.objects.filter(season=new, code="pack-partenaire").update(price_ttc=Decimal("95.00"))
    Offer.objects.filter(season=new, code="formation-neerlandais").update(price_ttc=Decimal("55.00"))
    return services.open_season(new)


@pytest.fixture
def next_season(active, season):
    return open_next_season(season)


def account_url(membership, office="saint-omer"):
    return f"/{office}/espace-pro/compte/{membership.organisation_id}/"


def renew_url(membership, office="saint-omer"):
    return f"/{office}/espace-pro/compte/adhesions/{membership.pk}/renouveler/"


def notice_url(membership, office="saint-omer"):
    return f"/{office}/espace-pro/compte/adhesions/{membership.pk}/resilier/"


def acceptance_url(acceptance, office="saint-omer"):
    return f"/{office}/espace-pro/compte/documents/{acceptance.pk}/"


def terms(season):
    return {d.kind: d for d in TermsDocument.objects.filter(season=season, is_current=True)}


def accept_all(season) -> dict:
    docs = terms(season)
    return {
        "accept_charter": "on",
        "accept_cgv": "on",
        "charter_id": docs["charter"].pk,
        "cgv_id": docs["cgv"].pk,
    }


def colleague_of(membership, owner):
    return directory_services.invite_member(
        membership.organisation, email="lea@collegue.example", actor=owner
    ).user


# --- The account page -------------------------------------------------------------------------


def test_account_page_shows_status_history_documents_and_links(client, active, owner):
    client.force_login(owner)
    response = client.get(account_url(active))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>Mon compte avec l'office — {active.organisation.name}</h1>" in html
    assert '<span class="badge active">Active</span>' in html
    for label in ("Demande d&#x27;adhésion", "Demande validée par l&#x27;Office", "Adhésion effective"):
        assert label in html
    assert html.count("<h1>") == 1
    for acceptance in active.acceptances.all():
        assert acceptance_url(acceptance) in html
        assert escape(acceptance.title) in html
    assert "/saint-omer/espace-pro/factures/" in html
    assert "/saint-omer/espace-pro/devis/" in html
    assert f"/saint-omer/espace-pro/equipe/{active.organisation_id}/" in html
    assert notice_url(active) in html  # the owner may terminate an active membership
    assert renew_url(active) not in html  # 2023 is not open yet


def test_the_history_shows_each_transition_with_its_status(client, active, owner):
    client.force_login(owner)
    html = client.get(account_url(active)).content.decode()
    rows = MembershipTransition.objects.filter(membership=active)
    assert [t.action for t in rows] == ["submit", "accept", "activate"]
    for label in ("Demande reçue", "En attente de règlement", "Active"):
        assert f"<td>{label}</td>" in html


def test_the_accepted_text_is_shown_verbatim(client, active, owner):
    acceptance = active.acceptances.get(kind=TermsDocument.Kind.CGV)
    TermsDocument.objects.filter(pk=acceptance.document_id).update(body="Texte modifié depuis")
    client.force_login(owner)
    response = client.get(acceptance_url(acceptance))
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(acceptance.text) in html  # what was accepted, not what the document says today
    assert "Texte modifié depuis" not in html
    assert acceptance.content_hash in html
    assert account_url(active) in html


def test_a_colleague_sees_the_account_but_cannot_renew_or_terminate(client, active, owner, next_season):
    colleague = colleague_of(active, owner)
    client.force_login(colleague)
    html = client.get(account_url(active)).content.decode()
    assert "badge active" in html
    assert renew_url(active) not in html and notice_url(active) not in html
    before = row_counts()
    response = client.get(renew_url(active), follow=True)
    assert response.redirect_chain[-1][0] == account_url(active)
    assert escape(OWNERS_RENEW) in (response.content.decode())
    response = client.post(notice_url(active), {"reason": ""}, follow=True)
    assert escape("Seul un titulaire du compte de l'organisation peut résilier l'adhésion.") in (
        response.content.decode()
    )
    assert row_counts() == before


def test_account_page_query_budget(client, active, owner, next_season, django_assert_max_num_queries):
    client.force_login(owner)
    url = account_url(active)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    # More rows: next season's renewal with its acceptances, more history.
    services.renew_from_portal(active, actor=owner, accepted_terms=_ids(next_season), evidence=EVIDENCE)
    services.suspend_membership(active, actor=None, reason="Fiche non à jour")
    services.reinstate_membership(active, actor=None)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(one)
    assert "Adhésion 2023" in response.content.decode()


def _ids(season):
    return [d.pk for d in terms(season).values()]


# --- Renewal in two clicks ----------------------------------------------------------------------


def test_renewal_in_two_clicks(client, active, owner, next_season, django_capture_on_commit_callbacks):
    client.force_login(owner)
    html = client.get(account_url(active)).content.decode()
    assert renew_url(active) in html  # the way in

    page = client.get(renew_url(active))  # click 1: the same pack and options at 2023 prices
    assert page.status_code == 200
    html = page.content.decode()
    assert "Renouveler mon adhésion pour 2023" in html
    assert "95,00 €" in html and "55,00 €" in html and "205,00 €" in html
    docs = terms(next_season)
    assert escape(docs["charter"].body[:80]) in html and escape(docs["cgv"].body[:80]) in html
    assert 'name="accept_charter"' in html and 'name="accept_cgv"' in html
    assert f'value="{docs["charter"].pk}"' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(  # click 2
            renew_url(active), accept_all(next_season), headers={"user-agent": "Navigateur du partenaire"}
        )
    assert response.status_code == 302
    assert response["Location"] == account_url(active)
    renewal = Membership.objects.get(renewed_from=active)
    assert (renewal.season, renewal.status) == (next_season, S.REQUESTED)
    assert renewal.applicant == owner
    assert renewal.bulletin_signed_on == datetime.date(2022, 12, 28)
    assert renewal.amount_due == Decimal("205.00")
    lines = {line.offer.code: (line.quantity, line.unit_price_ttc) for line in renewal.lines.all()}
    assert lines == {"pack-partenaire": (1, Decimal("95.00")), "formation-neerlandais": (2, Decimal("55.00"))}

    accepted = {a.kind: a for a in TermsAcceptance.objects.filter(membership=renewal)}
    assert set(accepted) == {"charter", "cgv"}
    for kind, acceptance in accepted.items():
        assert acceptance.document == docs[kind]
        assert acceptance.text == docs[kind].body
        assert acceptance.content_hash == docs[kind].content_hash
        assert acceptance.version == docs[kind].version
        assert acceptance.user == owner
        assert acceptance.ip_address == "127.0.0.1"
        assert acceptance.user_agent == "Navigateur du partenaire"
    email = OutboundEmail.objects.get(template="membership_renewal")
    assert email.to == owner.email
    assert "205,00" in email.body_text and "2023" in email.subject
    entry = AuditEntry.objects.get(action="membership.renewed", organisation_id=active.organisation_id)
    assert (entry.target_id, entry.actor) == (str(renewal.pk), owner)
    assert (entry.data["previous_season"], entry.data["season"], entry.data["from_portal"]) == (
        2022,
        2023,
        True,
    )
    assert sorted(entry.data["terms"]) == sorted(doc.pk for doc in docs.values())
    assert entry.data["email"] == email.pk

    html = client.get(account_url(active)).content.decode()
    assert "Votre demande de renouvellement 2023 est enregistrée" in html
    assert "Adhésion 2023" in html
    assert renew_url(active) not in html  # done once


@pytest.mark.parametrize(
    ("missing", "field", "message"),
    [
        (
            "accept_charter",
            "accept_charter",
            "Vous devez accepter la charte 2023 pour renouveler votre adhésion.",
        ),
        ("accept_cgv", "accept_cgv", "Vous devez accepter les CGV 2023 pour renouveler votre adhésion."),
    ],
)
def test_renewal_without_accepting_a_document_is_refused(
    client, active, owner, next_season, missing, field, message
):
    client.force_login(owner)
    data = accept_all(next_season)
    del data[missing]
    before = row_counts()
    response = client.post(renew_url(active), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(message) in html
    assert f'aria-describedby="id_{field}_error"' in html
    assert row_counts() == before
    with assert_refused(message, field=field):
        ids = [
            pk
            for kind, pk in ((k, d.pk) for k, d in terms(next_season).items())
            if f"accept_{kind}" != missing
        ]
        services.renew_from_portal(active, actor=owner, accepted_terms=ids, evidence=EVIDENCE)


def test_renewal_against_a_superseded_version_is_refused(client, active, owner, next_season):
    client.force_login(owner)
    data = accept_all(next_season)  # what the page showed
    services.publish_terms(
        next_season, kind="charter", title="Charte du « Club Partenaire »", body="Charte v2"
    )
    before = row_counts()
    response = client.post(renew_url(active), data)
    message = "Une nouvelle version de la charte a été publiée : relisez-la et acceptez-la."
    assert escape(message) in response.content.decode()
    assert row_counts() == before
    assert "Charte v2" in client.get(renew_url(active)).content.decode()  # the page shows the new one


def test_renewal_when_next_season_is_not_open(client, active, owner, season):
    services.prepare_next_season(season)  # prepared, not opened
    client.force_login(owner)
    assert renew_url(active) not in client.get(account_url(active)).content.decode()
    response = client.get(renew_url(active), follow=True)
    assert response.redirect_chain[-1][0] == account_url(active)
    assert "Les adhésions 2023 ne sont pas encore ouvertes." in response.content.decode()
    with assert_refused("Les adhésions 2023 ne sont pas encore ouvertes.", field=None):
        services.renew_from_portal(active, actor=owner, accepted_terms=[], evidence=EVIDENCE)


def test_renewal_without_next_season(client, active, owner):
    client.force_login(owner)
    before = row_counts()
    response = client.post(renew_url(active), {}, follow=True)
    assert "La saison 2023 n&#x27;est pas encore préparée." in response.content.decode()
    assert row_counts() == before


def test_renewing_twice_is_refused(client, active, owner, next_season):
    client.force_login(owner)
    client.post(renew_url(active), accept_all(next_season))
    with assert_refused("Une adhésion 2023 existe déjà.", field=None):
        services.renew_from_portal(active, actor=owner, accepted_terms=_ids(next_season), evidence=EVIDENCE)
    response = client.post(renew_url(active), accept_all(next_season), follow=True)
    assert "Une adhésion 2023 existe déjà." in response.content.decode()
    assert Membership.objects.filter(renewed_from=active).count() == 1


def test_a_colleague_cannot_renew(active, owner, next_season):
    colleague = colleague_of(active, owner)
    with assert_refused(
        "Seul un titulaire du compte de l'organisation peut renouveler l'adhésion.", field=None
    ):
        services.renew_from_portal(
            active, actor=colleague, accepted_terms=_ids(next_season), evidence=EVIDENCE
        )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (S.REQUESTED, "Seule une adhésion qui a été active peut être renouvelée."),
        (S.NOTICE_GIVEN, "Le partenaire a résilié : l'adhésion ne peut pas être renouvelée."),
    ],
)
def test_only_a_renewable_membership_is_renewed(make_membership, season, status, message):
    membership = make_membership(status)
    next_season = open_next_season(season)
    with assert_refused(message, field=None):
        services.renew_from_portal(
            membership, actor=membership.applicant, accepted_terms=_ids(next_season), evidence=EVIDENCE
        )


# --- Termination with the 30 days' notice -------------------------------------------------------


def test_termination_with_notice_at_the_end_of_the_season(
    client, active, owner, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    page = client.get(notice_url(active)).content.decode()
    expected = services.notice_end_date(active)
    assert expected == datetime.date(2022, 12, 31)  # 28 Dec + 30 days is past the season's end
    assert 'datetime="2022-12-31"' in page
    assert "fin de la saison" in page
    assert 'for="id_reason"' in page

    response = client.post(notice_url(active), {"reason": "Nous cessons notre activité."})
    assert response.status_code == 302
    assert response["Location"] == account_url(active)
    active.refresh_from_db()
    assert active.status == S.NOTICE_GIVEN
    assert active.ends_on == expected
    assert active.notice_given_on == datetime.date(2022, 12, 28)
    transition = active.history.get(action="give_notice")
    assert (transition.actor, transition.reason) == (owner, "Nous cessons notre activité.")
    entry = AuditEntry.objects.get(action="membership.notice_given", organisation_id=active.organisation_id)
    assert (entry.actor, entry.data["reason"]) == (owner, "Nous cessons notre activité.")
    assert entry.data["ends_on"] == expected.isoformat()
    email = OutboundEmail.objects.get(template="membership_notice")
    assert email.to == owner.email
    assert "31/12/2022" in email.body_text
    assert "Nous cessons notre activité." in email.body_text

    html = client.get(account_url(active)).content.decode()
    assert "prendra fin le 31/12/2022" in html
    assert notice_url(active) not in html  # given once


def test_termination_in_june_ends_thirty_days_later(client, make_membership):
    with time_machine.travel(datetime.datetime(2022, 6, 10, 9, 0, tzinfo=PARIS), tick=False):
        membership = make_membership(S.ACTIVE)
        client.force_login(membership.applicant)
        page = client.get(notice_url(membership)).content.decode()
        assert 'datetime="2022-07-10"' in page
        client.post(notice_url(membership), {"reason": ""})
    membership.refresh_from_db()
    assert (membership.status, membership.ends_on) == (S.NOTICE_GIVEN, datetime.date(2022, 7, 10))
    assert membership.history.get(action="give_notice").reason == "Préavis de 30 jours : fin le 10/07/2022"


def test_a_reason_too_long_is_refused(client, active, owner):
    client.force_login(owner)
    before = row_counts()
    response = client.post(notice_url(active), {"reason": "x" * 2001})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2000 caractères au maximum." in html
    assert 'aria-describedby="id_reason_helptext id_reason_error"' in html
    assert row_counts() == before
    with assert_refused("2000 caractères au maximum.", field="reason"):
        services.give_notice_from_portal(active, actor=owner, reason="x" * 2001)


def test_only_an_active_membership_can_be_terminated(client, make_membership):
    requested = make_membership(S.REQUESTED)
    client.force_login(requested.applicant)
    message = "Seule une adhésion active peut être résiliée : celle-ci est « Demande reçue »."
    assert notice_url(requested) not in client.get(account_url(requested)).content.decode()
    response = client.get(notice_url(requested), follow=True)
    assert escape(message) in response.content.decode()
    before = row_counts()
    response = client.post(notice_url(requested), {"reason": ""}, follow=True)
    assert escape(message) in response.content.decode()
    assert row_counts() == before
    with assert_refused(message, field=None):
        services.give_notice_from_portal(requested, actor=requested.applicant)


# --- Other partners, other offices, visitors ----------------------------------------------------


def test_other_partners_ids_answer_404(client, active, owner, make_membership, season, other_season):
    theirs = make_membership(S.ACTIVE)
    far = services.submit_join_request(
        other_season.office, make_application(other_season, email="loin@aire.example"), evidence=EVIDENCE
    ).membership
    next_season = open_next_season(season)
    client.force_login(owner)
    before = row_counts()
    urls = []
    for membership in (theirs, far):
        urls += [account_url(membership), renew_url(membership), notice_url(membership)]
        urls += [acceptance_url(a) for a in membership.acceptances.all()]
    urls += [account_url(active, office="aire-sur-la-lys"), renew_url(active, office="aire-sur-la-lys")]
    urls += [acceptance_url(active.acceptances.first(), office="aire-sur-la-lys")]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, accept_all(next_season)).status_code == 404, url
    assert row_counts() == before
    theirs.refresh_from_db()
    assert theirs.status == S.ACTIVE


def test_anonymous_visitors_are_sent_to_the_login(client, active, next_season):
    urls = [
        "/saint-omer/espace-pro/compte/",
        account_url(active),
        renew_url(active),
        notice_url(active),
        acceptance_url(active.acceptances.first()),
    ]
    before = row_counts()
    for url in urls:
        for response in (client.get(url), client.post(url, accept_all(next_season))):
            assert response.status_code == 302, url
            assert response["Location"].startswith("/comptes/login/"), url
    assert row_counts() == before
