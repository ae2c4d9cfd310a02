"""The online bulletin d'adhésion: submit_join_request, its rules, its bad inputs, its tenants."""

import datetime
import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from stdnum import luhn

from ensemble.accounts.models import User
from ensemble.accounts.services import user_from_activation_token
from ensemble.core.models import AuditEntry, OutboundEmail
from ensemble.directory import selectors as directory_selectors
from ensemble.directory.models import (
    Category,
    Contact,
    Establishment,
    Organisation,
    OrganisationMember,
)
from ensemble.memberships import services
from ensemble.memberships.models import (
    Membership,
    MembershipTransition,
    Offer,
    Season,
    TermsAcceptance,
    TermsDocument,
)

from .conftest import EVIDENCE, assert_refused, make_application, offer, row_counts
from .factories import ContactFactory, OrganisationFactory, make_siret

ACTIVATION_LINK = re.compile(r"/comptes/activer/(?P<uid>[^/\s]+)/(?P<token>[^/\s]+)/")


def other_siret_of_same_siren(siret: str, nic: str = "0002") -> str:
    """Another establishment (SIRET) of the same company (SIREN)."""
    base = siret[:9] + nic
    return base + luhn.calc_check_digit(base)


def submit_to(season: Season, **overrides) -> services.JoinResult:
    return services.submit_join_request(
        season.office, make_application(season, **overrides), evidence=EVIDENCE
    )


# --- The request and everything it creates -----------------------------------------------------


def test_join_creates_organisation_with_siren_derived_from_siret(submit, office):
    siret = make_siret()
    result = submit(siret=f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}")
    organisation = result.membership.organisation
    assert result.attached_to_existing is False
    assert organisation.office == office
    assert organisation.siret == siret
    assert organisation.siren == siret[:9]
    assert organisation.name == "Le Moulin des Marais"
    assert organisation.phone == "+33321123456"


def test_join_creates_establishment_in_the_chosen_category(submit, office):
    category = Category.objects.get(office=office, slug="restauration")
    membership = submit(category_id=category.pk).membership
    establishment = membership.establishment
    assert establishment.name == "Le Moulin des Marais"
    assert establishment.category == category
    assert establishment.organisation == membership.organisation
    assert establishment.office == office
    assert (establishment.postcode, establishment.city) == ("62500", "Saint-Omer")


def test_join_creates_primary_contact_linked_to_a_new_login(submit):
    membership = submit(email="  Camille@Moulin.EXAMPLE ").membership
    contact = Contact.objects.get(organisation=membership.organisation)
    assert (contact.first_name, contact.last_name) == ("Camille", "Delannoy")
    assert contact.email == "camille@moulin.example"
    assert contact.is_primary is True
    assert contact.language == "fr"
    user = User.objects.get(email="camille@moulin.example")
    assert contact.user == user
    assert membership.applicant == user


def test_join_login_has_no_password_and_an_unverified_address(submit):
    submit()
    user = User.objects.get(email="camille@moulin.example")
    assert user.has_usable_password() is False
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (
        "camille@moulin.example",
        False,
        True,
    )


def test_join_makes_the_applicant_owner_of_the_new_organisation(submit):
    membership = submit().membership
    member = OrganisationMember.objects.get(organisation=membership.organisation)
    assert member.user == membership.applicant
    assert member.role == OrganisationMember.Role.OWNER


def test_join_creates_a_requested_membership_with_bulletin_signed_today(submit, season):
    membership = submit(payment_method="transfer").membership
    assert membership.status == Membership.Status.REQUESTED
    assert membership.season == season
    assert membership.payment_method == "transfer"
    assert membership.bulletin_signed_on == timezone.localdate()
    assert membership.accepted_on is None and membership.activated_on is None


def test_amount_due_adds_pack_options_and_per_person_quantities(submit, season):
    membership = submit(
        options={
            offer(season, "photos-25").pk: 1,
            offer(season, "formation-reseaux-sociaux").pk: 3,
            offer(season, "gamification").pk: 1,
        }
    ).membership
    membership.refresh_from_db()
    # 90 (pack) + 200 (25 photos) + 3 × 50 (training); the gamification pack is on quote.
    assert membership.amount_due == Decimal("440.00")
    assert type(membership.amount_due) is Decimal
    lines = {line.offer.code: line for line in membership.lines.select_related("offer")}
    assert set(lines) == {
        "pack-partenaire",
        "photos-25",
        "formation-reseaux-sociaux",
        "gamification",
    }
    assert (lines["pack-partenaire"].quantity, lines["pack-partenaire"].unit_price_ttc) == (
        1,
        Decimal("90.00"),
    )
    training = lines["formation-reseaux-sociaux"]
    assert (training.quantity, training.unit_price_ttc, training.total_ttc) == (
        3,
        Decimal("50.00"),
        Decimal("150.00"),
    )


def test_on_quote_options_have_no_price_and_are_not_in_amount_due(submit, season):
    membership = submit(
        options={offer(season, "gamification").pk: 1, offer(season, "evenementiel").pk: 1}
    ).membership
    membership.refresh_from_db()
    assert membership.amount_due == Decimal("90.00")
    on_quote = membership.lines.exclude(offer__code="pack-partenaire")
    assert on_quote.count() == 2
    for line in on_quote:
        assert line.unit_price_ttc is None
        assert line.total_ttc is None


def test_join_records_both_acceptances_verbatim_with_evidence(submit, season):
    membership = submit().membership
    acceptances = {a.kind: a for a in TermsAcceptance.objects.filter(membership=membership)}
    assert set(acceptances) == {"charter", "cgv"}
    for kind, acceptance in acceptances.items():
        document = TermsDocument.objects.get(season=season, kind=kind, is_current=True)
        assert acceptance.document == document
        assert acceptance.text == document.body
        assert acceptance.title == document.title
        assert acceptance.version == 1
        assert acceptance.content_hash == document.content_hash
        assert (
            acceptance.content_hash
            == hashlib.sha256(f"{acceptance.title}\n\n{acceptance.text}".encode()).hexdigest()
        )
        assert acceptance.ip_address == "192.0.2.10"
        assert acceptance.user_agent == "pytest"
        assert acceptance.user == membership.applicant
        assert acceptance.office_id == membership.office_id
    assert "31 décembre 2022" in acceptances["cgv"].text


def test_join_writes_the_submit_transition_and_one_audit_entry(submit):
    membership = submit().membership
    transition = MembershipTransition.objects.get(membership=membership)
    assert (transition.action, transition.from_status, transition.to_status) == (
        "submit",
        "",
        "requested",
    )
    entry = AuditEntry.objects.get(organisation_id=membership.organisation_id)
    assert entry.action == "membership.requested"
    assert (entry.office_id, entry.target_id) == (membership.office_id, str(membership.pk))
    assert entry.actor is None  # a visitor; the new login is the applicant in the data
    assert entry.ip_address == "192.0.2.10"
    assert (entry.data["season"], entry.data["establishment"]) == (2022, "Le Moulin des Marais")
    assert entry.data["applicant"] == membership.applicant_id
    assert entry.data["lines"] == [["pack-partenaire", 1]]
    assert entry.data["amount_due"] == str(membership.amount_due)
    email = OutboundEmail.objects.get(pk=entry.data["email"])
    assert email.to == "camille@moulin.example"


def test_join_sends_one_confirmation_with_a_working_activation_link(
    submit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership = submit().membership
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille@moulin.example"]
    assert message.subject == "Votre demande d'adhésion 2022 est bien reçue"
    assert "Total à régler : 90,00 € TTC" in message.body
    match = ACTIVATION_LINK.search(message.body)
    assert match is not None, message.body
    # on the office's site (issue 12, A2: the link names the office)
    assert message.body[: match.start()].endswith(f"{settings.SITE_URL}/saint-omer")
    assert user_from_activation_token(match["uid"], match["token"]) == membership.applicant
    html = message.alternatives[0].content
    assert ACTIVATION_LINK.search(html) is not None
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_no_email_leaves_before_the_request_commits(submit):
    submit()  # the on-commit callbacks of the test transaction never run
    assert mail.outbox == []
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.QUEUED


def _english_catalogue_installed() -> bool:
    with translation.override("en"):
        return (
            translation.gettext("Votre demande d'adhésion %(year)s est bien reçue")
            != "Votre demande d'adhésion %(year)s est bien reçue"
        )


def test_confirmation_is_written_in_the_contact_language(submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership = submit(language="en").membership
    email = OutboundEmail.objects.get()
    assert email.language == "en"
    assert Contact.objects.get(organisation=membership.organisation).language == "en"
    assert membership.applicant.language == "en"
    assert len(mail.outbox) == 1
    french_subject = "Votre demande d'adhésion 2022 est bien reçue"
    if _english_catalogue_installed():
        assert mail.outbox[0].subject != french_subject
        assert "2022" in mail.outbox[0].subject
    else:
        # No English catalogue compiled yet (ensemble/locale/en): only the language is checked.
        assert not any(Path(p).joinpath("en").exists() for p in settings.LOCALE_PATHS)


def test_markup_in_text_fields_is_stored_verbatim(submit):
    markup = "<script>alert(1)</script>"
    membership = submit(establishment_name=markup, address="3 rue <b>Haute</b>").membership
    assert Establishment.objects.get(pk=membership.establishment_id).name == markup
    assert Organisation.objects.get(pk=membership.organisation_id).name == markup
    # (the town is checked against the postcode's communes: tests/test_part7_postcodes.py)
    assert Establishment.objects.get(pk=membership.establishment_id).address == "3 rue <b>Haute</b>"


def test_whitespace_in_names_is_collapsed(submit):
    membership = submit(establishment_name="  Le   Moulin\tdes Marais ").membership
    assert membership.establishment.name == "Le Moulin des Marais"


# --- Bad inputs: each refused with its message, nothing written ---------------------------------


@pytest.mark.parametrize(
    ("overrides", "message", "field"),
    [
        (
            {"siret": "12345678901234"},
            "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle incorrecte).",
            "siret",
        ),
        (
            {"siret": ""},
            "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle incorrecte).",
            "siret",
        ),
        ({"phone": "03 21 12"}, "Ce numéro de téléphone n'est pas valide.", "phone"),
        ({"phone": "pas de téléphone"}, "Ce numéro de téléphone n'est pas valide.", "phone"),
        ({"email": "camille@"}, "Cette adresse e-mail n'est pas valide.", "email"),
        ({"email": "camille.moulin.example"}, "Cette adresse e-mail n'est pas valide.", "email"),
        ({"establishment_name": "x" * 201}, "200 caractères au maximum.", "establishment_name"),
        ({"establishment_name": "   "}, "Ce champ est obligatoire.", "establishment_name"),
        ({"postcode": ""}, "Ce champ est obligatoire.", "postcode"),
        (
            {"accepted_charter_id": None},
            "Vous devez accepter la charte pour adhérer.",
            "accept_charter",
        ),
        ({"accepted_cgv_id": None}, "Vous devez accepter les CGV pour adhérer.", "accept_cgv"),
        ({"category_id": 999_999}, "Choisissez une catégorie de la liste.", "category"),
        ({"payment_method": "bitcoin"}, "Choisissez un mode de règlement.", "payment_method"),
        ({"payment_method": ""}, "Choisissez un mode de règlement.", "payment_method"),
        ({"pack_id": 999_999}, "Choisissez le pack partenaire de la saison.", "pack"),
        (
            {"options": {999_999: 1}},
            "Cette prestation ne fait pas partie du catalogue de la saison.",
            "options",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_written(submit, season, overrides, message, field):
    with assert_refused(message, field=field):
        submit(**overrides)


def test_max_length_enseigne_of_200_is_accepted(submit):
    membership = submit(establishment_name="x" * 200).membership
    assert len(membership.establishment.name) == 200


def test_pack_id_that_is_an_option_is_refused(submit, season):
    with assert_refused("Choisissez le pack partenaire de la saison.", field="pack"):
        submit(pack_id=offer(season, "photos-10").pk)


def test_pack_given_again_as_an_option_is_refused(submit, season, pack):
    with assert_refused("Cette prestation ne fait pas partie du catalogue de la saison.", field="options"):
        submit(options={pack.pk: 1})


def test_option_of_another_season_is_refused(submit, season):
    next_season = services.prepare_next_season(season)
    with assert_refused("Cette prestation ne fait pas partie du catalogue de la saison.", field="options"):
        submit(options={offer(next_season, "photos-10").pk: 1})


def test_option_of_another_office_is_refused(submit, other_season):
    with assert_refused("Cette prestation ne fait pas partie du catalogue de la saison.", field="options"):
        submit(options={offer(other_season, "photos-10").pk: 1})


def test_pack_of_another_office_is_refused(submit, other_season):
    with assert_refused("Choisissez le pack partenaire de la saison.", field="pack"):
        submit(pack_id=offer(other_season, "pack-partenaire").pk)


def test_withdrawn_option_is_refused(submit, season):
    Offer.objects.filter(season=season, code="photos-10").update(is_active=False)
    with assert_refused("Cette prestation ne fait pas partie du catalogue de la saison.", field="options"):
        submit(options={offer(season, "photos-10").pk: 1})


@pytest.mark.parametrize("quantity", [0, -1, -5])
def test_option_quantity_below_one_is_refused(submit, season, quantity):
    with assert_refused(
        "« Formation réseaux sociaux » : la quantité doit être d'au moins 1.", field="options"
    ):
        submit(options={offer(season, "formation-reseaux-sociaux").pk: quantity})


def test_flat_option_quantity_above_one_is_refused(submit, season):
    with assert_refused("« Pack photos — 10 photos » se commande à l'unité.", field="options"):
        submit(options={offer(season, "photos-10").pk: 2})


def test_on_quote_option_quantity_above_one_is_refused(submit, season):
    with assert_refused("« Pack gamification » se commande à l'unité.", field="options"):
        submit(options={offer(season, "gamification").pk: 3})


def test_per_person_quantity_above_the_online_limit_is_refused(submit, season):
    with assert_refused(
        "« Formation et traduction anglais » : 50 personnes au maximum en ligne ; "
        "contactez l'Office pour un groupe plus grand.",
        field="options",
    ):
        submit(options={offer(season, "formation-anglais").pk: 51})


def test_category_of_the_other_office_is_refused(submit, other_office):
    foreign = Category.objects.filter(office=other_office).first()
    with assert_refused("Choisissez une catégorie de la liste.", field="category"):
        submit(category_id=foreign.pk)


def test_outdated_charter_version_is_refused(submit, season):
    old = TermsDocument.objects.get(season=season, kind="charter", is_current=True)
    services.publish_terms(season, kind="charter", title=old.title, body=old.body + "\n- Ajout.")
    with assert_refused(
        "Une nouvelle version de la charte a été publiée : relisez-la et acceptez-la.",
        field="accept_charter",
    ):
        submit(accepted_charter_id=old.pk)


def test_cgv_id_given_for_the_charter_is_refused(submit, season):
    cgv = TermsDocument.objects.get(season=season, kind="cgv", is_current=True)
    with assert_refused(
        "Une nouvelle version de la charte a été publiée : relisez-la et acceptez-la.",
        field="accept_charter",
    ):
        submit(accepted_charter_id=cgv.pk)


def test_season_closed_for_joining_is_refused(submit, season):
    Season.objects.filter(pk=season.pk).update(is_open_for_joining=False)
    with assert_refused("Les adhésions ne sont pas ouvertes pour le moment.", field=None):
        submit()


# --- Submitted twice, known organisations, tenants ---------------------------------------------


def test_same_submission_key_twice_gives_one_membership(submit):
    first = submit(submission_key="form-7f3a")
    before = row_counts()
    second = submit(submission_key="form-7f3a", establishment_name="Autre nom")
    assert second.already_submitted is True
    assert first.already_submitted is False
    assert second.membership.pk == first.membership.pk
    assert row_counts() == before


def test_submission_key_of_another_office_never_returns_its_membership(submit, other_season):
    submit_to(other_season, submission_key="form-shared")
    # Keys are random per form; a key seen in another office is refused, never answered with
    # that office's request.
    with assert_refused(
        "Une demande d'adhésion est déjà en cours pour cette organisation et cette saison.",
        field=None,
    ):
        submit(submission_key="form-shared", email="autre@moulin.example")


def test_known_siret_attaches_to_the_existing_organisation(submit, office):
    organisation = OrganisationFactory(office=office)
    ContactFactory(organisation=organisation, email="gerante@marais.example")
    count = Organisation.objects.count()
    result = submit(siret=organisation.siret, email="nouveau@marais.example")
    assert result.attached_to_existing is True
    assert result.membership.organisation == organisation
    assert Organisation.objects.count() == count


def test_siret_match_grants_no_portal_access_to_the_new_email(submit, office):
    organisation = OrganisationFactory(office=office)
    result = submit(siret=organisation.siret, email="inconnu@marais.example")
    user = User.objects.get(email="inconnu@marais.example")
    assert result.membership.applicant == user
    assert not OrganisationMember.objects.filter(user=user).exists()
    assert not directory_selectors.organisations_of_user(user, office).exists()


def test_another_siret_of_the_same_siren_attaches(submit, office):
    organisation = OrganisationFactory(office=office)
    sibling = other_siret_of_same_siren(organisation.siret)
    assert sibling != organisation.siret
    result = submit(siret=sibling, email="succursale@marais.example")
    assert result.attached_to_existing is True
    assert result.membership.organisation == organisation


def test_contact_email_attaches_to_the_existing_organisation(submit, office):
    organisation = OrganisationFactory(office=office)
    contact = ContactFactory(organisation=organisation, email="camille@moulin.example")
    count = Organisation.objects.count()
    result = submit(email="CAMILLE@moulin.example")  # a new SIRET, a known contact
    assert result.attached_to_existing is True
    assert result.membership.organisation == organisation
    assert Organisation.objects.count() == count
    assert Contact.objects.filter(organisation=organisation).count() == 1
    contact.refresh_from_db()
    assert contact.user == result.membership.applicant


def test_second_live_request_for_the_same_organisation_and_season_is_refused(submit):
    first = submit()
    with assert_refused(
        f"{first.membership.organisation.name} a déjà une demande ou une adhésion pour 2022. "
        "Connectez-vous à votre espace pro ou contactez l'Office.",
        field=None,
    ):
        submit(email="associe@moulin.example", siret=first.membership.organisation.siret)


def test_new_request_allowed_after_a_refusal(submit, staff_user):
    first = submit()
    services.refuse_membership(first.membership, actor=staff_user, reason="Dossier incomplet")
    second = submit(siret=first.membership.organisation.siret)
    assert second.attached_to_existing is True
    assert second.membership.pk != first.membership.pk
    assert second.membership.status == Membership.Status.REQUESTED


def test_same_siret_in_the_other_office_is_a_separate_organisation(submit, season, other_season):
    siret = make_siret()
    ours = submit(siret=siret).membership.organisation
    result = submit_to(other_season, siret=siret)
    theirs = result.membership.organisation
    assert result.attached_to_existing is False
    assert theirs.pk != ours.pk
    assert (ours.office_id, theirs.office_id) == (season.office_id, other_season.office_id)
    assert Organisation.objects.filter(siret=siret).count() == 2


def test_same_email_in_both_offices_is_one_login_with_access_to_both(
    submit, office, other_office, other_season
):
    ours = submit().membership.organisation
    theirs = submit_to(other_season).membership.organisation
    user = User.objects.get(email="camille@moulin.example")
    assert User.objects.filter(email__iexact="camille@moulin.example").count() == 1
    assert EmailAddress.objects.filter(email__iexact="camille@moulin.example").count() == 1
    assert list(directory_selectors.organisations_of_user(user, office)) == [ours]
    assert list(directory_selectors.organisations_of_user(user, other_office)) == [theirs]


def test_known_organisation_of_the_other_office_is_never_attached(submit, other_office):
    foreign = OrganisationFactory(office=other_office)
    ContactFactory(organisation=foreign, email="camille@moulin.example")
    result = submit(siret=foreign.siret)
    assert result.attached_to_existing is False
    assert result.membership.organisation != foreign
    assert result.membership.organisation.office_id != other_office.pk


def test_bulletin_date_is_today_not_a_date_from_the_client(submit):
    membership = submit().membership
    assert membership.bulletin_signed_on == timezone.localdate()
    assert membership.bulletin_signed_on > datetime.date(2022, 1, 1)
