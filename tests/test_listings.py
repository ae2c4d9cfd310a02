"""Listings: proposals, moderation, versions, photos, availability, withdrawal."""

import datetime
import io

import pytest
from django.http import Http404
from django.utils import timezone
from PIL import Image

from ensemble.core.models import AuditEntry, OutboundEmail
from ensemble.listings import selectors
from ensemble.listings import services as listing_services
from ensemble.listings.fields import snapshot
from ensemble.listings.models import Amenity, Availability, ChangeProposal, Listing, Photo

from .conftest import assert_refused
from .images import jpeg_upload, not_an_image

pytestmark = pytest.mark.django_db

S = ChangeProposal.Status


def published(listing) -> dict:
    return snapshot(Listing.objects.get(pk=listing.pk))


def test_a_new_listing_starts_at_version_one_with_the_establishment(partner):
    listing = partner.listing
    assert listing.version_number == 1
    assert listing.versions.get().origin == "initial"
    assert published(listing)["name"] == "Le Moulin des Marais"


def test_a_change_waits_for_moderation_and_the_public_keeps_the_approved_text(partner, staff_user):
    result = listing_services.propose_changes(
        partner.listing,
        changes={"short_description_fr": "Un moulin.", "short_description_nl": "Een molen."},
        actor=partner.user,
    )
    assert result.published == []
    assert result.pending.changes == {
        "short_description_fr": "Un moulin.",
        "short_description_nl": "Een molen.",
    }
    assert published(partner.listing)["short_description_fr"] == ""
    diff = {row.key: row for row in selectors.proposal_diff(result.pending)}
    assert (
        diff["short_description_nl"].published == "" and diff["short_description_nl"].proposed == "Een molen."
    )

    version = listing_services.approve_proposal(result.pending, actor=staff_user)
    assert version.number == 2 and version.origin == "approved"
    assert published(partner.listing)["short_description_nl"] == "Een molen."
    email = OutboundEmail.objects.get(template="listing_approved")
    assert email.to == "camille@moulin.example" and "est à jour" in email.subject
    entry = AuditEntry.objects.get(action="listing.proposal_approved")
    assert entry.organisation_id == partner.membership.organisation_id and entry.actor == staff_user
    assert entry.data["fields"] == ["short_description_fr", "short_description_nl"]
    assert entry.data["version"] == 2 and entry.data["email"] == email.pk


def test_a_second_edit_updates_the_one_pending_proposal(partner):
    listing_services.propose_changes(partner.listing, changes={"covers": 40}, actor=partner.user)
    second = listing_services.propose_changes(partner.listing, changes={"beds": 12}, actor=partner.user)
    assert ChangeProposal.objects.filter(listing=partner.listing, status=S.PENDING).count() == 1
    assert second.pending.changes == {"covers": 40, "beds": 12}
    # Bringing a value back to the published one drops it; nothing left withdraws the proposal.
    listing_services.propose_changes(
        partner.listing, changes={"covers": None, "beds": None}, actor=partner.user
    )
    assert not ChangeProposal.objects.filter(listing=partner.listing, status=S.PENDING).exists()


def test_fields_the_office_publishes_at_once_skip_moderation(partner, office, staff_user):
    listing_services.update_moderation_settings(office, immediate_fields=["covers"], actor=staff_user)
    result = listing_services.propose_changes(
        partner.listing,
        changes={"covers": 60, "short_description_fr": "Cuisine de saison."},
        actor=partner.user,
    )
    assert result.published == ["covers"]
    assert published(partner.listing)["covers"] == 60
    assert list(result.pending.changes) == ["short_description_fr"]
    assert partner.listing.versions.first().origin == "immediate"


def test_opening_periods_publish_at_once_by_default(partner):
    period = {
        "starts_on": "2023-04-01",
        "ends_on": "2023-09-30",
        "opens_at": "10:00",
        "closes_at": "18:00",
        "closed_weekdays": [1],
    }
    result = listing_services.propose_changes(
        partner.listing, changes={"opening_periods": [period]}, actor=partner.user
    )
    assert result.published == ["opening_periods"] and result.pending is None
    assert partner.listing.opening_periods.get().closed_weekdays == [1]


def test_reject_needs_a_reason_and_emails_it(partner, staff_user):
    pending = listing_services.propose_changes(
        partner.listing, changes={"website": "https://moulin.example"}, actor=partner.user
    ).pending
    with assert_refused("Indiquez au partenaire le motif du refus.", field="reason"):
        listing_services.reject_proposal(pending, actor=staff_user, reason="  ")
    listing_services.reject_proposal(pending, actor=staff_user, reason="Le site ne répond pas.")
    pending.refresh_from_db()
    assert pending.status == S.REJECTED
    assert published(partner.listing)["website"] == ""
    assert (
        "Motif : Le site ne répond pas." in OutboundEmail.objects.get(template="listing_rejected").body_text
    )


def test_a_proposal_cannot_be_decided_twice(partner, staff_user):
    pending = listing_services.propose_changes(
        partner.listing, changes={"rooms": 5}, actor=partner.user
    ).pending
    listing_services.approve_proposal(pending, actor=staff_user)
    pending.refresh_from_db()
    when = timezone.localtime(pending.decided_at).strftime("%d/%m/%Y %H:%M")
    with assert_refused(f"Cette proposition a déjà été traitée (validée {when})."):
        listing_services.approve_proposal(pending, actor=staff_user)
    with pytest.raises(listing_services.ListingError):
        listing_services.reject_proposal(pending, actor=staff_user, reason="Trop tard")


def test_every_version_is_kept_and_one_can_be_restored(partner, staff_user):
    for text in ("Première version.", "Deuxième version."):
        pending = listing_services.propose_changes(
            partner.listing, changes={"long_description_fr": text}, actor=partner.user
        ).pending
        listing_services.approve_proposal(pending, actor=staff_user)
    history = list(selectors.versions(partner.listing))
    assert [v.number for v in history] == [3, 2, 1]
    assert history[0].created_by == staff_user and history[0].changed_fields == ["long_description_fr"]
    restored = listing_services.restore_version(history[1], actor=staff_user)
    assert restored.number == 4 and restored.restored_from == 2
    assert published(partner.listing)["long_description_fr"] == "Première version."


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        (
            {"short_description_fr": "x" * 201},
            "La description courte (français) dépasse 200 caractères (201) : raccourcissez-la.",
            "short_description_fr",
        ),
        (
            {"long_description_nl": "y" * 801},
            "La description longue (néerlandais) dépasse 800 caractères (801) : raccourcissez-la.",
            "long_description_nl",
        ),
        (
            {"opening_periods": [{"starts_on": "2023-05-01", "ends_on": "2023-04-01"}]},
            "La période du 01/05/2023 finit avant de commencer (01/04/2023).",
            "opening_periods",
        ),
        (
            {"website": "javascript:alert(1)"},
            "Cette adresse web n'est pas valide (elle commence par https://).",
            "website",
        ),
        ({"email": "pas une adresse"}, "Cette adresse e-mail n'est pas valide.", "email"),
        ({"name": "<b></b>"}, "Le nom est obligatoire.", "name"),
        ({"rooms": "beaucoup"}, "Indiquez un nombre entier.", "rooms"),
        (
            {"prices": [{"label_fr": "Nuit", "amount": "abc", "season_year": 2023}]},
            "Ce prix n'est pas un montant : abc.",
            "prices",
        ),
        (
            {"amenities": [999999]},
            "Un équipement ou label choisi n'existe pas ou n'est plus proposé.",
            "amenities",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(partner, changes, message, field):
    with assert_refused(message, field=field):
        listing_services.propose_changes(partner.listing, changes=changes, actor=partner.user)


def test_html_in_descriptions_keeps_only_the_text_and_line_breaks(partner):
    pending = listing_services.propose_changes(
        partner.listing,
        changes={"long_description_fr": "<p>Moulin <b>restauré</b></p>\r\n<script>alert(1)</script>Visites"},
        actor=partner.user,
    ).pending
    # The script and its content dropped (core/text.py; tests/test_part7_sanitise.py).
    assert pending.changes["long_description_fr"] == "Moulin restauré\nVisites"


def test_a_price_of_a_past_season_is_kept_with_its_year(partner, staff_user):
    prices = [
        {"label_fr": "Nuit", "amount": "72,5", "season_year": 2022},
        {"label_fr": "Nuit", "label_nl": "Nacht", "amount": "75", "season_year": 2023},
    ]
    listing_services.edit_listing(partner.listing, changes={"prices": prices}, actor=staff_user)
    rows = list(partner.listing.prices.order_by("position"))
    assert [(str(p.amount), p.season_year, p.label_nl) for p in rows] == [
        ("72.50", 2022, ""),
        ("75.00", 2023, "Nacht"),
    ]


def test_amenities_come_from_the_office_lists(partner, office, other_office, staff_user):
    bikes = Amenity.objects.create(office=office, group="label", slug="accueil-velo", name="Accueil Vélo")
    theirs = Amenity.objects.create(
        office=other_office, group="label", slug="accueil-velo", name="Accueil Vélo"
    )
    listing_services.edit_listing(partner.listing, changes={"amenities": [bikes.pk]}, actor=staff_user)
    assert list(Listing.objects.get(pk=partner.listing.pk).amenities.all()) == [bikes]
    with assert_refused(
        "Un équipement ou label choisi n'existe pas ou n'est plus proposé.", field="amenities"
    ):
        listing_services.edit_listing(partner.listing, changes={"amenities": [theirs.pk]}, actor=staff_user)


# ---- photos ----


def test_a_photo_is_reencoded_without_its_location_and_proposed(partner, staff_user):
    photo = listing_services.upload_photo(
        partner.listing,
        image=jpeg_upload(4000, 3000, gps=True),
        credit="Camille Delannoy",
        alt_texts={"fr": "La roue du moulin", "nl": "Het molenrad"},
        rights_declared=True,
        actor=partner.user,
    )
    assert photo.status == Photo.Status.PROPOSED
    assert (photo.width, photo.height) == (2400, 1800)
    stored = Image.open(io.BytesIO(photo.image.read()))
    assert stored.format == "JPEG" and not stored.getexif()
    pending = selectors.pending_proposal(
        Listing.objects.prefetch_related("proposals").get(pk=partner.listing.pk)
    )
    assert pending.changes["photos"] == [
        {
            "id": photo.pk,
            "credit": "Camille Delannoy",
            "alt_text_fr": "La roue du moulin",
            "alt_text_en": "",
            "alt_text_nl": "Het molenrad",
        }
    ]
    listing_services.approve_proposal(pending, actor=staff_user)
    photo.refresh_from_db()
    assert photo.status == Photo.Status.PUBLISHED and photo.alt_text_nl == "Het molenrad"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (not_an_image(), "Ce fichier n'est pas une image lisible (formats acceptés : JPEG, PNG, WebP)."),
        (
            jpeg_upload(640, 480),
            "L'image est trop petite pour l'impression (640 × 480 px) : il faut au moins "
            "1200 px sur le grand côté et 800 px sur le petit.",
        ),
        (
            jpeg_upload(1600, 1000, fmt="GIF", name="a.gif"),
            "Ce format d'image n'est pas accepté (formats acceptés : JPEG, PNG, WebP).",
        ),
    ],
)
def test_bad_photos_are_refused(partner, upload, message):
    with assert_refused(message, field="image"):
        listing_services.upload_photo(
            partner.listing,
            image=upload,
            credit="C. D.",
            alt_texts={},
            rights_declared=True,
            actor=partner.user,
        )


def test_a_too_heavy_photo_is_refused_with_the_limit(partner):
    upload = jpeg_upload()
    upload.size = 11 * 1024 * 1024
    with assert_refused("L'image est trop lourde (11,0 Mo) : la limite est de 10,0 Mo.", field="image"):
        listing_services.upload_photo(
            partner.listing,
            image=upload,
            credit="C. D.",
            alt_texts={},
            rights_declared=True,
            actor=partner.user,
        )


def test_a_photo_needs_a_credit_and_the_rights_declaration(partner):
    with assert_refused("Le crédit photo est obligatoire (CGV art. 4.1).", field="credit"):
        listing_services.upload_photo(
            partner.listing,
            image=jpeg_upload(),
            credit=" ",
            alt_texts={},
            rights_declared=True,
            actor=partner.user,
        )
    with assert_refused(
        "Déclarez que vous détenez les droits de cette photo et autorisez l'office à la diffuser.",
        field="rights_declared",
    ):
        listing_services.upload_photo(
            partner.listing,
            image=jpeg_upload(),
            credit="C. D.",
            alt_texts={},
            rights_declared=False,
            actor=partner.user,
        )


# ---- availability ----


def test_availability_is_published_at_once_and_past_dates_are_refused(partner):
    day = datetime.date(2023, 1, 14)
    listing_services.set_availability(
        partner.listing, days={day: "few_left", day + datetime.timedelta(days=1): "full"}, actor=partner.user
    )
    assert selectors.availability(partner.listing, start=day, end=day + datetime.timedelta(days=5)) == {
        day: "few_left",
        day + datetime.timedelta(days=1): "full",
    }
    listing_services.set_availability(partner.listing, days={day: None}, actor=partner.user)
    assert Availability.objects.filter(listing=partner.listing).count() == 1
    with assert_refused(
        "Le 27/12/2022 est passé : sa disponibilité ne peut plus être modifiée.", field="days"
    ):
        listing_services.set_availability(
            partner.listing, days={datetime.date(2022, 12, 27): "full", day: "available"}, actor=partner.user
        )


def test_only_categories_that_publish_availability_can(make_partner, office):
    from ensemble.directory.models import Category

    restaurant = Category.objects.get(office=office, slug="restauration")
    bistro = make_partner("chef@bistro.example", name="Le Bistro", category_id=restaurant.pk)
    with assert_refused("Cette catégorie d'établissement ne publie pas de disponibilités."):
        listing_services.set_availability(
            bistro.listing, days={datetime.date(2023, 1, 2): "full"}, actor=bistro.user
        )


# ---- withdrawal ----


def test_unpublishing_tells_the_partner_why_and_can_be_undone(partner, staff_user):
    with assert_refused("Indiquez le motif du retrait : il est transmis au partenaire.", field="reason"):
        listing_services.unpublish_listing(partner.listing, reason="", actor=staff_user)
    listing_services.unpublish_listing(partner.listing, reason="Données non mises à jour.", actor=staff_user)
    assert "Données non mises à jour." in OutboundEmail.objects.get(template="listing_unpublished").body_text
    with pytest.raises(Http404):
        selectors.published_listing(partner.listing.office, partner.listing.pk)
    listing_services.republish_listing(partner.listing, actor=staff_user)
    assert selectors.published_listing(partner.listing.office, partner.listing.pk)


def test_selectors_only_show_a_persons_own_listings(partner, other_partner, office, other_office):
    assert list(selectors.listings_of_user(partner.user, office)) == [partner.listing]
    with pytest.raises(Http404):
        selectors.listing_of_user(partner.user, office, other_partner.listing.pk)
    with pytest.raises(Http404):
        selectors.listing_of_user(partner.user, other_office, partner.listing.pk)


def test_an_upload_removed_before_moderation_is_not_kept_waiting(partner):
    photo = listing_services.upload_photo(
        partner.listing,
        image=jpeg_upload(),
        credit="C. D.",
        alt_texts={},
        rights_declared=True,
        actor=partner.user,
    )
    listing_services.propose_changes(partner.listing, changes={"photos": []}, actor=partner.user)
    photo.refresh_from_db()
    assert photo.status == Photo.Status.WITHDRAWN
    assert not ChangeProposal.objects.filter(listing=partner.listing, status=S.PENDING).exists()


def test_availability_changes_are_on_the_timeline(partner):
    listing_services.set_availability(
        partner.listing, days={datetime.date(2023, 1, 3): "full"}, actor=partner.user
    )
    entry = AuditEntry.objects.get(action="listing.availability_set")
    assert entry.organisation_id == partner.membership.organisation_id
    assert entry.data == {
        "days": 1,
        "first": "2023-01-03",
        "last": "2023-01-03",
        "statuses": {"2023-01-03": "full"},
    }
