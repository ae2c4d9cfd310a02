"""Espace pro, « Mes fiches »: the listings, their sections, photos and availability calendar.

Each page renders for the owner; a submission proposes or publishes per the office's policy and
says which; bad input shows its French message on its field and writes nothing; any other
partner's or office's id answers 404; the list pages keep their number of queries.
"""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ensemble.core.models import AuditEntry
from ensemble.directory import services as directory_services
from ensemble.directory.models import Category
from ensemble.listings import services as listing_services
from ensemble.listings.fields import snapshot
from ensemble.listings.models import Amenity, Availability, ChangeProposal, Listing, OpeningPeriod, Photo

from .conftest import row_counts
from .images import jpeg_upload, not_an_image

pytestmark = pytest.mark.django_db

SECTION_NAMES = [
    "listing_general",
    "listing_contact",
    "listing_capacity",
    "listing_amenities",
    "listing_opening",
    "listing_prices",
]
LISTING_PAGES = [*SECTION_NAMES, "listing_photos", "listing_availability_now"]


def url(name: str, listing=None, *, office: str = "saint-omer", **kwargs) -> str:
    if listing is not None:
        kwargs["listing_id"] = listing.pk
    return reverse(f"portal:{name}", kwargs={"office_slug": office, **kwargs})


def text(response) -> str:
    return html.unescape(response.content.decode())


def published(listing) -> dict:
    return snapshot(Listing.objects.get(pk=listing.pk))


def pending_changes(listing) -> dict:
    proposal = ChangeProposal.objects.filter(listing=listing, status="pending").first()
    return proposal.changes if proposal else {}


@pytest.fixture
def owner(client, partner):
    client.force_login(partner.user)
    return partner


def texts_data(**overrides) -> dict:
    data = {"name": "Le Moulin des Marais"}
    for base in ("short_description", "long_description"):
        for lang in ("fr", "en", "nl"):
            data[f"{base}_{lang}"] = ""
    return {**data, **overrides}


def formset_data(prefix: str, rows: list[dict], *, initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 50,
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def upload(listing, user, **kwargs) -> Photo:
    kwargs.setdefault("credit", "Camille Delannoy")
    return listing_services.upload_photo(
        listing,
        image=kwargs.pop("image", None) or jpeg_upload(),
        alt_texts=kwargs.pop("alt_texts", {}),
        rights_declared=True,
        actor=user,
        **kwargs,
    )


# ---- « Mes fiches » ------------------------------------------------------------------------


def test_my_listings_show_status_pending_fields_and_last_confirmation(client, owner, staff_user):
    listing_services.propose_changes(
        owner.listing, changes={"short_description_nl": "Een molen.", "rooms": 4}, actor=owner.user
    )
    listing_services.unpublish_listing(owner.listing, reason="Horaires de 2019.", actor=staff_user)
    page = text(client.get(url("listings")))
    assert "Le Moulin des Marais" in page
    assert "Pas en ligne</span> : dépubliée par l'office" in page and "Horaires de 2019." in page
    assert "Description courte (néerlandais), Chambres" in page
    assert "jamais" in page
    assert url("listing_general", owner.listing) in page
    assert url("listing_availability_now", owner.listing) in page  # an accommodation


def test_confirming_a_listing_dates_it_and_says_so(client, owner):
    response = client.post(url("listing_confirm", owner.listing), follow=True)
    listing = Listing.objects.get(pk=owner.listing.pk)
    assert listing.last_confirmed_at is not None and listing.last_confirmed_by == owner.user
    page = text(response)
    assert "Merci : la fiche « Le Moulin des Marais » est confirmée à jour le 28/12/2022." in page
    # The membership is only requested: visitors do not see it (test_part7_badge.py).
    assert "Pas en ligne</span> : adhésion en attente de validation par l'office" in page
    assert "jamais" not in page
    entry = AuditEntry.objects.get(action="listing.confirmed")
    assert entry.actor == owner.user and entry.target_id == str(owner.listing.pk)


def test_an_establishment_without_a_listing_gets_one_on_the_list(client, submit):
    membership = submit(email="nina@gite.example", establishment_name="Gîte des Faiseurs").membership
    assert not Listing.objects.filter(establishment=membership.establishment).exists()
    client.force_login(membership.applicant)
    assert "Gîte des Faiseurs" in text(client.get(url("listings")))
    listing = Listing.objects.get(establishment=membership.establishment)
    assert listing.version_number == 1


def test_other_partners_listings_are_not_on_the_list(client, owner, other_partner):
    page = text(client.get(url("listings")))
    assert "La Brasserie du Haut-Pont" not in page


# ---- the sections --------------------------------------------------------------------------


@pytest.mark.parametrize("name", LISTING_PAGES)
def test_each_page_renders_for_the_owner(client, owner, name):
    response = client.get(url(name, owner.listing), follow=True)
    assert response.status_code == 200
    assert "<h1>Le Moulin des Marais — " in response.content.decode()


def test_texts_are_proposed_and_wait_for_the_office(client, owner):
    response = client.post(
        url("listing_general", owner.listing),
        texts_data(short_description_fr="Un moulin sur le marais.", long_description_nl="Een molen."),
        follow=True,
    )
    assert pending_changes(owner.listing) == {
        "short_description_fr": "Un moulin sur le marais.",
        "long_description_nl": "Een molen.",
    }
    assert published(owner.listing)["short_description_fr"] == ""
    page = text(response)
    assert (
        "Envoyé à l'office pour validation : Description courte (français), Description longue "
        "(néerlandais). La fiche publique garde la version validée jusque-là." in page
    )
    # The form shows the proposed text, marked as waiting, with the published one.
    assert "Un moulin sur le marais.</textarea>" in page
    assert page.count('<span class="badge requested">En attente de validation</span>') == 2
    assert "En attente de validation par l'office. Version publiée : (vide)." in page


def test_html_in_a_description_keeps_only_the_text(client, owner):
    client.post(
        url("listing_general", owner.listing),
        texts_data(long_description_fr="<p>Moulin <b>restauré</b></p>\r\n<script>x</script>Visites"),
    )
    assert pending_changes(owner.listing)["long_description_fr"] == "Moulin restauré\nVisites"


def test_a_description_over_its_limit_is_refused_on_its_field(client, owner):
    before = row_counts()
    response = client.post(url("listing_general", owner.listing), texts_data(short_description_en="x" * 201))
    assert response.status_code == 200
    page = text(response)
    message = "La description courte (anglais) dépasse 200 caractères (201) : raccourcissez-la."
    assert f'<ul class="errorlist" id="id_short_description_en_error"><li>{message}</li></ul>' in page
    assert 'aria-describedby="id_short_description_en_error' in page
    assert row_counts() == before


def test_opening_periods_publish_at_once(client, owner):
    rows = [
        {
            "starts_on": "2023-04-01",
            "ends_on": "2023-09-30",
            "opens_at": "10:00",
            "closes_at": "18:30",
            "closed_weekdays": ["1", "2"],
            "note_fr": "Fermé le 14 juillet",
        },
        {"starts_on": "", "ends_on": ""},  # an empty extra row is ignored
    ]
    response = client.post(url("listing_opening", owner.listing), formset_data("periods", rows), follow=True)
    assert "Publié aussitôt : Périodes et horaires d'ouverture." in text(response)
    period = OpeningPeriod.objects.get(listing=owner.listing)
    assert (period.starts_on, period.closes_at, period.closed_weekdays, period.note) == (
        datetime.date(2023, 4, 1),
        datetime.time(18, 30),
        [1, 2],
        "Fermé le 14 juillet",
    )
    assert pending_changes(owner.listing) == {}
    # Deleting the row removes the period.
    data = formset_data("periods", [{**rows[0], "DELETE": "on"}], initial=1)
    client.post(url("listing_opening", owner.listing), data)
    assert not OpeningPeriod.objects.filter(listing=owner.listing).exists()


def test_a_period_ending_before_it_starts_is_refused_on_its_row(client, owner):
    before = row_counts()
    rows = [
        {"starts_on": "2023-01-01", "ends_on": "2023-02-01"},
        {"starts_on": "2023-05-01", "ends_on": "2023-04-01"},
    ]
    response = client.post(url("listing_opening", owner.listing), formset_data("periods", rows))
    page = text(response)
    assert (
        '<ul class="errorlist" id="periods-1-row_error"><li>'
        "La période du 01/05/2023 finit avant de commencer (01/04/2023).</li></ul>" in page
    )
    assert row_counts() == before


def test_contact_details_are_checked_by_the_service(client, owner):
    keys = ("address", "postcode", "city", "phone", "email", "website", "booking_url")
    data = {key: published(owner.listing)[key] for key in keys} | {"email": "pas une adresse"}
    before = row_counts()
    page = text(client.post(url("listing_contact", owner.listing), data))
    message = "Cette adresse e-mail n'est pas valide."
    assert f'<ul class="errorlist" id="id_email_error"><li>{message}</li>' in page
    assert row_counts() == before
    client.post(url("listing_contact", owner.listing), {**data, "email": "contact@moulin.example"})
    assert pending_changes(owner.listing) == {"email": "contact@moulin.example"}


def test_capacity_follows_the_offices_moderation_settings(client, owner, office, staff_user):
    listing_services.update_moderation_settings(office, immediate_fields=["covers"], actor=staff_user)
    data = {"rooms": "6", "beds": "", "covers": "40", "group_size": ""}
    page = text(client.post(url("listing_capacity", owner.listing), data, follow=True))
    assert published(owner.listing)["covers"] == 40
    assert pending_changes(owner.listing) == {"rooms": 6}
    assert "Publié aussitôt : Couverts." in page
    assert "Envoyé à l'office pour validation : Chambres." in page
    bad = text(client.post(url("listing_capacity", owner.listing), {**data, "beds": "beaucoup"}))
    assert '<ul class="errorlist" id="id_beds_error"><li>Indiquez un nombre entier.</li>' in bad


def test_amenities_are_grouped_and_only_the_offices_active_ones(client, owner, office, other_office):
    ramp = Amenity.objects.create(office=office, group="accessibility", slug="rampe", name="Rampe d'accès")
    bikes = Amenity.objects.create(office=office, group="label", slug="velo", name="Accueil Vélo")
    Amenity.objects.create(
        office=office, group="label", slug="ancien", name="Label abandonné", is_active=False
    )
    Amenity.objects.create(office=other_office, group="pets", slug="chiens", name="Chiens admis ailleurs")
    page = text(client.get(url("listing_amenities", owner.listing)))
    assert "<legend>Accessibilité</legend>" in page and "<legend>Labels</legend>" in page
    assert "Label abandonné" not in page and "Chiens admis ailleurs" not in page
    response = client.post(
        url("listing_amenities", owner.listing),
        {"amenities_accessibility": [ramp.pk], "amenities_label": [bikes.pk]},
        follow=True,
    )
    assert pending_changes(owner.listing) == {"amenities": sorted([ramp.pk, bikes.pk])}
    assert "Envoyé à l'office pour validation : Équipements et labels." in text(response)


def test_a_past_seasons_price_is_flagged_and_not_carried_over(client, owner, staff_user):
    prices = [
        {"label_fr": "Nuit", "amount": "72", "season_year": 2021},
        {"label_fr": "Petit-déjeuner", "amount": "9", "season_year": 2022},
    ]
    listing_services.edit_listing(owner.listing, changes={"prices": prices}, actor=staff_user)
    page = text(client.get(url("listing_prices", owner.listing)))
    assert page.count('<strong class="badge suspended">tarif d\'une saison passée</strong>') == 1
    assert "Ce tarif est celui de la saison 2021" in page
    # Saving the form as shown keeps the 2021 price with its year: nothing is proposed.
    rows = [
        {"label_fr": "Nuit", "amount": "72,00", "season_year": "2021"},
        {"label_fr": "Petit-déjeuner", "amount": "9,00", "season_year": "2022"},
        {"label_fr": "", "amount": "", "season_year": "2022"},  # the empty rows, as shown
        {"label_fr": "", "amount": "", "season_year": "2022"},
    ]
    response = client.post(url("listing_prices", owner.listing), formset_data("prices", rows, initial=2))
    assert "Aucune modification en attente" in text(client.get(response["Location"]))
    assert [p["season_year"] for p in published(owner.listing)["prices"]] == [2021, 2022]
    assert pending_changes(owner.listing) == {}
    # A new season's price is a proposal like any other.
    rows[0].update(amount="75", season_year="2023")
    rows[3].update(label_fr="Table d'hôtes", amount="28")
    client.post(url("listing_prices", owner.listing), formset_data("prices", rows, initial=2))
    assert [p["label_fr"] for p in pending_changes(owner.listing)["prices"]] == [
        "Nuit",
        "Petit-déjeuner",
        "Table d'hôtes",
    ]
    assert pending_changes(owner.listing)["prices"][0] == {
        "label_fr": "Nuit",
        "label_en": "",
        "label_nl": "",
        "amount": "75.00",
        "amount_max": None,
        "season_year": 2023,
        "valid_from": None,  # a partner's price is for its season (no period of its own)
        "valid_through": None,
    }


def test_a_bad_price_is_refused_on_its_row(client, owner):
    before = row_counts()
    rows = [{"label_fr": "Nuit", "amount": "beaucoup", "season_year": "2023"}]
    page = text(client.post(url("listing_prices", owner.listing), formset_data("prices", rows)))
    assert "Ce prix n'est pas un montant : beaucoup." in page
    assert 'id="prices-0-row_error"' in page
    assert row_counts() == before


# ---- photos --------------------------------------------------------------------------------


def upload_data(**overrides) -> dict:
    data = {
        "image": jpeg_upload(),
        "credit": "Camille Delannoy",
        "alt_text_fr": "La roue du moulin",
        "alt_text_en": "",
        "alt_text_nl": "Het molenrad",
        "rights_declared": "on",
    }
    return {**data, **overrides}


def test_the_upload_form_shows_the_limits_and_the_declaration(client, owner):
    page = text(client.get(url("listing_photos", owner.listing)))
    assert "10 Mo au plus, d'au moins 1200 × 800 pixels" in page
    declaration = "Je déclare détenir les droits de cette photo et autorise l'office à la diffuser"
    assert f"{declaration} (CGV art. 4.1)" in page


def test_an_uploaded_photo_waits_for_the_office_and_is_shown_from_media(client, owner):
    response = client.post(url("listing_photo_upload", owner.listing), upload_data(), follow=True)
    photo = Photo.objects.get(listing=owner.listing)
    assert photo.status == Photo.Status.PROPOSED and photo.credit == "Camille Delannoy"
    assert pending_changes(owner.listing)["photos"][0]["alt_text_nl"] == "Het molenrad"
    page = text(response)
    assert "Photo envoyée : elle sera publiée après validation par l'office." in page
    assert "Nouvelle photo, en attente de validation" in page
    assert f'src="{photo.image.url}"' in page and photo.image.url.startswith("/media/listings/photos/")


def test_photos_publish_at_once_when_the_office_says_so(client, owner, office, staff_user):
    listing_services.update_moderation_settings(office, immediate_fields=["photos"], actor=staff_user)
    response = client.post(url("listing_photo_upload", owner.listing), upload_data(), follow=True)
    assert Photo.objects.get(listing=owner.listing).status == Photo.Status.PUBLISHED
    assert "Photo ajoutée et publiée aussitôt." in text(response)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"image": not_an_image()},
            "image",
            "Ce fichier n'est pas une image lisible (formats acceptés : JPEG, PNG, WebP).",
        ),
        (
            {"image": jpeg_upload(800, 600)},
            "image",
            "L'image est trop petite pour l'impression (800 × 600 px) : il faut au moins 1200 px sur "
            "le grand côté et 800 px sur le petit.",
        ),
        ({"image": ""}, "image", "Choisissez la photo à envoyer."),
        ({"credit": "  "}, "credit", "Le crédit photo est obligatoire (CGV art. 4.1)."),
        (
            {"rights_declared": ""},
            "rights_declared",
            "Déclarez que vous détenez les droits de cette photo et autorisez l'office à la diffuser.",
        ),
    ],
)
def test_a_bad_upload_is_refused_on_its_field(client, owner, overrides, field, message):
    data = upload_data(**overrides)
    data = {key: value for key, value in data.items() if value != ""}
    before = row_counts()
    response = client.post(url("listing_photo_upload", owner.listing), data)
    assert response.status_code == 200
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in text(response)
    assert row_counts() == before


def test_photos_are_reordered_edited_and_removed_as_proposals(client, owner, staff_user):
    first, second = upload(owner.listing, owner.user), upload(owner.listing, owner.user, credit="L. M.")
    listing_services.approve_proposal(
        ChangeProposal.objects.get(listing=owner.listing, status="pending"), actor=staff_user
    )
    response = client.post(
        url("listing_photo_move", owner.listing, photo_id=second.pk), {"direction": "up"}, follow=True
    )
    assert [item["id"] for item in pending_changes(owner.listing)["photos"]] == [second.pk, first.pk]
    assert [item["id"] for item in published(owner.listing)["photos"]] == [first.pk, second.pk]
    assert "Envoyé à l'office pour validation : Photos." in text(response)

    client.post(
        url("listing_photo_edit", owner.listing, photo_id=first.pk),
        {f"photo-{first.pk}-credit": "Office de tourisme", f"photo-{first.pk}-alt_text_en": "The wheel"},
    )
    edited = next(i for i in pending_changes(owner.listing)["photos"] if i["id"] == first.pk)
    assert (edited["credit"], edited["alt_text_en"]) == ("Office de tourisme", "The wheel")

    response = client.post(url("listing_photo_remove", owner.listing, photo_id=second.pk), follow=True)
    assert [item["id"] for item in pending_changes(owner.listing)["photos"]] == [first.pk]
    page = text(response)
    assert "Retrait en attente de validation" in page and "Photo © L. M." in page
    assert Photo.objects.get(pk=second.pk).status == Photo.Status.PUBLISHED  # until the office decides


def test_a_photo_without_credit_is_refused_on_the_credit(client, owner):
    photo = upload(owner.listing, owner.user)
    before = row_counts()
    proposal_before = pending_changes(owner.listing)
    response = client.post(
        url("listing_photo_edit", owner.listing, photo_id=photo.pk), {f"photo-{photo.pk}-credit": " "}
    )
    assert (
        f'<ul class="errorlist" id="id_photo-{photo.pk}-credit_error"><li>'
        "Chaque photo a un crédit (le nom de son auteur).</li></ul>" in text(response)
    )
    assert row_counts() == before and pending_changes(owner.listing) == proposal_before


# ---- availability --------------------------------------------------------------------------


def month_url(listing, year, month):
    return url("listing_availability", listing, year=year, month=month)


def stored(listing) -> dict:
    return dict(Availability.objects.filter(listing=listing).values_list("date", "status"))


def test_the_calendar_shows_a_month_with_past_days_read_only(client, owner):
    assert client.get(url("listing_availability_now", owner.listing))["Location"] == month_url(
        owner.listing, 2022, 12
    )
    page = text(client.get(month_url(owner.listing, 2022, 12)))
    assert "<caption>Décembre 2022</caption>" in page
    assert 'name="d27"' not in page and 'name="d28"' in page and 'name="d31"' in page
    assert month_url(owner.listing, 2023, 1) in page
    assert month_url(owner.listing, 2022, 11) not in page  # no way back to past months
    assert '<th scope="col"><abbr title="lundi">lun.</abbr></th>' in page


def test_days_are_published_at_once_in_one_go(client, owner):
    data = {"d14": "few_left", "d15": "full", "d16": "", "action": "save"}
    response = client.post(month_url(owner.listing, 2023, 1), data, follow=True)
    assert stored(owner.listing) == {
        datetime.date(2023, 1, 14): "few_left",
        datetime.date(2023, 1, 15): "full",
    }
    assert "Janvier 2023 : 2 jour(s) mis à jour, publiés aussitôt." in text(response)
    client.post(month_url(owner.listing, 2023, 1), {"d14": "", "d15": "full", "action": "save"})
    assert stored(owner.listing) == {datetime.date(2023, 1, 15): "full"}


def test_quick_settings_fill_the_month(client, owner):
    client.post(month_url(owner.listing, 2023, 1), {"action": "all_available"})
    assert len(stored(owner.listing)) == 31
    client.post(month_url(owner.listing, 2023, 1), {"action": "weekends_full"})
    full = sorted(day.day for day, status in stored(owner.listing).items() if status == "full")
    assert full == [6, 7, 13, 14, 20, 21, 27, 28]  # Friday and Saturday nights
    client.post(
        month_url(owner.listing, 2023, 1),
        {"action": "bulk", "bulk_status": "clear", "bulk_scope": "week"},
    )
    assert sorted(day.day for day in stored(owner.listing)) == full
    # In the current month, past days are left alone.
    client.post(month_url(owner.listing, 2022, 12), {"action": "all_available"})
    december = [day for day in stored(owner.listing) if day.month == 12]
    assert sorted(day.day for day in december) == [28, 29, 30, 31]


def test_a_past_day_is_refused_and_nothing_written(client, owner):
    before = row_counts()
    response = client.post(
        month_url(owner.listing, 2022, 12), {"d27": "full", "d29": "full", "action": "save"}
    )
    page = text(response)
    assert "Le 27/12/2022 est passé : sa disponibilité ne peut plus être modifiée." in page
    assert 'id="days_error"' in page
    assert row_counts() == before


def test_availability_is_only_for_categories_that_publish_it(client, make_partner, office):
    restaurant = Category.objects.get(office=office, slug="restauration")
    bistro = make_partner("chef@bistro.example", name="Le Bistro", category_id=restaurant.pk)
    client.force_login(bistro.user)
    assert client.get(url("listing_availability_now", bistro.listing)).status_code == 404
    assert client.get(month_url(bistro.listing, 2023, 1)).status_code == 404
    assert url("listing_availability_now", bistro.listing) not in text(client.get(url("listings")))


@pytest.mark.parametrize(("year", "month"), [(2023, 13), (2023, 0), (1999, 5)])
def test_a_month_that_does_not_exist_is_not_found(client, owner, year, month):
    assert client.get(month_url(owner.listing, year, month)).status_code == 404


def test_an_unknown_availability_state_is_refused(client, owner):
    before = row_counts()
    page = text(client.post(month_url(owner.listing, 2023, 1), {"d3": "bientôt", "d4": "full"}))
    assert "Les disponibilités n'ont pas été modifiées." in page
    assert "mardi 3 janvier 2023 : Sélectionnez un choix valide." in page
    assert row_counts() == before


# ---- isolation -----------------------------------------------------------------------------


def every_url(listing, photo_id: int, *, office: str = "saint-omer") -> list[str]:
    urls = [url(name, listing, office=office) for name in [*LISTING_PAGES, "listing_confirm"]]
    urls += [url("listing_photo_upload", listing, office=office)]
    urls += [
        url(name, listing, office=office, photo_id=photo_id)
        for name in ("listing_photo_move", "listing_photo_edit", "listing_photo_remove")
    ]
    urls.append(url("listing_availability", listing, office=office, year=2023, month=1))
    return urls


def test_another_partners_listing_and_photos_are_not_found(client, owner, other_partner):
    theirs = upload(other_partner.listing, other_partner.user)
    before = row_counts()
    for address in every_url(other_partner.listing, theirs.pk):
        assert client.get(address).status_code == 404, address
        assert client.post(address, {"direction": "up", "d29": "full"}).status_code == 404, address
    # Their photo's id on my listing's URLs.
    for name in ("listing_photo_move", "listing_photo_edit", "listing_photo_remove"):
        address = url(name, owner.listing, photo_id=theirs.pk)
        assert client.post(address, {"direction": "up"}).status_code == 404
    assert row_counts() == before


def test_my_listing_under_another_office_is_not_found(client, owner, other_office):
    mine = upload(owner.listing, owner.user)
    for address in every_url(owner.listing, mine.pk, office="aire-sur-la-lys"):
        assert client.get(address).status_code == 404, address
        assert client.post(address).status_code == 404, address
    assert client.get(url("listings", office="aire-sur-la-lys")).status_code == 200
    assert "Le Moulin des Marais" not in text(client.get(url("listings", office="aire-sur-la-lys")))


def test_anonymous_visitors_are_sent_to_login(client, partner):
    photo = upload(partner.listing, partner.user)
    for address in [url("listings"), *every_url(partner.listing, photo.pk)]:
        response = client.get(address)
        assert response.status_code == 302 and response["Location"].startswith("/comptes/login/"), address
        assert client.post(address)["Location"].startswith("/comptes/login/"), address


# ---- query budgets -------------------------------------------------------------------------


def count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def add_establishments(partner, staff_user, count: int) -> None:
    organisation = partner.listing.establishment.organisation
    category = partner.listing.establishment.category
    for n in range(count):
        establishment = directory_services.save_establishment(
            organisation,
            actor=staff_user,
            name=f"Chambre d'hôtes n° {n}",
            category=category,
            address="1 quai des Salines",
            postcode="62500",
            city="Saint-Omer",
        )
        listing = listing_services.ensure_listing(establishment)
        listing_services.propose_changes(listing, changes={"rooms": n + 1}, actor=partner.user)


def test_my_listings_page_keeps_its_queries_with_more_listings(client, owner, staff_user):
    listing_services.propose_changes(owner.listing, changes={"rooms": 3}, actor=owner.user)
    one = count_queries(client, url("listings"))
    add_establishments(owner, staff_user, 7)
    client.get(url("listings"))  # nothing left to create
    eight = count_queries(client, url("listings"))
    organisation = owner.listing.establishment.organisation
    assert Listing.objects.filter(establishment__organisation=organisation).count() == 8
    assert eight == one


def test_the_photos_page_keeps_its_queries_with_more_photos(client, owner, staff_user):
    upload(owner.listing, owner.user)
    one = count_queries(client, url("listing_photos", owner.listing))
    for n in range(7):
        upload(owner.listing, owner.user, credit=f"Auteur {n}")
        if n == 3:  # some published, some waiting
            listing_services.approve_proposal(
                ChangeProposal.objects.get(listing=owner.listing, status="pending"), actor=staff_user
            )
    assert Photo.objects.filter(listing=owner.listing).count() == 8
    eight = count_queries(client, url("listing_photos", owner.listing))
    assert eight == one


# ---- in a real browser ---------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_listing_pages_are_accessible_and_count_characters(browser, live_server, partner, staff_user):
    from allauth.account.models import EmailAddress

    from .browser import assert_accessible, log_in, screenshot

    partner.user.set_password("correct-horse-battery")
    partner.user.save()
    # The join leaves the address unverified, and conftest's verified() only creates missing rows.
    EmailAddress.objects.filter(user=partner.user).update(verified=True)
    listing_services.edit_listing(
        partner.listing,
        changes={"prices": [{"label_fr": "Nuit", "amount": "72", "season_year": 2021}]},
        actor=staff_user,
    )
    Amenity.objects.create(office=partner.listing.office, group="label", slug="velo", name="Accueil Vélo")
    upload(partner.listing, partner.user)
    listing_services.propose_changes(partner.listing, changes={"covers": 30}, actor=partner.user)
    page = browser.new_page(locale="fr-FR")
    log_in(page, live_server, partner.user)
    for name in ["listings", *SECTION_NAMES, "listing_photos", "listing_availability_now"]:
        page.goto(live_server.url + url(name, None if name == "listings" else partner.listing))
        assert_accessible(page)
        screenshot(page, f"portal-{name}")

    # The counter follows the typing; the server refuses the text over its limit.
    page.goto(live_server.url + url("listing_general", partner.listing))
    page.get_by_label("Description courte (français)").fill("x" * 205)
    page.get_by_text("205 caractères sur 200 : raccourcissez de 5.").wait_for()
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("La description courte (français) dépasse 200 caractères (205)").wait_for()
    assert page.get_by_label("Description courte (français)").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    screenshot(page, "portal-listing-general-error")
