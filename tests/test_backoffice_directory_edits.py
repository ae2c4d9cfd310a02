"""Staff keep the directory current from the back office: organisations, establishments, contacts.

Every page calls a directory service; what it refuses is shown in French on its field and nothing
is written; another organisation's or office's ids answer 404 to GET and POST alike."""

from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from ensemble.core import audit
from ensemble.core.models import AuditEntry
from ensemble.directory.models import Category, Contact, Establishment, Organisation
from ensemble.directory.services import grant_portal_access

from .browser import assert_accessible, log_in, screenshot
from .conftest import row_counts
from .factories import (
    ContactFactory,
    EstablishmentFactory,
    OrganisationFactory,
    UserFactory,
    make_siret,
)

SLUG = "saint-omer"
# 14 digits whose Luhn check fails.
BAD_SIRET = "12345678901234"
BAD_EMAIL = "Saisissez une adresse de courriel valide."  # Django's own French
ERROR_TITLE = "Le formulaire contient des erreurs : corrigez les champs signalés."


def url(name: str, office_slug: str = SLUG, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": office_slug, **kwargs})


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def organisation(office):
    organisation = OrganisationFactory(
        office=office, name="SARL La Grange de Clairmarais", phone="+33321123456"
    )
    EstablishmentFactory(organisation=organisation, name="Gîte de la Grange")
    ContactFactory(organisation=organisation, first_name="Léa", last_name="Vandamme")
    return organisation


@pytest.fixture
def establishment(organisation):
    return organisation.establishments.get()


@pytest.fixture
def contact(organisation):
    return organisation.contacts.get()


def organisation_data(**overrides) -> dict:
    siret = make_siret()
    data = {
        "name": "SAS Brasserie de l'Aa",
        "siren": "",
        "siret": siret,
        "vat_number": "",
        "address": "1 rue du Canal",
        "postcode": "62510",
        "city": "Arques",
        "email": "contact@brasserie-aa.example",
        "phone": "03 21 12 34 56",
    }
    data.update(overrides)
    return data


def establishment_data(category: Category, **overrides) -> dict:
    data = {
        "name": "Estaminet du Marais",
        "category": category.pk,
        "address": "4 chemin du Romelaëre",
        "postcode": "62500",
        "city": "Clairmarais",
        "latitude": "50,771200",
        "longitude": "2,302500",
        "phone": "03 21 12 34 57",
        "email": "estaminet@marais.example",
        "website": "www.estaminet-marais.example",
    }
    data.update(overrides)
    return data


def contact_data(**overrides) -> dict:
    data = {
        "first_name": "Maarten",
        "last_name": "De Vos",
        "role": Contact.Role.MARKETING,
        "email": "maarten@example.be",
        "phone": "+32 50 12 34 56",
        "language": "nl",
        "is_primary": "",
    }
    data.update(overrides)
    return data


def assert_error_shown(response, field: str, message: str) -> None:
    """The page comes back with the French message tied to its field."""
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert message in html
    assert ERROR_TITLE in html
    assert f'aria-describedby="id_{field}_error' in html
    assert f'id="id_{field}_error"' in html
    assert "<title>Erreur :" in html


def timeline_summaries(organisation) -> list[str]:
    return [audit.describe(e) for e in AuditEntry.objects.filter(organisation_id=organisation.pk)]


# --- Organisations --------------------------------------------------------------------------------


def test_list_links_to_new_organisation(staff_client):
    html = staff_client.get(url("organisations")).content.decode()
    assert f'href="{url("organisation_create")}"' in html
    assert "Nouvelle organisation" in html


def test_create_organisation(staff_client, office, staff_user):
    page = staff_client.get(url("organisation_create"))
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Raison sociale", "SIRET (facultatif)", "N° de TVA intracommunautaire", "Code postal"):
        assert label in html
    assert '<label for="id_siret">' in html
    assert 'aria-describedby="id_siret_helptext"' in html

    data = organisation_data()
    spaced = f"{data['siret'][:3]} {data['siret'][3:6]} {data['siret'][6:9]} {data['siret'][9:]}"
    response = staff_client.post(url("organisation_create"), {**data, "siret": spaced}, follow=True)
    organisation = Organisation.objects.get(name="SAS Brasserie de l'Aa")
    assert response.redirect_chain == [(url("organisation", pk=organisation.pk), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "L'organisation « SAS Brasserie de l'Aa » est créée."
    ]
    assert organisation.office == office
    assert organisation.siret == data["siret"]
    assert organisation.siren == data["siret"][:9]  # deduced from the SIRET
    assert organisation.phone == "+33321123456"
    entry = AuditEntry.objects.get(organisation_id=organisation.pk)
    assert entry.actor == staff_user
    assert audit.describe(entry) == "Organisation SAS Brasserie de l'Aa créée par l'équipe"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"siret": BAD_SIRET},
            "siret",
            "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle incorrecte).",
        ),
        (
            {"siren": "123456789"},
            "siren",
            "Ce numéro SIREN n'est pas valide (9 chiffres, clé de contrôle incorrecte).",
        ),
        ("mismatch", "siret", "Le SIRET ne correspond pas au SIREN : ses 9 premiers chiffres sont le SIREN."),
        (
            {"vat_number": "FR00000000000"},
            "vat_number",
            "Ce numéro de TVA intracommunautaire n'est pas valide.",
        ),
        ({"phone": "12"}, "phone", "Ce numéro de téléphone n'est pas valide."),
        ({"email": "pas-une-adresse"}, "email", BAD_EMAIL),
        ({"name": "  "}, "name", "Ce champ est obligatoire."),
    ],
)
def test_create_organisation_bad_input_writes_nothing(staff_client, office, overrides, field, message):
    if overrides == "mismatch":
        overrides = {"siren": make_siret()[:9]}  # a valid SIREN of another company
    before = row_counts()
    response = staff_client.post(url("organisation_create"), organisation_data(**overrides))
    assert_error_shown(response, field, message)
    assert row_counts() == before


def test_create_organisation_with_a_known_siret_is_refused(staff_client, organisation):
    before = row_counts()
    response = staff_client.post(url("organisation_create"), organisation_data(siret=organisation.siret))
    assert response.status_code == 200
    assert "Une organisation de l&#x27;office a déjà ce SIRET." in response.content.decode()
    assert row_counts() == before


def test_organisation_page_links_to_every_edit_page(staff_client, organisation, establishment, contact):
    html = staff_client.get(url("organisation", pk=organisation.pk)).content.decode()
    for target in (
        url("organisation_edit", pk=organisation.pk),
        url("establishment_add", pk=organisation.pk),
        url("establishment_edit", pk=organisation.pk, est_pk=establishment.pk),
        url("contact_add", pk=organisation.pk),
        url("contact_edit", pk=organisation.pk, contact_pk=contact.pk),
    ):
        assert f'href="{target}"' in html, target
    assert '<span class="visually-hidden"> Gîte de la Grange</span>' in html  # "Modifier" says what


def test_edit_organisation(staff_client, organisation, staff_user):
    page = staff_client.get(url("organisation_edit", pk=organisation.pk))
    html = page.content.decode()
    assert 'value="SARL La Grange de Clairmarais"' in html
    assert 'value="03 21 12 34 56"' in html  # the stored +33… as people read it
    data = organisation_data(
        name=organisation.name,
        siren=organisation.siren,
        siret=organisation.siret,
        email=organisation.email,
        address="8 place du Marché",
        city="Saint-Omer",
        postcode="62500",
    )
    response = staff_client.post(url("organisation_edit", pk=organisation.pk), data, follow=True)
    assert response.redirect_chain == [(url("organisation", pk=organisation.pk), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Les coordonnées de l'organisation sont enregistrées."
    ]
    organisation.refresh_from_db()
    assert organisation.address == "8 place du Marché"
    assert organisation.phone == "+33321123456"
    entry = AuditEntry.objects.get(organisation_id=organisation.pk)
    assert (
        audit.describe(entry) == "Coordonnées de l'organisation mises à jour : address"
    )  # what changed only
    assert entry.actor == staff_user


def test_edit_organisation_without_change_writes_nothing(staff_client, organisation):
    page = staff_client.get(url("organisation_edit", pk=organisation.pk))
    data = {field.name: field.value() or "" for field in page.context["form"]}
    before = row_counts()
    response = staff_client.post(url("organisation_edit", pk=organisation.pk), data, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Aucune modification à enregistrer."]
    assert row_counts() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"siret": BAD_SIRET}, "siret", "Ce numéro SIRET n'est pas valide"),
        ("mismatch", "siret", "Le SIRET ne correspond pas au SIREN"),
        ({"vat_number": "FR 12 345"}, "vat_number", "Ce numéro de TVA intracommunautaire n'est pas valide."),
        ({"phone": "0000"}, "phone", "Ce numéro de téléphone n'est pas valide."),
        ({"email": "grange@"}, "email", BAD_EMAIL),
    ],
)
def test_edit_organisation_bad_input_writes_nothing(staff_client, organisation, overrides, field, message):
    if overrides == "mismatch":
        overrides = {"siret": make_siret()}  # another company's SIRET, SIREN unchanged
    data = organisation_data(
        name="Nouveau nom", siren=organisation.siren, siret=organisation.siret, **{"address": "8 place"}
    )
    data.update(overrides)
    before = row_counts()
    response = staff_client.post(url("organisation_edit", pk=organisation.pk), data)
    assert_error_shown(response, field, message)
    assert row_counts() == before
    html = response.content.decode()
    assert "SARL La Grange de Clairmarais</span></h1>" in html  # the heading keeps the stored name
    assert 'value="Nouveau nom"' in html  # what staff typed is kept
    stored = Organisation.objects.get(pk=organisation.pk)
    assert (stored.name, stored.address, stored.siret) == (
        "SARL La Grange de Clairmarais",
        organisation.address,
        organisation.siret,
    )


# --- Establishments -------------------------------------------------------------------------------


def test_establishment_form_offers_this_office_categories_only(staff_client, organisation, other_office):
    page = staff_client.get(url("establishment_add", pk=organisation.pk))
    choices = {value for value, _label in page.context["form"].fields["category"].choices if value}
    expected = set(Category.objects.filter(office=organisation.office).values_list("pk", flat=True))
    assert {int(str(value)) for value in choices} == expected
    html = page.content.decode()
    for category in Category.objects.filter(office=other_office):
        assert f'value="{category.pk}"' not in html
    assert '<label for="id_category">' in html


def test_add_establishment(staff_client, organisation, staff_user):
    category = Category.objects.get(office=organisation.office, slug="restauration")
    response = staff_client.post(
        url("establishment_add", pk=organisation.pk), establishment_data(category), follow=True
    )
    assert response.redirect_chain == [(url("organisation", pk=organisation.pk), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "L'établissement « Estaminet du Marais » est ajouté."
    ]
    establishment = Establishment.objects.get(name="Estaminet du Marais")
    assert establishment.organisation == organisation
    assert establishment.office == organisation.office
    assert establishment.category == category
    assert establishment.latitude == Decimal("50.7712")
    assert establishment.longitude == Decimal("2.3025")
    assert establishment.phone == "+33321123457"
    assert establishment.website == "https://www.estaminet-marais.example"
    assert timeline_summaries(organisation) == ["Établissement « Estaminet du Marais » ajouté"]


def test_edit_establishment(staff_client, organisation, establishment):
    page = staff_client.get(url("establishment_edit", pk=organisation.pk, est_pk=establishment.pk))
    assert 'value="Gîte de la Grange"' in page.content.decode()
    category = Category.objects.get(office=organisation.office, slug="loisirs")
    data = establishment_data(category, name="Gîte de la Grange")
    response = staff_client.post(
        url("establishment_edit", pk=organisation.pk, est_pk=establishment.pk), data, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "L'établissement « Gîte de la Grange » est enregistré."
    ]
    establishment.refresh_from_db()
    assert establishment.category == category
    assert establishment.city == "Clairmarais"
    assert organisation.establishments.count() == 1
    assert timeline_summaries(organisation) == [
        "Établissement « Gîte de la Grange » mis à jour : "
        "address, category, city, email, latitude, longitude, phone, website"
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"latitude": "95"}, "latitude", "La latitude doit être comprise entre -90 et 90."),
        ({"longitude": "-181,5"}, "longitude", "La longitude doit être comprise entre -180 et 180."),
        ({"phone": "12"}, "phone", "Ce numéro de téléphone n'est pas valide."),
        ({"email": "gite.example"}, "email", BAD_EMAIL),
        ({"website": "http://"}, "website", "Saisissez une URL valide."),
        ("foreign", "category", "Sélectionnez un choix valide."),
        ({"name": ""}, "name", "Ce champ est obligatoire."),
    ],
)
def test_establishment_bad_input_writes_nothing(
    staff_client, organisation, establishment, other_office, overrides, field, message
):
    if overrides == "foreign":  # a category of Aire-sur-la-Lys
        overrides = {"category": Category.objects.filter(office=other_office).first().pk}
    category = Category.objects.get(office=organisation.office, slug="bars")
    data = {**establishment_data(category), **overrides}
    targets = [
        url("establishment_add", pk=organisation.pk),
        url("establishment_edit", pk=organisation.pk, est_pk=establishment.pk),
    ]
    before = row_counts()
    for target in targets:
        assert_error_shown(staff_client.post(target, data), field, message)
    assert row_counts() == before
    establishment.refresh_from_db()
    assert establishment.name == "Gîte de la Grange"
    assert establishment.latitude is None


# --- Contacts -------------------------------------------------------------------------------------


def test_add_contact(staff_client, organisation, staff_user):
    page = staff_client.get(url("contact_add", pk=organisation.pk))
    html = page.content.decode()
    assert '<label for="id_is_primary">' in html
    assert [value for value, _label in page.context["form"].fields["language"].choices] == ["fr", "en", "nl"]
    response = staff_client.post(url("contact_add", pk=organisation.pk), contact_data(), follow=True)
    assert response.redirect_chain == [(url("organisation", pk=organisation.pk), 302)]
    assert [str(m) for m in response.context["messages"]] == ["Le contact « Maarten De Vos » est ajouté."]
    contact = Contact.objects.get(last_name="De Vos")
    assert (contact.organisation, contact.office) == (organisation, organisation.office)
    assert contact.phone == "+3250123456"
    assert contact.language == "nl"
    assert contact.role == Contact.Role.MARKETING
    assert not contact.is_primary
    assert timeline_summaries(organisation) == ["Contact « Maarten De Vos » ajouté"]


def test_edit_contact(staff_client, organisation, contact):
    page = staff_client.get(url("contact_edit", pk=organisation.pk, contact_pk=contact.pk))
    assert 'value="Vandamme"' in page.content.decode()
    data = contact_data(first_name="Léa", last_name="Vandamme", role=Contact.Role.BILLING, is_primary="on")
    response = staff_client.post(
        url("contact_edit", pk=organisation.pk, contact_pk=contact.pk), data, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Le contact « Léa Vandamme » est enregistré."]
    contact.refresh_from_db()
    assert contact.role == "facturation"
    assert contact.email == "maarten@example.be"
    assert contact.is_primary
    assert organisation.contacts.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "06 12"}, "phone", "Ce numéro de téléphone n'est pas valide."),
        ({"email": "maarten@"}, "email", BAD_EMAIL),
        ({"language": "de"}, "language", "Sélectionnez un choix valide."),
        ({"last_name": ""}, "last_name", "Ce champ est obligatoire."),
    ],
)
def test_contact_bad_input_writes_nothing(staff_client, organisation, contact, overrides, field, message):
    data = contact_data(**overrides)
    before = row_counts()
    for target in (
        url("contact_add", pk=organisation.pk),
        url("contact_edit", pk=organisation.pk, contact_pk=contact.pk),
    ):
        assert_error_shown(staff_client.post(target, data), field, message)
    assert row_counts() == before
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name) == ("Léa", "Vandamme")


def test_pages_in_english(staff_client, organisation):
    html = staff_client.get(url("organisation_create"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "New organisation" in html
    assert "Company name" in html
    html = staff_client.get(
        url("contact_add", pk=organisation.pk), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Add a contact" in html
    assert "Main contact" in html


# --- Who may use these pages ----------------------------------------------------------------------


def new_urls(organisation, establishment, contact, office_slug: str = SLUG) -> list[str]:
    """Every URL of this feature, for these records."""
    pk = organisation.pk
    return [
        url("organisation_create", office_slug),
        url("organisation_edit", office_slug, pk=pk),
        url("establishment_add", office_slug, pk=pk),
        url("establishment_edit", office_slug, pk=pk, est_pk=establishment.pk),
        url("contact_add", office_slug, pk=pk),
        url("contact_edit", office_slug, pk=pk, contact_pk=contact.pk),
    ]


def valid_data(organisation) -> dict:
    """A POST body every form of this feature accepts."""
    category = Category.objects.filter(office=organisation.office).first()
    return {**organisation_data(), **establishment_data(category), **contact_data()}


@pytest.fixture
def foreign(other_office):
    """An organisation of Aire-sur-la-Lys with an establishment and a contact."""
    organisation = OrganisationFactory(office=other_office, name="SARL Camping du Lac")
    return (
        organisation,
        EstablishmentFactory(organisation=organisation),
        ContactFactory(organisation=organisation),
    )


def test_staff_reach_every_page(staff_client, organisation, establishment, contact):
    for target in new_urls(organisation, establishment, contact):
        assert staff_client.get(target).status_code == 200, target


def test_another_office_ids_are_404_for_get_and_post(staff_client, organisation, foreign):
    """Saint-Omer's staff, Saint-Omer's URLs, Aire-sur-la-Lys' ids: 404 to every method."""
    other, other_establishment, other_contact = foreign
    mine = organisation.establishments.get()
    my_contact = organisation.contacts.get()
    targets = new_urls(other, other_establishment, other_contact)[1:] + [
        # my organisation, another office's establishment or contact
        url("establishment_edit", pk=organisation.pk, est_pk=other_establishment.pk),
        url("contact_edit", pk=organisation.pk, contact_pk=other_contact.pk),
        # another office's organisation, my establishment or contact
        url("establishment_edit", pk=other.pk, est_pk=mine.pk),
        url("contact_edit", pk=other.pk, contact_pk=my_contact.pk),
    ]
    data = valid_data(organisation)
    before = row_counts()
    for target in targets:
        assert staff_client.get(target).status_code == 404, target
        assert staff_client.post(target, data).status_code == 404, target
    assert row_counts() == before
    other_establishment.refresh_from_db()
    assert other_establishment.name != "Estaminet du Marais"


def test_another_organisation_ids_are_404(staff_client, office, organisation, establishment, contact):
    """Ids of this office's records that belong to another organisation."""
    neighbour = OrganisationFactory(office=office, name="EURL Brasserie de l'Aa")
    targets = [
        url("establishment_edit", pk=neighbour.pk, est_pk=establishment.pk),
        url("contact_edit", pk=neighbour.pk, contact_pk=contact.pk),
    ]
    data = valid_data(organisation)
    before = row_counts()
    for target in targets:
        assert staff_client.get(target).status_code == 404, target
        assert staff_client.post(target, data).status_code == 404, target
    assert row_counts() == before


def test_other_office_staff_and_other_office_back_office(client, organisation, foreign, other_staff_user):
    """Aire-sur-la-Lys' staff get 404 on Saint-Omer's pages, and Saint-Omer's staff on Aire's."""
    establishment, contact = organisation.establishments.get(), organisation.contacts.get()
    data = valid_data(organisation)
    client.force_login(other_staff_user)  # a login is an audit entry of its own: counted from here
    before = row_counts()
    for target in new_urls(organisation, establishment, contact):
        assert client.get(target).status_code == 404, target
        assert client.post(target, data).status_code == 404, target
    assert row_counts() == before


def test_anonymous_is_sent_to_login(client, organisation, establishment, contact):
    login = reverse("account_login")
    data = valid_data(organisation)
    before = row_counts()
    for target in new_urls(organisation, establishment, contact):
        for response in (client.get(target), client.post(target, data)):
            assert response.status_code == 302, target
            assert response["Location"].startswith(f"{login}?next=")
    assert row_counts() == before


def test_partner_who_is_not_staff_gets_404(client, organisation, establishment, contact):
    partner = UserFactory(email="lea@grange.example")
    grant_portal_access(organisation, user=partner)
    client.force_login(partner)
    data = valid_data(organisation)
    before = row_counts()
    for target in new_urls(organisation, establishment, contact):
        assert client.get(target).status_code == 404, target
        assert client.post(target, data).status_code == 404, target
    assert row_counts() == before


def test_forms_need_the_csrf_token(staff_user, organisation):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    before = row_counts()
    response = client.post(url("organisation_create"), organisation_data())
    assert response.status_code == 403
    assert row_counts() == before


# --- In a real Chromium: axe-core on every form, errors included ----------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_directory_forms_are_accessible(browser, live_server, office, staff_user):
    page = browser.new_page(locale="fr-FR")
    log_in(page, live_server, staff_user)
    page.goto(f"{live_server.url}{url('organisations')}")
    page.get_by_role("link", name="Nouvelle organisation").click()
    assert_accessible(page)
    screenshot(page, "bo-organisation-create")

    data = organisation_data(siret=BAD_SIRET)
    for label, name in [("Raison sociale", "name"), ("SIRET (facultatif)", "siret")]:
        page.get_by_label(label).fill(data[name])
    page.get_by_label("Adresse", exact=True).fill(data["address"])
    page.get_by_label("Code postal").fill(data["postcode"])
    page.get_by_label("Ville").fill(data["city"])
    page.get_by_role("button", name="Créer l'organisation").click()
    page.get_by_text("Ce numéro SIRET n'est pas valide").wait_for()
    assert page.get_by_label("SIRET (facultatif)").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    screenshot(page, "bo-organisation-create-error")

    page.get_by_label("SIRET (facultatif)").fill(make_siret())
    page.get_by_role("button", name="Créer l'organisation").click()
    page.get_by_text("L'organisation « SAS Brasserie de l'Aa » est créée.").wait_for()
    assert_accessible(page)
    organisation = Organisation.objects.get(office=office, name="SAS Brasserie de l'Aa")
    for link, name in [
        ("Modifier l'organisation", "bo-organisation-edit"),
        ("Ajouter un établissement", "bo-establishment-add"),
        ("Ajouter un contact", "bo-contact-add"),
    ]:
        page.goto(f"{live_server.url}{url('organisation', pk=organisation.pk)}")
        page.get_by_role("link", name=link).click()
        assert_accessible(page)
        screenshot(page, name)
    page.get_by_label("Prénom").fill("Maarten")
    page.get_by_label("Nom", exact=True).fill("De Vos")
    page.get_by_label("Téléphone (facultatif)").fill("12")
    page.get_by_role("button", name="Ajouter le contact").click()
    page.get_by_text("Ce numéro de téléphone n'est pas valide.").wait_for()
    assert_accessible(page)
    assert not Contact.objects.filter(organisation=organisation).exists()
