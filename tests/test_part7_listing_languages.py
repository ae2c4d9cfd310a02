"""Issue 12, C1/C2/D follow-ups: a listing's texts in every language.

1. The note of an opening period (« Fermé le 25 décembre ») is written in French, English and
   Dutch (modeltranslation: `note_fr`, `note_en`, `note_nl`), entered by partners (espace pro)
   and staff (back office) through the field registry, and read with the fallback order
   (nl → en → fr) by the public page, the snapshots, the API and the DATAtourisme export.
2. The English and Dutch names and the further phones, e-mails and websites (added for the
   DATAtourisme import) are edited by the partner in the espace pro, moderated like the other
   fields, and by staff in the back office (one per line).
"""

import html
import importlib
import re

import pytest
from django.urls import reverse

from ensemble.demo import listings as demo_listings
from ensemble.listings import services as listing_services
from ensemble.listings.fields import FIELDS, snapshot
from ensemble.listings.models import ChangeProposal, Listing, ListingVersion, OpeningPeriod
from ensemble.listings.services import ListingError
from ensemble.publishing.models import PublicationSnapshot

from .conftest import row_counts
from .test_api import API, office_place

pytestmark = pytest.mark.django_db
SLUG = "saint-omer"
CHRISTMAS = {"note_fr": "Fermé le 25 décembre", "note_en": "Closed on 25 December", "note_nl": ""}


def period(**notes) -> dict:
    return {
        "starts_on": "2022-11-01",
        "ends_on": "2023-03-31",
        "opens_at": "10:00",
        "closes_at": "17:00",
        "closed_weekdays": [1],
        **notes,
    }


def page(client, listing, lang: str) -> str:
    response = client.get(f"/{SLUG}/fiches/{listing.pk}/", {"langue": lang})
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def words(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def portal_url(name: str, listing) -> str:
    return reverse(f"portal:{name}", kwargs={"office_slug": SLUG, "listing_id": listing.pk})


def bo_url(name: str, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": SLUG, **kwargs})


def fresh(listing) -> Listing:
    return Listing.objects.get(pk=listing.pk)


def pending(listing) -> dict:
    proposal = ChangeProposal.objects.filter(listing=listing, status="pending").first()
    return proposal.changes if proposal else {}


@pytest.fixture
def museum(office, staff_user):
    """A place the office publishes (visible whatever the memberships), with a noted period."""
    return office_place(office, "Musée Sandelin", actor=staff_user, opening_periods=[period(**CHRISTMAS)])


@pytest.fixture
def owner(client, partner):
    client.force_login(partner.user)
    return partner


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


# ---- 1. the notes of the opening periods --------------------------------------------------------


def test_a_periods_note_is_kept_in_each_language(museum):
    (row,) = OpeningPeriod.objects.filter(listing=museum)
    assert (row.note_fr, row.note_en, row.note_nl) == (
        "Fermé le 25 décembre",
        "Closed on 25 December",
        "",
    )
    assert snapshot(museum)["opening_periods"][0] | CHRISTMAS == snapshot(museum)["opening_periods"][0]


def test_a_note_given_as_note_alone_is_the_french_one(office, staff_user):
    """Versions and callers from before the translation wrote `note`: it is the French note."""
    place = office_place(
        office, "Cathédrale", actor=staff_user, opening_periods=[period(note="Sur réservation")]
    )
    (row,) = OpeningPeriod.objects.filter(listing=place)
    assert (row.note_fr, row.note_en, row.note_nl) == ("Sur réservation", "", "")


def test_a_note_too_long_is_refused_with_its_language_and_nothing_is_written(museum, staff_user):
    before = row_counts()
    with pytest.raises(ListingError) as refused:
        listing_services.edit_listing(
            museum,
            changes={"opening_periods": [period(note_fr="Fermé", note_nl="x" * 201)]},
            actor=staff_user,
        )
    assert refused.value.message == (
        "La précision (néerlandais) de la période du 01/11/2022 dépasse 200 caractères (201) : "
        "raccourcissez-la."
    )
    assert refused.value.field == "opening_periods"
    assert row_counts() == before
    assert OpeningPeriod.objects.get(listing=museum).note_en == "Closed on 25 December"


def test_the_public_page_shows_the_note_in_its_language_with_the_fallback(client, museum):
    english = page(client, museum, "en")
    assert "(<span>Closed on 25 December</span>)" in english
    assert "Fermé le 25 décembre" not in english
    # No Dutch note: the English one, marked as English (nl → en → fr).
    assert '(<span lang="en">Closed on 25 December</span>)' in page(client, museum, "nl")
    assert "(<span>Fermé le 25 décembre</span>)" in page(client, museum, "fr")


def test_a_french_only_note_is_marked_french_on_the_english_page(client, office, staff_user):
    place = office_place(
        office, "Cathédrale", actor=staff_user, opening_periods=[period(note_fr="Sur réservation")]
    )
    assert '(<span lang="fr">Sur réservation</span>)' in page(client, place, "en")


def test_the_snapshots_resolve_the_note_and_keep_each_language(museum):
    documents = {row.language: row.document for row in PublicationSnapshot.objects.filter(listing=museum)}
    assert [documents[lang]["opening_periods"][0]["note"] for lang in ("fr", "en", "nl")] == [
        "Fermé le 25 décembre",
        "Closed on 25 December",
        "Closed on 25 December",
    ]
    assert documents["nl"]["opening_periods"][0]["notes"] == {
        "fr": "Fermé le 25 décembre",
        "en": "Closed on 25 December",
        "nl": "",
    }


def test_the_api_gives_the_note_in_each_language(client, museum):
    data = client.get(f"{API}/listings/{museum.pk}").json()
    assert data["opening_periods"][0]["note"] == {
        "fr": "Fermé le 25 décembre",
        "en": "Closed on 25 December",
        "nl": "",
    }


def test_the_datatourisme_export_gives_the_note_in_each_language(client, museum):
    document = client.get(f"{API}/datatourisme/listings/{museum.pk}.jsonld").json()
    (spec,) = document["isLocatedAt"][0]["schema:openingHoursSpecification"]
    assert spec["additionalInformation"] == {"fr": ["Fermé le 25 décembre"], "en": ["Closed on 25 December"]}


def test_the_moderation_view_of_a_period_shows_every_language():
    shown = FIELDS["opening_periods"].show([FIELDS["opening_periods"].clean([period(**CHRISTMAS)], None)[0]])
    assert (
        shown == "01/11/2022 → 31/03/2023, 10:00–17:00, fermé lun. "
        "(Fermé le 25 décembre ; anglais : Closed on 25 December)"
    )


def test_the_partner_enters_the_notes_in_three_languages(client, owner):
    form_page = client.get(portal_url("listing_opening", owner.listing))
    body = html.unescape(form_page.content.decode())
    for lang in ("fr", "en", "nl"):
        assert f'name="periods-0-note_{lang}"' in body
    # Each in its language, with what visitors read when it is empty tied to it.
    assert (
        '<input type="text" name="periods-0-note_nl" lang="nl" maxlength="200" '
        'aria-describedby="id_periods-0-note_nl_helptext"' in body
    )
    assert (
        '<p class="help" id="id_periods-0-note_nl_helptext">Si vide, les visiteurs lisent le texte en '
        "anglais, à défaut en français.</p>" in body
    )
    data = {
        "periods-TOTAL_FORMS": 1,
        "periods-INITIAL_FORMS": 0,
        "periods-MIN_NUM_FORMS": 0,
        "periods-MAX_NUM_FORMS": 50,
        "periods-0-starts_on": "2023-04-01",
        "periods-0-ends_on": "2023-09-30",
        "periods-0-note_fr": "Fermé le 14 juillet",
        "periods-0-note_en": "Closed on 14 July",
        "periods-0-note_nl": "Gesloten op 14 juli",
    }
    response = client.post(portal_url("listing_opening", owner.listing), data, follow=True)
    assert "Publié aussitôt : Périodes et horaires d'ouverture." in words(response)
    row = OpeningPeriod.objects.get(listing=owner.listing)
    assert (row.note_fr, row.note_en, row.note_nl) == (
        "Fermé le 14 juillet",
        "Closed on 14 July",
        "Gesloten op 14 juli",
    )
    again = html.unescape(client.get(portal_url("listing_opening", owner.listing)).content.decode())
    assert 'value="Gesloten op 14 juli"' in again


def test_a_partners_note_too_long_is_refused_on_its_field(client, owner):
    data = {
        "periods-TOTAL_FORMS": 1,
        "periods-INITIAL_FORMS": 0,
        "periods-MIN_NUM_FORMS": 0,
        "periods-MAX_NUM_FORMS": 50,
        "periods-0-starts_on": "2023-04-01",
        "periods-0-ends_on": "2023-09-30",
        "periods-0-note_en": "x" * 201,
    }
    before = row_counts()
    response = client.post(portal_url("listing_opening", owner.listing), data)
    assert response.status_code == 200
    assert 'id="id_periods-0-note_en_error"' in response.content.decode()
    assert row_counts() == before


def test_staff_translate_the_notes_in_the_back_office(staff_client, museum):
    path = bo_url("listing_edit", pk=museum.pk)
    form = staff_client.get(path).context["form"]
    body = words(staff_client.get(path))
    assert "Ouverture du 01/11/2022 au 31/03/2023 : précision" in body
    data = {name: form[name].value() or "" for name in form.fields}
    assert data["period_0_note_en"] == "Closed on 25 December"
    data["period_0_note_nl"] = "Gesloten op 25 december"
    response = staff_client.post(path, data, follow=True)
    assert "la version" in words(response)
    row = OpeningPeriod.objects.get(listing=museum)
    assert (row.note_fr, row.note_en, row.note_nl, row.opens_at.hour) == (
        "Fermé le 25 décembre",
        "Closed on 25 December",
        "Gesloten op 25 december",
        10,
    )
    version = ListingVersion.objects.filter(listing=museum).first()
    assert (version.origin, version.changed_fields) == ("staff", ["opening_periods"])


def test_staff_notes_for_periods_changed_meanwhile_are_refused(staff_client, museum, staff_user):
    path = bo_url("listing_edit", pk=museum.pk)
    form = staff_client.get(path).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["period_0_note_nl"] = "Gesloten op 25 december"
    # Meanwhile the periods change (the partner replaced them).
    listing_services.edit_listing(
        museum,
        changes={
            "opening_periods": [
                period(note_fr="Autre"),
                {**period(), "starts_on": "2023-04-01", "ends_on": "2023-04-30"},
            ]
        },
        actor=staff_user,
    )
    before = row_counts()
    response = staff_client.post(path, data)
    assert response.status_code == 200
    assert "Les périodes d'ouverture ont changé depuis l'ouverture de cette page" in words(response)
    assert row_counts() == before


# ---- 2. names in English and Dutch, further contacts --------------------------------------------


def test_the_partner_edits_the_english_and_dutch_names(client, owner, staff_user):
    response = client.get(portal_url("listing_general", owner.listing))
    body = html.unescape(response.content.decode())
    assert 'name="name_en"' in body and 'name="name_nl"' in body
    assert '<label for="id_name_en">Nom (anglais)</label>' in body
    assert (
        '<p class="help" id="id_name_nl_helptext">Si vide, les visiteurs lisent le texte en anglais, '
        "à défaut en français.</p>" in body
    )
    data = {"name": "Le Moulin des Marais", "name_en": "The Marsh Mill", "name_nl": ""}
    for base in ("short_description", "long_description"):
        for lang in ("fr", "en", "nl"):
            data[f"{base}_{lang}"] = ""
    response = client.post(portal_url("listing_general", owner.listing), data, follow=True)
    assert "Envoyé à l'office pour validation : Nom (anglais)." in words(response)
    assert pending(owner.listing) == {"name_en": "The Marsh Mill"}
    # Her form shows it waiting, the public name is unchanged until the office decides.
    again = html.unescape(client.get(portal_url("listing_general", owner.listing)).content.decode())
    assert 'value="The Marsh Mill"' in again
    assert fresh(owner.listing).name_en == ""
    proposal = ChangeProposal.objects.get(listing=owner.listing, status="pending")
    listing_services.decide_proposal(proposal, decisions={"name_en": {"approved": True}}, actor=staff_user)
    assert fresh(owner.listing).name_en == "The Marsh Mill"


def test_the_public_page_and_api_give_the_translated_name(client, office, staff_user):
    place = office_place(office, "Musée de l'Hôtel Sandelin", actor=staff_user, name_en="Sandelin Museum")
    english = page(client, place, "en")
    assert "<h1>Sandelin Museum</h1>" in english
    assert "<title>Sandelin Museum" in english
    assert '"name": "Sandelin Museum"' in english  # the JSON-LD too
    assert '"name": "Musée de l\'Hôtel Sandelin"' in page(client, place, "fr")
    data = client.get(f"{API}/listings/{place.pk}").json()
    assert data["names"] == {"fr": "Musée de l'Hôtel Sandelin", "en": "Sandelin Museum", "nl": ""}


def contact_data(listing, **overrides) -> dict:
    values = snapshot(fresh(listing))
    keys = ("address", "postcode", "city", "phone", "email", "website", "booking_url")
    data = {key: values[key] or "" for key in keys}
    return {**data, "extra_phones": "", "extra_emails": "", "extra_websites": "", **overrides}


def test_the_partner_edits_the_further_contacts_one_per_line(client, owner, staff_user):
    response = client.get(portal_url("listing_contact", owner.listing))
    body = html.unescape(response.content.decode())
    for key in ("extra_phones", "extra_emails", "extra_websites"):
        assert f'name="{key}"' in body
    assert "Un par ligne, 10 au plus." in body
    data = contact_data(
        owner.listing,
        extra_phones="03 21 98 76 54\n06 12 34 56 78",
        extra_emails="resa@moulin.example, groupes@moulin.example",
        extra_websites="https://moulin.example/en/\r\nhttps://moulin.example/nl/",
    )
    response = client.post(portal_url("listing_contact", owner.listing), data, follow=True)
    assert "Envoyé à l'office pour validation" in words(response)
    assert pending(owner.listing) == {
        "extra_phones": ["+33321987654", "+33612345678"],
        "extra_emails": ["resa@moulin.example", "groupes@moulin.example"],
        "extra_websites": ["https://moulin.example/en/", "https://moulin.example/nl/"],
    }
    # Shown back one per line, phones as people read them.
    form = client.get(portal_url("listing_contact", owner.listing)).context["form"]
    assert form["extra_phones"].value() == "03 21 98 76 54\n06 12 34 56 78"
    proposal = ChangeProposal.objects.get(listing=owner.listing, status="pending")
    listing_services.decide_proposal(
        proposal,
        decisions={
            "extra_phones": {"approved": True},
            "extra_emails": {"approved": False, "reason": "Une seule adresse, s'il vous plaît."},
            "extra_websites": {"approved": True},
        },
        actor=staff_user,
    )
    listing = fresh(owner.listing)
    assert (listing.extra_phones, listing.extra_emails) == (["+33321987654", "+33612345678"], [])
    # The rejected field stays with her, with the reason beside it.
    body = html.unescape(client.get(portal_url("listing_contact", owner.listing)).content.decode())
    assert "Une seule adresse, s'il vous plaît." in body
    assert "resa@moulin.example\ngroupes@moulin.example" in body


def test_a_bad_further_email_is_refused_on_its_field(client, owner):
    before = row_counts()
    data = contact_data(owner.listing, extra_emails="resa@moulin.example\npas une adresse")
    response = client.post(portal_url("listing_contact", owner.listing), data)
    body = html.unescape(response.content.decode())
    assert (
        '<ul class="errorlist" id="id_extra_emails_error"><li>'
        "Cette adresse e-mail n'est pas valide : pas une adresse.</li>" in body
    )
    assert row_counts() == before


def test_staff_edit_the_further_contacts_one_per_line(staff_client, museum):
    path = bo_url("listing_edit", pk=museum.pk)
    form = staff_client.get(path).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["extra_websites"] = "https://sandelin.example/en/\nhttps://sandelin.example/nl/"
    data["extra_phones"] = "03 21 38 00 94"
    staff_client.post(path, data)
    listing = fresh(museum)
    assert listing.extra_websites == ["https://sandelin.example/en/", "https://sandelin.example/nl/"]
    assert listing.extra_phones == ["+33321380094"]
    form = staff_client.get(path).context["form"]
    assert form["extra_phones"].value() == "03 21 38 00 94"


# ---- what was written before the notes were translated ------------------------------------------


def test_the_migration_renames_the_note_in_versions_and_proposals():
    migration = importlib.import_module("ensemble.listings.migrations.0010_opening_period_note_languages")
    stored = [{"starts_on": "2022-11-01", "ends_on": "2022-12-31", "note": "Fermé le 25 décembre"}]
    assert migration._periods(stored) == [
        {
            "starts_on": "2022-11-01",
            "ends_on": "2022-12-31",
            "note_fr": "Fermé le 25 décembre",
            "note_en": "",
            "note_nl": "",
        }
    ]
    assert migration._periods([{"starts_on": "2022-11-01", "note_fr": "x"}]) is None


def test_an_old_version_with_a_french_note_is_restored(museum, staff_user):
    version = ListingVersion.objects.filter(listing=museum).first()
    data = dict(version.data)
    data["opening_periods"] = [
        {k: v for k, v in item.items() if not k.startswith("note_")} | {"note": "Ancienne précision"}
        for item in data["opening_periods"]
    ]
    ListingVersion.objects.filter(pk=version.pk).update(data=data)
    listing_services.restore_version(ListingVersion.objects.get(pk=version.pk), actor=staff_user)
    row = OpeningPeriod.objects.get(listing=museum)
    assert (row.note_fr, row.note_en) == ("Ancienne précision", "")


# ---- the demo -----------------------------------------------------------------------------------


def test_the_demos_notes_are_in_three_languages():
    assert demo_listings.CHRISTMAS_NOTE == {
        "note_fr": "Fermé le 25 décembre",
        "note_en": "Closed on 25 December",
        "note_nl": "Gesloten op 25 december",
    }


def test_a_demo_loaded_before_gets_the_english_and_dutch_notes(office, staff_user):
    place = office_place(
        office, "Cathédrale", actor=staff_user, opening_periods=[period(note_fr="Fermé le 25 décembre")]
    )
    demo_listings._translate_notes(office, staff_user)
    row = OpeningPeriod.objects.get(listing=place)
    assert (row.note_en, row.note_nl) == ("Closed on 25 December", "Gesloten op 25 december")
    versions = ListingVersion.objects.filter(listing=place).count()
    demo_listings._translate_notes(office, staff_user)  # a second run changes nothing
    assert ListingVersion.objects.filter(listing=place).count() == versions


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_the_french_notes(office, staff_user):
    """Run for real: back to 0009, rows as they were (`note`), forward to 0010."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    place = office_place(office, "Cathédrale", actor=staff_user, opening_periods=[period()])
    before, after = (
        ("listings", "0009_proposal_field_decisions"),
        ("listings", "0010_opening_period_note_languages"),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = MigrationExecutor(connection).loader.project_state([before]).apps
    old.get_model("listings", "OpeningPeriod").objects.filter(listing_id=place.pk).update(
        note="Sur réservation"
    )
    Version = old.get_model("listings", "ListingVersion")
    version = Version.objects.filter(listing_id=place.pk).order_by("-number").first()
    stored = [{"starts_on": "2022-11-01", "ends_on": "2023-03-31", "note": "Sur réservation"}]
    Version.objects.filter(pk=version.pk).update(data={**version.data, "opening_periods": stored})
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([after])
    try:
        row = OpeningPeriod.objects.get(listing=place)
        assert (row.note_fr, row.note_en, row.note_nl) == ("Sur réservation", "", "")
        (item,) = ListingVersion.objects.get(pk=version.pk).data["opening_periods"]
        assert (item["note_fr"], item["note_en"], "note" in item) == ("Sur réservation", "", False)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
