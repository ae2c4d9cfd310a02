"""Moderation field by field (issue 12, item A6).

Moderation was all or nothing, and a rejection threw the partner's work away: her form came back
with the published content and the uploaded photo was withdrawn. Now staff approve or reject
each field, with a reason for each rejection: the approved fields go live as one version, the
rejected ones stay with the partner — prefilled in her forms with the reason beside each,
photos kept — until she corrects them, brings them back or discards them. « Tout valider » and
« Tout refuser » still work.
"""

import html
import re

import pytest
from django.urls import reverse

from ensemble.core.models import AuditEntry, OutboundEmail
from ensemble.listings import services as listing_services
from ensemble.listings.fields import snapshot
from ensemble.listings.models import ChangeProposal, Listing, ListingVersion, Photo
from ensemble.listings.services import ListingError

from .conftest import row_counts
from .images import jpeg_upload

pytestmark = pytest.mark.django_db
S = ChangeProposal.Status
SLUG = "saint-omer"


def bo_url(name: str, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": SLUG, **kwargs})


def portal_url(name: str, listing, **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs={"office_slug": SLUG, "listing_id": listing.pk, **kwargs})


def words(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def fresh(listing) -> Listing:
    return Listing.objects.get(pk=listing.pk)


def upload(partner, credit="Camille Martin") -> Photo:
    return listing_services.upload_photo(
        partner.listing,
        image=jpeg_upload(),
        credit=credit,
        alt_texts={"fr": "La roue du moulin"},
        rights_declared=True,
        actor=partner.user,
    )


@pytest.fixture
def proposal(partner):
    """A proposal of three fields: a description, a capacity and a new photo."""
    listing_services.propose_changes(
        partner.listing,
        changes={"short_description_fr": "Le meilleur moulin du monde !!!", "rooms": 5},
        actor=partner.user,
    )
    photo = upload(partner)
    proposal = ChangeProposal.objects.get(listing=partner.listing, status=S.PENDING)
    assert set(proposal.changes) == {"short_description_fr", "rooms", "photos"}
    proposal.photo = photo
    return proposal


DECISIONS = {
    "rooms": {"approved": True},
    "short_description_fr": {"approved": False, "reason": "Pas de superlatifs, merci."},
    "photos": {"approved": False, "reason": "Photo floue."},
}


# ---- the service ---------------------------------------------------------------------------------


def test_approved_fields_go_live_rejected_ones_stay_with_the_partner(partner, proposal, staff_user):
    decision = listing_services.decide_proposal(proposal, decisions=DECISIONS, actor=staff_user)

    listing = fresh(partner.listing)
    assert listing.rooms == 5
    assert listing.short_description_fr == ""  # not published
    version = ListingVersion.objects.get(listing=listing, number=listing.version_number)
    assert (version.origin, version.changed_fields, version.proposal_id) == (
        "approved",
        ["rooms"],
        proposal.pk,
    )
    assert decision.version == version

    proposal.refresh_from_db()
    assert proposal.status == S.PARTIAL
    assert proposal.returned_fields == ["photos", "short_description_fr"]
    assert proposal.field_reason("short_description_fr") == "Pas de superlatifs, merci."
    assert proposal.field_reason("rooms") == ""

    # The photo is kept (still proposed, its file there), not withdrawn.
    photo = Photo.objects.get(pk=proposal.photo.pk)
    assert photo.status == Photo.Status.PROPOSED and photo.image.storage.exists(photo.image.name)

    # Her forms start from her rejected values.
    values = listing_services.pending_values(listing)
    assert values["short_description_fr"] == "Le meilleur moulin du monde !!!"
    assert [item["id"] for item in values["photos"]] == [photo.pk]
    assert values["rooms"] == 5

    # One e-mail saying which fields went live and why the others did not.
    email = OutboundEmail.objects.get(template="listing_decided")
    assert "Chambres" in email.body_text
    assert "Description courte (français) — motif : Pas de superlatifs, merci." in email.body_text
    assert "Photos — motif : Photo floue." in email.body_text
    [entry] = AuditEntry.objects.filter(action="listing.proposal_decided")
    assert entry.data["rejected"] == {
        "photos": "Photo floue.",
        "short_description_fr": "Pas de superlatifs, merci.",
    }


def test_rejecting_all_keeps_the_partners_work_and_her_photo(partner, proposal, staff_user):
    """The defect: after « Tout refuser », her form came back empty and the photo was withdrawn."""
    listing_services.reject_proposal(proposal, actor=staff_user, reason="Texte et photo à revoir.")
    proposal.refresh_from_db()
    assert proposal.status == S.REJECTED
    assert sorted(proposal.returned_fields) == ["photos", "rooms", "short_description_fr"]
    assert Photo.objects.get(pk=proposal.photo.pk).status == Photo.Status.PROPOSED
    values = listing_services.pending_values(fresh(partner.listing))
    assert values["short_description_fr"] == "Le meilleur moulin du monde !!!"
    assert values["rooms"] == 5
    assert [item["id"] for item in values["photos"]] == [proposal.photo.pk]
    assert proposal.field_reason("rooms") == "Texte et photo à revoir."
    assert (
        "conservées dans votre espace pro" in OutboundEmail.objects.get(template="listing_rejected").body_text
    )


def test_approving_all_still_publishes_everything(partner, proposal, staff_user):
    version = listing_services.approve_proposal(proposal, actor=staff_user)
    listing = fresh(partner.listing)
    assert listing.short_description_fr == "Le meilleur moulin du monde !!!" and listing.rooms == 5
    assert Photo.objects.get(pk=proposal.photo.pk).status == Photo.Status.PUBLISHED
    assert sorted(version.changed_fields) == ["photos", "rooms", "short_description_fr"]
    proposal.refresh_from_db()
    assert proposal.status == S.APPROVED and proposal.returned_fields == []


@pytest.mark.parametrize(
    ("decisions", "message", "field"),
    [
        (
            {"rooms": {"approved": True}, "photos": {"approved": True}},
            "Validez ou refusez chaque champ : Description courte (français).",
            "decisions",
        ),
        (
            {**DECISIONS, "short_description_fr": {"approved": False, "reason": " <p> </p> "}},
            "Indiquez au partenaire le motif du refus de « Description courte (français) ».",
            "reason_short_description_fr",
        ),
        (
            {**DECISIONS, "beds": {"approved": True}},
            "Ces champs ne font pas partie de la proposition : beds.",
            "decisions",
        ),
    ],
)
def test_a_bad_decision_is_refused_and_writes_nothing(
    partner, proposal, staff_user, decisions, message, field
):
    before = row_counts()
    with pytest.raises(ListingError) as caught:
        listing_services.decide_proposal(proposal, decisions=decisions, actor=staff_user)
    assert (caught.value.message, caught.value.field) == (message, field)
    assert row_counts() == before
    proposal.refresh_from_db()
    assert proposal.status == S.PENDING and proposal.decisions == {}
    assert fresh(partner.listing).rooms is None


def test_a_decided_proposal_cannot_be_decided_again(proposal, staff_user):
    listing_services.decide_proposal(proposal, decisions=DECISIONS, actor=staff_user)
    with pytest.raises(ListingError, match="déjà été traitée"):
        listing_services.decide_proposal(proposal, decisions=DECISIONS, actor=staff_user)


# ---- the partner takes up what was rejected -----------------------------------------------------


def test_a_rejected_value_sent_back_unchanged_stays_with_its_reason(partner, proposal, staff_user):
    listing_services.decide_proposal(proposal, decisions=DECISIONS, actor=staff_user)
    result = listing_services.propose_changes(
        partner.listing,
        changes={"short_description_fr": "Le meilleur moulin du monde !!!"},
        actor=partner.user,
    )
    assert result.pending is None  # not sent again to the office as it is
    proposal.refresh_from_db()
    assert "short_description_fr" in proposal.returned_fields


def test_a_corrected_value_is_proposed_again_and_leaves_the_rejection(partner, proposal, staff_user):
    listing_services.decide_proposal(proposal, decisions=DECISIONS, actor=staff_user)
    result = listing_services.propose_changes(
        partner.listing, changes={"short_description_fr": "Un moulin restauré."}, actor=partner.user
    )
    assert result.pending.changes == {"short_description_fr": "Un moulin restauré."}
    proposal.refresh_from_db()
    assert proposal.returned_fields == ["photos"]
    entry = AuditEntry.objects.filter(action="listing.proposal_submitted").latest("pk")
    assert entry.data["returned_taken_up"] == ["short_description_fr"]
    # The photo is still kept, with its own reason.
    assert Photo.objects.get(pk=proposal.photo.pk).status == Photo.Status.PROPOSED


def test_a_value_brought_back_to_the_published_one_drops_the_rejection(partner, proposal, staff_user):
    listing_services.decide_proposal(proposal, decisions=DECISIONS, actor=staff_user)
    listing_services.propose_changes(
        partner.listing, changes={"short_description_fr": ""}, actor=partner.user
    )
    proposal.refresh_from_db()
    assert proposal.returned_fields == ["photos"]
    assert AuditEntry.objects.filter(action="listing.returned_changes_discarded").count() == 1
    assert not ChangeProposal.objects.filter(listing=partner.listing, status=S.PENDING).exists()


def test_discarding_drops_the_rejected_values_and_the_photo_uploaded_for_them(partner, proposal, staff_user):
    listing_services.decide_proposal(proposal, decisions=DECISIONS, actor=staff_user)
    listing_services.discard_returned_changes(partner.listing, actor=partner.user)
    proposal.refresh_from_db()
    assert proposal.returned_fields == []
    assert Photo.objects.get(pk=proposal.photo.pk).status == Photo.Status.WITHDRAWN
    assert listing_services.pending_values(fresh(partner.listing)) == snapshot(fresh(partner.listing))


def test_a_photo_uploaded_after_a_rejection_keeps_the_rejected_one(partner, proposal, staff_user):
    listing_services.decide_proposal(proposal, decisions=DECISIONS, actor=staff_user)
    second = upload(partner, credit="Louis Petit")
    pending = ChangeProposal.objects.get(listing=partner.listing, status=S.PENDING)
    assert [item["id"] for item in pending.changes["photos"]] == [proposal.photo.pk, second.pk]


# ---- the espace pro ------------------------------------------------------------------------------


@pytest.fixture
def owner(client, partner):
    client.force_login(partner.user)
    return partner


def test_her_form_is_prefilled_with_the_reason_beside_the_field(client, owner, proposal, staff_user):
    listing_services.decide_proposal(proposal, decisions=DECISIONS, actor=staff_user)
    response = client.get(portal_url("listing_general", owner.listing))
    page = response.content.decode()
    assert re.search(r">\s*Le meilleur moulin du monde !!!</textarea>", html.unescape(page))
    text = words(response)
    assert "Non retenu par l'office Motif : Pas de superlatifs, merci." in text
    # The reason is tied to the field for assistive technologies.
    assert 'id="id_short_description_fr_refusal"' in page
    assert re.search(r'aria-describedby="[^"]*id_short_description_fr_refusal', page)
    # The banner lists every field sent back, the photos too, with a way to drop them.
    assert "Photos — motif : Photo floue." in text
    assert portal_url("listing_discard_returned", owner.listing) in page

    photos = words(client.get(portal_url("listing_photos", owner.listing)))
    assert "Non retenue par l'office" in photos and "Camille Martin" in photos
    assert "Modifications non retenues" in words(
        client.get(reverse("portal:listings", kwargs={"office_slug": SLUG}))
    )


def test_submitting_her_corrected_form_proposes_it_again(client, owner, proposal, staff_user):
    listing_services.decide_proposal(proposal, decisions=DECISIONS, actor=staff_user)
    data = {"name": "Le Moulin des Marais"}
    for base in ("short_description", "long_description"):
        for lang in ("fr", "en", "nl"):
            data[f"{base}_{lang}"] = ""
    data["short_description_fr"] = "<p>Un moulin <b>restauré</b>.</p>"
    client.post(portal_url("listing_general", owner.listing), data)
    pending = ChangeProposal.objects.get(listing=owner.listing, status=S.PENDING)
    assert pending.changes == {"short_description_fr": "Un moulin restauré."}
    page = words(client.get(portal_url("listing_general", owner.listing)))
    assert "Pas de superlatifs" not in page  # taken up: the reason has gone with it


def test_the_discard_button(client, owner, proposal, staff_user):
    listing_services.decide_proposal(proposal, decisions=DECISIONS, actor=staff_user)
    response = client.post(portal_url("listing_discard_returned", owner.listing), follow=True)
    assert "Modifications non retenues abandonnées" in words(response)
    assert "Pas de superlatifs" not in words(response)
    proposal.refresh_from_db()
    assert proposal.returned_fields == []


# ---- the back office -----------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def decide_data(**choices) -> dict:
    data = {}
    for key, choice in choices.items():
        if isinstance(choice, tuple):
            data[f"decide-decision_{key}"], data[f"decide-reason_{key}"] = choice
        else:
            data[f"decide-decision_{key}"] = choice
    return data


def test_the_proposal_page_offers_a_decision_per_field(staff_client, proposal):
    page = staff_client.get(bo_url("moderation_proposal", pk=proposal.pk)).content.decode()
    for key in ("short_description_fr", "rooms", "photos"):
        assert f'name="decide-decision_{key}"' in page and f'name="decide-reason_{key}"' in page
    # The shortcuts are still there.
    assert bo_url("moderation_approve", pk=proposal.pk) in page
    assert bo_url("moderation_reject", pk=proposal.pk) in page


def test_staff_decide_field_by_field(staff_client, partner, proposal):
    response = staff_client.post(
        bo_url("moderation_decide", pk=proposal.pk),
        decide_data(
            rooms="approve",
            short_description_fr=("reject", "Pas de <b>superlatifs</b>, merci."),
            photos=("reject", "Photo floue."),
        ),
        follow=True,
    )
    assert "Chambres publié(s)" in words(response)
    proposal.refresh_from_db()
    assert proposal.status == S.PARTIAL
    assert proposal.field_reason("short_description_fr") == "Pas de superlatifs, merci."
    assert fresh(partner.listing).rooms == 5
    # Decided: the page shows each field's decision.
    page = words(staff_client.get(bo_url("moderation_proposal", pk=proposal.pk)))
    assert "Validée en partie" in page
    assert "Refusé Pas de superlatifs, merci." in page and "Validé" in page


def test_a_rejection_without_its_reason_is_shown_on_its_field(staff_client, partner, proposal):
    before = row_counts()
    response = staff_client.post(
        bo_url("moderation_decide", pk=proposal.pk),
        decide_data(rooms="approve", short_description_fr=("reject", "  "), photos="bogus"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_decide-reason_short_description_fr_error"' in page
    assert "Indiquez au partenaire le motif du refus de ce champ." in html.unescape(page)
    assert "Validez ou refusez ce champ." in html.unescape(page)  # the photos: no valid choice
    assert row_counts() == before
    proposal.refresh_from_db()
    assert proposal.status == S.PENDING


def test_another_offices_staff_cannot_decide(client, other_staff_user, proposal):
    client.force_login(other_staff_user)
    response = client.post(
        reverse("backoffice:moderation_decide", kwargs={"office_slug": "aire-sur-la-lys", "pk": proposal.pk}),
        decide_data(rooms="approve", short_description_fr="approve", photos="approve"),
    )
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == S.PENDING


def test_the_reject_all_shortcut_keeps_the_partners_work(staff_client, partner, proposal):
    staff_client.post(bo_url("moderation_reject", pk=proposal.pk), {"reject-reason": "À revoir."})
    proposal.refresh_from_db()
    assert proposal.status == S.REJECTED
    assert Photo.objects.get(pk=proposal.photo.pk).status == Photo.Status.PROPOSED
    assert listing_services.pending_values(fresh(partner.listing))["rooms"] == 5


def test_the_staff_edit_form_posted_back_unchanged_changes_nothing(staff_client, partner, staff_user):
    """Its lists (further phones…) are shown one per line, phones as people read them, as text
    the form can take back; the texts in other languages (a mapping) are not on it."""
    listing_services.edit_listing(
        partner.listing, changes={"extra_phones": ["03 21 98 76 54"]}, actor=staff_user
    )
    path = bo_url("listing_edit", pk=partner.listing.pk)
    form = staff_client.get(path).context["form"]
    assert "other_languages" not in form.fields
    data = {name: form[name].value() or "" for name in form.fields}
    assert data["extra_phones"] == "03 21 98 76 54"
    response = staff_client.post(path, data, follow=True)
    assert "Aucune modification" in words(response)
    assert fresh(partner.listing).extra_phones == ["+33321987654"]
