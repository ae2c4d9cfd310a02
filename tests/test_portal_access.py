"""Access to the espace pro: login with a one-time code by e-mail, and the team an organisation's
owners manage (invite, remove; the last owner stays; a person sees only this office's)."""

import re
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.utils.html import escape

from ensemble.accounts.models import User
from ensemble.core.models import AuditEntry, OutboundEmail
from ensemble.directory import services as directory_services
from ensemble.directory.models import OrganisationMember
from ensemble.memberships import services

from .conftest import EVIDENCE, assert_refused, make_application, row_counts

OWNER = OrganisationMember.Role.OWNER
MEMBER = OrganisationMember.Role.MEMBER
ONLY_OWNERS = "Seul un titulaire du compte peut gérer l'équipe de l'organisation."


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    """allauth counts attempts in the cache (the database cache: `db`): each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def join(season, email, name):
    """A partner organisation of `season`'s office whose applicant `email` is the owner."""
    app = make_application(season, email=email, establishment_name=name)
    return services.submit_join_request(season.office, app, evidence=EVIDENCE).membership.organisation


@pytest.fixture
def organisation(season):
    return join(season, "camille@moulin.example", "Le Moulin des Marais")


@pytest.fixture
def owner(organisation):
    return organisation.members.get()


def team_url(organisation, office="saint-omer", suffix=""):
    return f"/{office}/espace-pro/equipe/{organisation.pk}/{suffix}"


def remove_url(organisation, member, office="saint-omer"):
    return team_url(organisation, office, f"membres/{member.pk}/retirer/")


# --- Login with a one-time code ---------------------------------------------------------------


def code_in(message) -> str:
    """The login code allauth e-mails: the line that is only the code."""
    return re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]+)*)\s*$", message.body, re.MULTILINE).group(1)


def request_code(client, email):
    return client.post("/comptes/login/code/", {"email": email})


def test_the_login_page_offers_the_code(client, db):
    html = client.get("/comptes/login/").content.decode()
    assert 'href="/comptes/login/code/"' in html
    assert "Recevoir un code de connexion par e-mail" in html
    page = client.get("/comptes/login/code/").content.decode()
    assert "<h1>Recevoir un code de connexion</h1>" in page
    assert 'for="id_email"' in page


def test_a_partner_logs_in_with_the_code_sent_by_email(client, owner):
    mail.outbox = []
    response = request_code(client, owner.email.upper())
    assert response.status_code == 302
    assert response["Location"] == "/comptes/login/code/confirm/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    code = code_in(mail.outbox[0])
    page = client.get("/comptes/login/code/confirm/").content.decode()
    assert "Saisir le code de connexion" in page
    assert owner.email in page

    response = client.post("/comptes/login/code/confirm/", {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    # Receiving the code proves the address; the partner reaches their space.
    assert owner.emailaddress_set.get(email=owner.email).verified
    assert "Le Moulin des Marais" in client.get("/saint-omer/espace-pro/").content.decode()


def test_a_wrong_code_is_refused_with_a_message(client, owner):
    request_code(client, owner.email)
    code = code_in(mail.outbox[-1])
    response = client.post("/comptes/login/code/confirm/", {"code": "ZZZ-ZZZ"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Code incorrect." in html
    assert 'aria-describedby="id_code_error"' in html
    assert "_auth_user_id" not in client.session
    # The right code still works after one mistake.
    client.post("/comptes/login/code/confirm/", {"code": code})
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_three_wrong_codes_void_the_code(client, owner):
    request_code(client, owner.email)
    code = code_in(mail.outbox[-1])
    for _ in range(3):
        response = client.post("/comptes/login/code/confirm/", {"code": "ZZZ-ZZZ"})
    assert response.status_code == 302
    assert response["Location"] == "/comptes/login/code/"
    client.post("/comptes/login/code/confirm/", {"code": code})
    assert "_auth_user_id" not in client.session


def test_code_requests_are_rate_limited(client, owner):
    mail.outbox = []
    for _ in range(3):
        client.cookies.clear()  # a new visitor each time: a pending code keeps its own session
        assert request_code(client, owner.email).status_code == 302
    client.cookies.clear()
    response = request_code(client, owner.email)
    assert response.status_code == 200  # the fourth within a minute is refused
    assert "Trop de tentatives" in response.content.decode()
    assert len(mail.outbox) == 3


def test_an_unknown_address_gets_no_login(client, db):
    request_code(client, "inconnu@nulle-part.example")
    response = client.post("/comptes/login/code/confirm/", {"code": "ZZZ-ZZZ"})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
    assert not User.objects.filter(email="inconnu@nulle-part.example").exists()


def test_password_login_still_works(client, owner):
    owner.set_password("correct-horse-battery")
    owner.save()
    EmailAddress.objects.filter(user=owner).update(verified=True)
    client.post("/comptes/login/", {"login": owner.email, "password": "correct-horse-battery"})
    assert client.session["_auth_user_id"] == str(owner.pk)


# --- The team: invitations --------------------------------------------------------------------


def test_owner_invites_a_colleague_who_activates_and_sees_the_organisation(
    client, organisation, owner, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            team_url(organisation, suffix="inviter/"), {"email": " Lea.Vasseur@Moulin.example "}
        )
    assert response.status_code == 302
    assert response["Location"] == team_url(organisation)

    colleague = User.objects.get(email="lea.vasseur@moulin.example")
    assert not colleague.has_usable_password()
    assert OrganisationMember.objects.get(organisation=organisation, user=colleague).role == MEMBER
    entry = AuditEntry.objects.get(organisation_id=organisation.pk, action="portal_member.invited")
    assert entry.actor == owner
    assert entry.data["email"] == "lea.vasseur@moulin.example"
    invitation = mail.outbox[-1]
    assert invitation.to == ["lea.vasseur@moulin.example"]
    assert "Invitation à l'espace pro du Moulin des Marais" in invitation.subject  # « de Le » contracted
    assert invitation.alternatives  # an HTML part beside the plain text

    link = re.search(r"https?://\S+/comptes/activer/\S+/", invitation.body).group(0)
    client.logout()
    response = client.post(
        urlparse(link).path, {"password1": "Marais-2022-Aa!", "password2": "Marais-2022-Aa!"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)
    assert "Le Moulin des Marais" in client.get("/saint-omer/espace-pro/").content.decode()
    team = client.get(team_url(organisation)).content.decode()
    assert "lea.vasseur@moulin.example" in team
    assert "Envoyer l&#x27;invitation" not in team  # a colleague does not manage the team
    assert "demandez à un titulaire du compte" in team


def test_the_team_page_shows_members_and_roles(client, organisation, owner):
    directory_services.invite_member(organisation, email="lea@moulin.example", actor=owner)
    client.force_login(owner)
    html = client.get(team_url(organisation)).content.decode()
    assert "camille@moulin.example" in html and "lea@moulin.example" in html
    assert "Titulaire" in html and "Collaborateur" in html
    assert "Retirer lea@moulin.example" in html
    assert "Dernier titulaire : ne peut pas être retiré" in html  # the owner themself
    assert 'for="id_email"' in html


def test_an_invited_person_who_already_has_a_login_is_reused(organisation, owner, other_season):
    elsewhere = join(other_season, "lea@moulin.example", "L'Estaminet d'Aire")
    lea = elsewhere.members.get()
    lea.set_password("correct-horse-battery")
    lea.save()
    member = directory_services.invite_member(organisation, email="LEA@moulin.example", actor=owner)
    assert member.user == lea
    assert User.objects.filter(email__iexact="lea@moulin.example").count() == 1
    invitation = OutboundEmail.objects.filter(template="team_invitation").get()
    assert invitation.to == "lea@moulin.example"
    assert "/comptes/activer/" not in invitation.body_text  # they log in as usual
    assert "/saint-omer/espace-pro/" in invitation.body_text


def test_a_colleague_cannot_invite(client, organisation, owner):
    colleague = directory_services.invite_member(organisation, email="lea@moulin.example", actor=owner).user
    client.force_login(colleague)
    before = row_counts()
    response = client.post(
        team_url(organisation, suffix="inviter/"), {"email": "autre@moulin.example"}, follow=True
    )
    assert response.redirect_chain == [(team_url(organisation), 302)]
    assert escape(ONLY_OWNERS) in response.content.decode()
    assert row_counts() == before
    with assert_refused(ONLY_OWNERS, field=None):
        directory_services.invite_member(organisation, email="autre@moulin.example", actor=colleague)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Indiquez l'adresse e-mail de la personne à inviter."),
        ("pas-une-adresse", "Cette adresse e-mail n'est pas valide."),
        ("camille@moulin.example", "Cette personne fait déjà partie de l'équipe."),
    ],
)
def test_bad_invitations_are_refused_on_the_form(client, organisation, owner, email, message):
    client.force_login(owner)
    before = row_counts()
    response = client.post(team_url(organisation, suffix="inviter/"), {"email": email})
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(message) in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert row_counts() == before


def test_invite_member_service_refusals(organisation, owner):
    with assert_refused("Cette adresse e-mail n'est pas valide.", field="email"):
        directory_services.invite_member(organisation, email="lea@", actor=owner)
    directory_services.invite_member(organisation, email="lea@moulin.example", actor=owner)
    with assert_refused("Cette personne fait déjà partie de l'équipe.", field="email"):
        directory_services.invite_member(organisation, email="Lea@Moulin.example", actor=owner)
    User.objects.filter(email="lea@moulin.example").update(is_active=False)
    OrganisationMember.objects.filter(user__email="lea@moulin.example").delete()
    with assert_refused("Ce compte est désactivé : contactez l'Office.", field="email"):
        directory_services.invite_member(organisation, email="lea@moulin.example", actor=owner)


def test_staff_of_the_office_are_not_owners(organisation, staff_user):
    with assert_refused(ONLY_OWNERS, field=None):
        directory_services.invite_member(organisation, email="lea@moulin.example", actor=staff_user)


# --- The team: removing people ----------------------------------------------------------------


def test_owner_removes_a_colleague_who_loses_access(client, organisation, owner):
    lea = directory_services.invite_member(organisation, email="lea@moulin.example", actor=owner)
    client.force_login(owner)
    response = client.post(remove_url(organisation, lea))
    assert response.status_code == 302
    assert response["Location"] == team_url(organisation)
    assert not OrganisationMember.objects.filter(pk=lea.pk).exists()
    assert AuditEntry.objects.filter(
        organisation_id=organisation.pk,
        action="portal_member.removed",
        actor=owner,
        data__email=lea.user.email,
    ).exists()
    assert User.objects.filter(pk=lea.user_id).exists()  # the login stays (other organisations)

    client.force_login(lea.user)
    assert client.get(team_url(organisation)).status_code == 404
    assert client.get(f"/saint-omer/espace-pro/compte/{organisation.pk}/").status_code == 404


def test_a_colleague_cannot_remove_anyone(client, organisation, owner):
    lea = directory_services.invite_member(organisation, email="lea@moulin.example", actor=owner)
    owner_row = OrganisationMember.objects.get(organisation=organisation, user=owner)
    client.force_login(lea.user)
    before = row_counts()
    response = client.post(remove_url(organisation, owner_row), follow=True)
    assert escape(ONLY_OWNERS) in response.content.decode()
    assert row_counts() == before
    with assert_refused(ONLY_OWNERS, field=None):
        directory_services.remove_member(organisation, user=owner, actor=lea.user)


LAST_OWNER = (
    "Le dernier titulaire du compte ne peut pas être retiré : l'organisation doit garder un "
    "titulaire. Contactez l'Office pour le remplacer."
)


def test_the_last_owner_cannot_be_removed_even_by_themself(client, organisation, owner):
    owner_row = OrganisationMember.objects.get(organisation=organisation, user=owner)
    with assert_refused(LAST_OWNER, field=None):
        directory_services.remove_member(organisation, user=owner, actor=owner)
    client.force_login(owner)
    response = client.post(remove_url(organisation, owner_row), follow=True)
    assert escape(LAST_OWNER) in response.content.decode()
    assert OrganisationMember.objects.filter(pk=owner_row.pk).exists()


def test_an_owner_may_leave_when_another_owner_stays(client, organisation, owner):
    second = directory_services.invite_member(organisation, email="lea@moulin.example", actor=owner)
    directory_services.grant_portal_access(organisation, user=second.user)  # already a member: no change
    OrganisationMember.objects.filter(pk=second.pk).update(role=OWNER)  # staff made her an owner
    client.force_login(owner)
    me = OrganisationMember.objects.get(organisation=organisation, user=owner)
    response = client.post(remove_url(organisation, me))
    assert response["Location"] == "/saint-omer/espace-pro/"
    assert list(organisation.members.all()) == [second.user]
    with assert_refused(LAST_OWNER, field=None):
        directory_services.remove_member(organisation, user=second.user, actor=second.user)


def test_removing_someone_outside_the_team_is_refused(organisation, owner, season):
    stranger = join(season, "autre@brasserie.example", "Brasserie de l'Aa").members.get()
    with assert_refused("Cette personne ne fait pas partie de l'équipe.", field=None):
        directory_services.remove_member(organisation, user=stranger, actor=owner)


def test_another_organisations_ids_answer_404(client, organisation, owner, season, other_season):
    other = join(season, "autre@brasserie.example", "Brasserie de l'Aa")
    other_member = OrganisationMember.objects.get(organisation=other)
    far = join(other_season, "loin@aire.example", "Camping d'Aire")
    far_member = OrganisationMember.objects.get(organisation=far)
    client.force_login(owner)
    before = row_counts()
    for url in (
        team_url(other),
        team_url(other, suffix="inviter/"),
        remove_url(other, other_member),
        remove_url(organisation, other_member),  # my organisation, someone else's member
        remove_url(organisation, far_member),
        team_url(far),
        team_url(organisation, office="aire-sur-la-lys"),  # my organisation, the other office
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"email": "x@y.example"}).status_code == 404, url
    assert row_counts() == before


def test_anonymous_visitors_are_sent_to_the_login(client, organisation, owner):
    member = OrganisationMember.objects.get(organisation=organisation)
    for url in (
        team_url(organisation),
        team_url(organisation, suffix="inviter/"),
        remove_url(organisation, member),
    ):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/comptes/login/"), url


# --- One person, several organisations, several offices ---------------------------------------


def test_a_person_in_two_organisations_and_two_offices_sees_only_this_offices(
    client, organisation, owner, season, other_season
):
    brasserie = join(season, "gerant@brasserie.example", "Brasserie de l'Aa")
    camping = join(other_season, "gerant@camping.example", "Camping d'Aire")
    lea = directory_services.invite_member(organisation, email="lea@moulin.example", actor=owner).user
    directory_services.invite_member(brasserie, email="lea@moulin.example", actor=brasserie.members.get())
    directory_services.invite_member(camping, email="lea@moulin.example", actor=camping.members.get())
    assert OrganisationMember.objects.filter(user=lea).count() == 3
    assert User.objects.filter(email="lea@moulin.example").count() == 1

    client.force_login(lea)
    here = client.get("/saint-omer/espace-pro/compte/").content.decode()
    assert "Le Moulin des Marais" in here and "Brasserie de l&#x27;Aa" in here
    assert "Camping d&#x27;Aire" not in here
    there = client.get("/aire-sur-la-lys/espace-pro/compte/").content.decode()
    assert "Camping d&#x27;Aire" in there
    assert "Le Moulin des Marais" not in there and "Brasserie" not in there
    assert client.get(team_url(camping)).status_code == 404
    assert client.get(team_url(camping, office="aire-sur-la-lys")).status_code == 200
    assert client.get(team_url(organisation, office="aire-sur-la-lys")).status_code == 404
    home = client.get("/saint-omer/espace-pro/").content.decode()
    assert "Camping d&#x27;Aire" not in home


def test_team_page_query_budget(client, organisation, owner, django_assert_max_num_queries):
    for n in range(8):
        directory_services.invite_member(organisation, email=f"collegue{n}@moulin.example", actor=owner)
    client.force_login(owner)
    with django_assert_max_num_queries(8):
        response = client.get(team_url(organisation))
    assert response.content.decode().count("Retirer collegue") == 8
