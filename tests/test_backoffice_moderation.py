"""The staff side of listing moderation: the queue, a proposal's diff and its decision, a listing's
page (withdrawal, versions, restore), the moderation settings and the lists of amenities."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ensemble.accounts.models import StaffMembership
from ensemble.core.models import AuditEntry, OutboundEmail
from ensemble.listings import services as listing_services
from ensemble.listings.fields import snapshot
from ensemble.listings.models import Amenity, ChangeProposal, Listing, ListingVersion, ModerationSettings
from ensemble.memberships import services as membership_services

from .conftest import EVIDENCE, make_application
from .images import jpeg_upload

pytestmark = pytest.mark.django_db

SLUG = "saint-omer"
S = ChangeProposal.Status


def url(name: str, office_slug: str = SLUG, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": office_slug, **kwargs})


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def published(listing) -> dict:
    return snapshot(Listing.objects.get(pk=listing.pk))


def propose(partner, **changes) -> ChangeProposal:
    return listing_services.propose_changes(partner.listing, changes=changes, actor=partner.user).pending


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def manager_client(client, staff_user):
    StaffMembership.objects.filter(user=staff_user).update(role="direction")
    client.force_login(staff_user)
    return client


@pytest.fixture
def foreign_partner(other_season):
    """A partner of the other office (Aire-sur-la-Lys), with its listing."""
    application = make_application(other_season, email="gite@aire.example", establishment_name="Gîte d'Aire")
    membership = membership_services.submit_join_request(
        other_season.office, application, evidence=EVIDENCE
    ).membership
    listing = listing_services.ensure_listing(membership.establishment)
    return membership.applicant, listing


@pytest.fixture
def foreign_proposal(foreign_partner):
    user, listing = foreign_partner
    return listing_services.propose_changes(listing, changes={"rooms": 4}, actor=user).pending


# ---- the queue ---------------------------------------------------------------------------------


def test_the_queue_lists_the_office_pending_proposals_oldest_first(
    staff_client, partner, other_partner, make_partner, staff_user, foreign_proposal
):
    first = propose(partner, short_description_fr="Un moulin restauré.")
    second = propose(other_partner, rooms=8, beds=16)
    decided = make_partner("chef@bistro.example", name="Le Bistro des Marais")
    listing_services.approve_proposal(propose(decided, covers=30), actor=staff_user)

    response = staff_client.get(url("moderation_queue"))
    assert response.status_code == 200
    assert list(response.context["proposals"]) == [first, second]
    html = response.content.decode()
    assert "Le Moulin des Marais" in html and "La Brasserie du Haut-Pont" in html
    assert "Le Bistro des Marais" not in html  # approved: no longer waiting
    assert "Gîte d&#x27;Aire" not in html  # another office's
    assert url("moderation_proposal", pk=first.pk) in html
    assert "2 propositions en attente" in html


def test_the_queue_answers_in_the_same_number_of_queries_for_3_and_30_proposals(staff_client, make_partner):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(url("moderation_queue")).status_code == 200
        return len(captured)

    for n in range(3):
        propose(make_partner(f"p{n}@marais.example", name=f"Gîte {n}"), rooms=n + 1)
    few = queries()
    for n in range(3, 30):
        propose(make_partner(f"p{n}@marais.example", name=f"Gîte {n}"), rooms=n + 1)
    assert queries() == few
    assert few <= 12


# ---- a proposal: the diff and the decision -----------------------------------------------------


def test_the_proposal_page_shows_each_field_published_and_proposed(staff_client, partner, staff_user):
    listing_services.edit_listing(
        partner.listing, changes={"long_description_fr": "Ancien texte."}, actor=staff_user
    )
    proposal = propose(partner, long_description_fr="Nouveau texte.\nSur deux lignes.", rooms=6)

    response = staff_client.get(url("moderation_proposal", pk=proposal.pk))
    assert response.status_code == 200
    rows = {row.key: row for row in response.context["rows"]}
    assert rows["long_description_fr"].published == "Ancien texte."
    assert rows["rooms"].proposed == "6"
    html = response.content.decode()
    assert "Description longue (français)" in html and "Chambres" in html
    assert "Ancien texte." in html
    assert "Nouveau texte.<br>Sur deux lignes." in html  # line breaks kept
    assert 'name="reject-reason"' in html and url("moderation_approve", pk=proposal.pk) in html


def test_proposed_photos_are_shown_with_their_credit_and_alt_text(staff_client, partner):
    photo = listing_services.upload_photo(
        partner.listing,
        image=jpeg_upload(),
        credit="Camille Delannoy",
        alt_texts={"fr": "La roue du moulin", "nl": "Het molenrad"},
        rights_declared=True,
        actor=partner.user,
    )
    proposal = ChangeProposal.objects.get(listing=partner.listing, status=S.PENDING)
    html = staff_client.get(url("moderation_proposal", pk=proposal.pk)).content.decode()
    assert f'src="{photo.image.url}"' in html
    assert 'alt="La roue du moulin"' in html
    assert "© Camille Delannoy" in html and "Het molenrad" in html
    assert "nouvelle photo" in html


def test_approving_publishes_emails_the_partner_and_opens_the_next_proposal(
    staff_client, partner, other_partner
):
    proposal = propose(partner, short_description_nl="Een gerestaureerde molen.")
    following = propose(other_partner, rooms=3)

    response = staff_client.post(url("moderation_approve", pk=proposal.pk))
    assert response.status_code == 302
    assert response["Location"] == url("moderation_proposal", pk=following.pk)
    proposal.refresh_from_db()
    assert proposal.status == S.APPROVED
    assert published(partner.listing)["short_description_nl"] == "Een gerestaureerde molen."
    assert Listing.objects.get(pk=partner.listing.pk).version_number == 2
    email = OutboundEmail.objects.get(template="listing_approved")
    assert email.to == "camille@moulin.example"

    # The last one of the queue goes back to the (empty) queue.
    response = staff_client.post(url("moderation_approve", pk=following.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("moderation_queue")
    assert any("validées" in message for message in messages_of(response))
    assert "Aucune modification à modérer." in response.content.decode()


def test_a_second_approval_shows_the_message_and_changes_nothing(staff_client, partner, staff_user):
    proposal = propose(partner, rooms=5)
    listing_services.approve_proposal(proposal, actor=staff_user)  # in another tab
    proposal.refresh_from_db()
    when = timezone.localtime(proposal.decided_at).strftime("%d/%m/%Y %H:%M")
    versions = ListingVersion.objects.filter(listing=partner.listing).count()

    response = staff_client.post(url("moderation_approve", pk=proposal.pk), follow=True)
    assert response.status_code == 200
    assert messages_of(response) == [f"Cette proposition a déjà été traitée (validée {when})."]
    proposal.refresh_from_db()
    assert proposal.status == S.APPROVED
    assert ListingVersion.objects.filter(listing=partner.listing).count() == versions
    assert OutboundEmail.objects.filter(template="listing_approved").count() == 1
    # A rejection of it afterwards is refused the same way.
    response = staff_client.post(
        url("moderation_reject", pk=proposal.pk), {"reject-reason": "Trop tard."}, follow=True
    )
    assert messages_of(response) == [f"Cette proposition a déjà été traitée (validée {when})."]
    assert not OutboundEmail.objects.filter(template="listing_rejected").exists()
    # The page of a decided proposal shows the decision and no buttons.
    html = response.content.decode()
    assert "Validée" in html and url("moderation_approve", pk=proposal.pk) not in html


def test_a_value_gone_stale_since_the_proposal_is_explained_not_a_crash(staff_client, partner, office):
    bikes = Amenity.objects.create(office=office, group="label", slug="velo", name_fr="Accueil Vélo")
    proposal = propose(partner, amenities=[bikes.pk])
    Amenity.objects.filter(pk=bikes.pk).update(is_active=False)  # withdrawn from the lists since
    response = staff_client.post(url("moderation_approve", pk=proposal.pk), follow=True)
    assert response.status_code == 200
    assert messages_of(response) == ["Un équipement ou label choisi n'existe pas ou n'est plus proposé."]
    proposal.refresh_from_db()
    assert proposal.status == S.PENDING
    assert published(partner.listing)["amenities"] == []
    assert not OutboundEmail.objects.filter(template="listing_approved").exists()


@pytest.mark.parametrize("reason", ["", "   ", "<b></b>"])
def test_rejecting_without_a_reason_shows_it_on_the_field_and_changes_nothing(staff_client, partner, reason):
    proposal = propose(partner, website="https://moulin.example")
    response = staff_client.post(url("moderation_reject", pk=proposal.pk), {"reject-reason": reason})
    assert response.status_code == 200
    form = response.context["reject_form"]
    assert form.errors == {"reason": ["Indiquez au partenaire le motif du refus."]}
    html = response.content.decode()
    assert 'aria-describedby="id_reject-reason_error' in html
    proposal.refresh_from_db()
    assert proposal.status == S.PENDING
    assert not OutboundEmail.objects.filter(template="listing_rejected").exists()


def test_rejecting_with_a_reason_emails_it_and_keeps_the_published_content(staff_client, partner):
    proposal = propose(partner, website="https://moulin.example")
    response = staff_client.post(
        url("moderation_reject", pk=proposal.pk), {"reject-reason": "Le site ne répond pas."}
    )
    assert response["Location"] == url("moderation_queue")
    proposal.refresh_from_db()
    assert proposal.status == S.REJECTED and proposal.reason == "Le site ne répond pas."
    assert published(partner.listing)["website"] == ""
    email = OutboundEmail.objects.get(template="listing_rejected")
    assert "Le site ne répond pas." in email.body_text
    page = staff_client.get(url("moderation_proposal", pk=proposal.pk)).content.decode()
    assert "Le site ne répond pas." in page and "Refusée" in page


def test_a_get_on_a_decision_url_changes_nothing(staff_client, partner):
    proposal = propose(partner, rooms=5)
    response = staff_client.get(url("moderation_approve", pk=proposal.pk))
    assert response["Location"] == url("moderation_proposal", pk=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == S.PENDING


# ---- a listing: content, withdrawal, versions ----------------------------------------------


def test_the_listing_page_shows_the_published_content_the_pending_proposal_and_history(
    staff_client, partner, staff_user
):
    listing_services.edit_listing(
        partner.listing, changes={"short_description_fr": "Moulin à eau."}, actor=staff_user
    )
    proposal = propose(partner, short_description_fr="Moulin à vent.")
    response = staff_client.get(url("listing", pk=partner.listing.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Moulin à eau." in html and "Moulin à vent." not in html
    assert url("moderation_proposal", pk=proposal.pk) in html
    assert [v.number for v, _changed in response.context["versions"]] == [2, 1]
    assert response.context["versions"][0][1] == ["Description courte (français)"]
    assert "Modification par l&#x27;office" in html
    assert url("listing_version", pk=partner.listing.pk, number=1) in html


def test_unpublishing_needs_a_reason_and_republishing_undoes_it(staff_client, partner):
    listing = partner.listing
    response = staff_client.post(url("listing_unpublish", pk=listing.pk), {"unpublish-reason": " "})
    assert response.status_code == 200
    assert response.context["unpublish_form"].errors == {
        "reason": ["Indiquez le motif du retrait : il est transmis au partenaire."]
    }
    assert Listing.objects.get(pk=listing.pk).is_published

    response = staff_client.post(
        url("listing_unpublish", pk=listing.pk),
        {"unpublish-reason": "Fiche non mise à jour (CGV art. 2)."},
        follow=True,
    )
    assert response.redirect_chain == [(url("listing", pk=listing.pk), 302)]
    assert "Retirée des supports" in response.content.decode()
    assert not Listing.objects.get(pk=listing.pk).is_published
    assert "CGV art. 2" in OutboundEmail.objects.get(template="listing_unpublished").body_text

    response = staff_client.post(
        url("listing_unpublish", pk=listing.pk), {"unpublish-reason": "Encore."}, follow=True
    )
    assert messages_of(response) == ["Cette fiche est déjà retirée des supports de l'office."]
    staff_client.post(url("listing_republish", pk=listing.pk))
    assert Listing.objects.get(pk=listing.pk).is_published


def test_restoring_a_version_publishes_its_content_as_a_new_version(staff_client, partner, staff_user):
    for text in ("Première version.", "Deuxième version."):
        listing_services.approve_proposal(propose(partner, long_description_fr=text), actor=staff_user)
    listing = partner.listing

    page = staff_client.get(url("listing_version", pk=listing.pk, number=2))
    assert page.status_code == 200
    assert "Première version." in page.content.decode()
    assert "Restaurer cette version" in page.content.decode()
    current = staff_client.get(url("listing_version", pk=listing.pk, number=3)).content.decode()
    assert "Restaurer cette version" not in current

    response = staff_client.post(url("listing_restore", pk=listing.pk, number=2), follow=True)
    assert response.redirect_chain[-1][0] == url("listing", pk=listing.pk)
    assert messages_of(response) == ["La version 2 est restaurée : elle est publiée comme version 4."]
    newest = ListingVersion.objects.filter(listing=listing).order_by("-number").first()
    assert (newest.number, newest.origin, newest.restored_from) == (4, "restored", 2)
    assert newest.data["long_description_fr"] == "Première version."
    assert published(listing)["long_description_fr"] == "Première version."


def edit_data(listing, **changes) -> dict:
    """The staff edit form as it comes filled with the published values."""
    values = {
        key: "" if value is None else value
        for key, value in published(listing).items()
        if key not in ("amenities", "opening_periods", "prices", "photos")
    }
    values["phone"] = "03 21 12 34 56"
    return {**values, **changes}


def test_staff_correct_a_listing_and_it_is_published_at_once(staff_client, partner):
    listing = partner.listing
    page = staff_client.get(url("listing_edit", pk=listing.pk))
    assert page.status_code == 200
    assert page.context["form"]["phone"].value() == "03 21 12 34 56"

    response = staff_client.post(url("listing_edit", pk=listing.pk), edit_data(listing), follow=True)
    assert messages_of(response) == ["Aucune modification à enregistrer."]
    assert ListingVersion.objects.filter(listing=listing).count() == 1

    data = edit_data(listing, long_description_nl="Een molen.\nMet een terras.", covers="40")
    response = staff_client.post(url("listing_edit", pk=listing.pk), data, follow=True)
    assert messages_of(response) == ["La fiche est modifiée : la version 2 est publiée."]
    version = ListingVersion.objects.get(listing=listing, number=2)
    assert (version.origin, version.changed_fields) == ("staff", ["covers", "long_description_nl"])
    assert published(listing)["long_description_nl"] == "Een molen.\nMet een terras."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Le nom est obligatoire."),
        (
            {"short_description_fr": "x" * 201},
            "short_description_fr",
            "La description courte (français) dépasse 200 caractères (201) : raccourcissez-la.",
        ),
        ({"rooms": "beaucoup"}, "rooms", "Indiquez un nombre entier."),
        (
            {"website": "javascript:alert(1)"},
            "website",
            "Cette adresse web n'est pas valide (elle commence par https://).",
        ),
    ],
)
def test_a_bad_staff_correction_is_shown_on_its_field_and_nothing_is_published(
    staff_client, partner, changes, field, message
):
    response = staff_client.post(
        url("listing_edit", pk=partner.listing.pk), edit_data(partner.listing, **changes)
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert ListingVersion.objects.filter(listing=partner.listing).count() == 1
    assert published(partner.listing)["name"] == "Le Moulin des Marais"


def test_an_unknown_version_is_404(staff_client, partner):
    assert staff_client.get(url("listing_version", pk=partner.listing.pk, number=9)).status_code == 404
    assert staff_client.post(url("listing_restore", pk=partner.listing.pk, number=9)).status_code == 404


# ---- the moderation settings -------------------------------------------------------------------


def test_a_manager_chooses_the_fields_published_at_once(manager_client, partner, office):
    response = manager_client.get(url("moderation_settings"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Périodes et horaires d&#x27;ouverture" in html and "Description longue (néerlandais)" in html
    assert 'value="opening_periods" id="id_immediate_fields_' in html  # checked by default

    response = manager_client.post(url("moderation_settings"), {"immediate_fields": ["covers", "rooms"]})
    assert response["Location"] == url("moderation_settings")
    assert ModerationSettings.objects.get(office=office).immediate_fields == ["covers", "rooms"]

    result = listing_services.propose_changes(partner.listing, changes={"covers": 45}, actor=partner.user)
    assert result.published == ["covers"] and result.pending is None
    assert published(partner.listing)["covers"] == 45


def test_an_unknown_field_is_refused(manager_client, office):
    response = manager_client.post(url("moderation_settings"), {"immediate_fields": ["salary"]})
    assert response.status_code == 200
    assert "salary" in response.context["form"].errors["immediate_fields"][0]
    assert listing_services.moderation_settings(office).immediate_fields == ["opening_periods"]


def test_staff_who_are_not_managers_see_the_settings_but_cannot_change_them(staff_client, staff_user, office):
    StaffMembership.objects.filter(user=staff_user).update(role="partenaires")
    response = staff_client.get(url("moderation_settings"))
    assert response.status_code == 200
    assert "Seule la direction" in response.content.decode()
    assert staff_client.post(url("moderation_settings"), {"immediate_fields": ["covers"]}).status_code == 403
    assert listing_services.moderation_settings(office).immediate_fields == ["opening_periods"]


# ---- the lists of amenities --------------------------------------------------------------------


AMENITY = {
    "group": "label",
    "name_fr": "Accueil Vélo",
    "name_en": "Cyclists welcome",
    "name_nl": "",
    "position": "",
    "slug": "",
}


def test_staff_add_an_amenity_to_a_list(staff_client, office):
    response = staff_client.post(url("amenities"), AMENITY)
    assert response["Location"] == url("amenities")
    amenity = Amenity.objects.get(office=office)
    assert (amenity.slug, amenity.group, amenity.name_fr, amenity.name_en, amenity.position) == (
        "accueil-velo",
        "label",
        "Accueil Vélo",
        "Cyclists welcome",
        0,
    )
    assert amenity.is_active
    staff_client.post(url("amenities"), {**AMENITY, "name_fr": "Clef Verte", "name_en": ""})
    staff_client.post(url("amenities"), {**AMENITY, "name_fr": "Gîtes de France", "position": "7"})
    positions = dict(Amenity.objects.filter(office=office).values_list("slug", "position"))
    assert positions == {"accueil-velo": 0, "clef-verte": 1, "gites-de-france": 7}
    page = staff_client.get(url("amenities"))
    labels = [(label, [a.slug for a in items]) for _group, label, items in page.context["groups"]]
    assert ("Labels", ["accueil-velo", "clef-verte", "gites-de-france"]) in labels
    assert ("Animaux", []) in labels


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name_fr": "  "}, "name_fr", "Le nom en français est obligatoire."),
        ({"name_fr": "<i></i>"}, "name_fr", "Le nom en français est obligatoire."),
        ({"name_nl": "x" * 101}, "name_nl", "Le nom (néerlandais) dépasse 100 caractères (101)."),
        ({"group": "parking"}, "group", None),
        ({"position": "-1"}, "position", "La position est un nombre entre 0 et 32767."),
        ({"position": "deux"}, "position", None),
        ({"slug": "!!!"}, "slug", "Indiquez un identifiant (lettres, chiffres et tirets)."),
        (
            {"slug": "Vélo"},
            "slug",
            "L'identifiant « velo » est déjà celui de « Vélo bienvenu » : choisissez-en un autre.",
        ),
    ],
)
def test_bad_amenities_are_refused_with_a_message_on_the_field(staff_client, office, changes, field, message):
    Amenity.objects.create(office=office, group="label", slug="velo", name_fr="Vélo bienvenu")
    response = staff_client.post(url("amenities"), {**AMENITY, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert Amenity.objects.filter(office=office).count() == 1


def test_the_same_identifier_is_free_in_another_office(staff_client, office, other_office):
    Amenity.objects.create(office=other_office, group="label", slug="accueil-velo", name_fr="Accueil Vélo")
    staff_client.post(url("amenities"), AMENITY)
    assert Amenity.objects.filter(office=office, slug="accueil-velo").exists()


def test_staff_edit_an_amenity_but_not_its_identifier(staff_client, office):
    amenity = Amenity.objects.create(office=office, group="label", slug="velo", name_fr="Vélo")
    page = staff_client.get(url("amenity_edit", pk=amenity.pk))
    assert page.status_code == 200 and "slug" not in page.context["form"].fields
    data = {"group": "equipment", "name_fr": "Local à vélos", "name_en": "", "name_nl": "Fietsenstalling"}
    response = staff_client.post(url("amenity_edit", pk=amenity.pk), {**data, "position": "3", "slug": "x"})
    assert response["Location"] == url("amenities")
    amenity.refresh_from_db()
    assert (amenity.slug, amenity.group, amenity.name_fr, amenity.name_nl, amenity.position) == (
        "velo",
        "equipment",
        "Local à vélos",
        "Fietsenstalling",
        3,
    )
    response = staff_client.post(url("amenity_edit", pk=amenity.pk), {**data, "position": ""})
    assert response.status_code == 200 and "position" in response.context["form"].errors
    response = staff_client.post(url("amenity_edit", pk=amenity.pk), {**data, "position": "1", "name_fr": ""})
    assert response.context["form"].errors == {"name_fr": ["Le nom en français est obligatoire."]}
    amenity.refresh_from_db()
    assert amenity.name_fr == "Local à vélos"


def test_a_withdrawn_amenity_is_no_longer_offered_but_stays_on_the_listings_that_have_it(
    staff_client, office, partner, other_partner, staff_user
):
    bikes = Amenity.objects.create(office=office, group="label", slug="velo", name_fr="Accueil Vélo")
    listing_services.edit_listing(partner.listing, changes={"amenities": [bikes.pk]}, actor=staff_user)

    response = staff_client.post(url("amenity_deactivate", pk=bikes.pk), follow=True)
    assert "n'est plus proposé" in messages_of(response)[0]
    bikes.refresh_from_db()
    assert not bikes.is_active
    response = staff_client.post(url("amenity_deactivate", pk=bikes.pk), follow=True)
    assert messages_of(response) == ["« Accueil Vélo » est déjà retiré des listes."]

    # The partner who has it can still send it back with their other changes; a new one cannot.
    result = listing_services.propose_changes(
        partner.listing, changes={"amenities": [bikes.pk], "rooms": 4}, actor=partner.user
    )
    assert result.pending.changes == {"rooms": 4}
    with pytest.raises(listing_services.ListingError):
        listing_services.propose_changes(
            other_partner.listing, changes={"amenities": [bikes.pk]}, actor=other_partner.user
        )

    staff_client.post(url("amenity_reactivate", pk=bikes.pk))
    bikes.refresh_from_db()
    assert bikes.is_active


# ---- who may enter -----------------------------------------------------------------------------


def object_urls(proposal, listing, amenity) -> list[str]:
    return [
        url("moderation_proposal", pk=proposal.pk),
        url("moderation_approve", pk=proposal.pk),
        url("moderation_reject", pk=proposal.pk),
        url("listing", pk=listing.pk),
        url("listing_edit", pk=listing.pk),
        url("listing_unpublish", pk=listing.pk),
        url("listing_republish", pk=listing.pk),
        url("listing_version", pk=listing.pk, number=1),
        url("listing_restore", pk=listing.pk, number=1),
        url("amenity_edit", pk=amenity.pk),
        url("amenity_deactivate", pk=amenity.pk),
        url("amenity_reactivate", pk=amenity.pk),
    ]


POST_DATA = {
    "name": "Pris",
    "rooms": "3",
    "reject-reason": "Non.",
    "unpublish-reason": "Non.",
    "group": "label",
    "name_fr": "Pris",
    "position": "1",
    "immediate_fields": ["covers"],
}


def test_another_office_ids_answer_404_and_change_nothing(
    staff_client, other_office, foreign_partner, foreign_proposal
):
    _user, listing = foreign_partner
    amenity = Amenity.objects.create(office=other_office, group="label", slug="velo", name_fr="Vélo")
    for target in object_urls(foreign_proposal, listing, amenity):
        assert staff_client.get(target).status_code == 404, target
        assert staff_client.post(target, POST_DATA).status_code == 404, target
    foreign_proposal.refresh_from_db()
    assert foreign_proposal.status == S.PENDING
    assert Listing.objects.get(pk=listing.pk).is_published
    assert ListingVersion.objects.filter(listing=listing).count() == 1
    amenity.refresh_from_db()
    assert (amenity.name_fr, amenity.is_active) == ("Vélo", True)
    assert not OutboundEmail.objects.filter(template__startswith="listing_").exists()


def test_people_who_are_not_staff_of_the_office_get_404(client, partner, other_staff_user, office):
    proposal = propose(partner, rooms=2)
    amenity = Amenity.objects.create(office=office, group="label", slug="velo", name_fr="Vélo")
    pages = [url("moderation_queue"), url("moderation_settings"), url("amenities")]
    targets = pages + object_urls(proposal, partner.listing, amenity)
    for person in (partner.user, other_staff_user):
        client.force_login(person)
        for target in targets:
            assert client.get(target).status_code == 404, target
            assert client.post(target, POST_DATA).status_code == 404, target
    client.logout()
    login = reverse("account_login")
    for target in targets:
        assert client.get(target)["Location"].startswith(login)
    proposal.refresh_from_db()
    assert proposal.status == S.PENDING
    assert Amenity.objects.filter(office=office).count() == 1
    assert listing_services.moderation_settings(office).immediate_fields == ["opening_periods"]


def test_staff_publish_a_listing_as_a_place_of_the_office(client, partner, office, staff_user):
    from ensemble.publishing.selectors import published_listings

    assert partner.listing not in published_listings(office)  # a request, not a live membership
    client.force_login(staff_user)
    url = f"/{office.slug}/gestion/fiches/{partner.listing.pk}/lieu-office/"
    assert client.post(url, {"is_office_place": "1"}).status_code == 302
    assert partner.listing in published_listings(office)
    entry = AuditEntry.objects.filter(organisation_id=partner.membership.organisation_id).first()
    assert entry.action == "listing.office_place_marked" and entry.actor == staff_user
    client.post(url, {"is_office_place": "0"})
    assert partner.listing not in published_listings(office)
