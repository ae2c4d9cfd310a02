"""Postcodes checked for their country; a French one must exist and serve the town (issue 12, A8).

« 6250 » was accepted by the join form and printed on a legal invoice. The French list is La
Poste's official one, shipped in the repository (ensemble/directory/data/postcodes-fr.tsv.gz);
every place an address is written checks it: the join form and its service, the back office's
directory edits, the espace pro's listing edits, the office's own address, the services (and so
the DATAtourisme import)."""

import gzip
import io
import json
import tarfile
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ensemble.core.services import OFFICE_SETTINGS_FIELDS
from ensemble.directory import build_postcodes, postcodes, services
from ensemble.directory.models import Category, Organisation
from ensemble.directory.postcodes import check_postcode, clean_address, department_of, towns_for
from ensemble.listings import services as listing_services
from ensemble.listings.fields import snapshot
from ensemble.listings.models import ChangeProposal, Listing
from ensemble.memberships.models import Membership

from .conftest import assert_refused, row_counts
from .factories import OrganisationFactory, make_siret

pytestmark = pytest.mark.django_db

SAINT_OMER_TOWNS = (
    "Boisdinghem, Clairmarais, Leulinghem, Quelmes, Saint-Martin-lez-Tatinghem, Saint-Omer, "
    "Salperwick, Tilques, Zudausques"
)
FIVE_DIGITS = "Un code postal français compte 5 chiffres, par exemple 62500."
ARQUES_IN_62500 = f"« Arques » ne correspond pas au code postal 62500, qui dessert : {SAINT_OMER_TOWNS}."


def message(country, postcode, town):
    problem = check_postcode(country, postcode, town)
    return None if problem is None else (problem.field, problem.message)


# ---- the list and the rules ------------------------------------------------------------------


def test_the_shipped_list_is_la_postes_whole_list():
    with gzip.open(postcodes.DATA_FILE, "rt", encoding="utf-8") as lines:
        count = sum(1 for _line in lines)
    assert count > 6000  # every French postcode (metropolitan and overseas)
    assert postcodes.DATA_FILE.stat().st_size < 400 * 1024  # compact: a few hundred kB at most
    assert towns_for("62500") == SAINT_OMER_TOWNS.split(", ")
    assert towns_for("62 120")[:2] == ["Aire-sur-la-Lys", "Blessy"]
    assert "Paris" in towns_for("75001")
    assert "Pointe-à-Pitre" in towns_for("97110")
    assert towns_for("6250") == [] and towns_for("62501") == []


def test_department_of_a_postcode():
    assert department_of("62500") == "62"
    assert department_of("20000") == "2A"  # Ajaccio: Corsica's postcodes are not its départements
    assert department_of("97110") == "971"
    assert department_of("05110") == "05"  # serves two départements: the one of most communes
    assert department_of("62501") is None


@pytest.mark.parametrize(
    ("postcode", "town", "expected"),
    [
        ("6250", "Saint-Omer", ("postcode", FIVE_DIGITS)),  # the reported defect
        ("625000", "Saint-Omer", ("postcode", FIVE_DIGITS)),
        ("62 5OO", "Saint-Omer", ("postcode", FIVE_DIGITS)),
        ("", "Saint-Omer", ("postcode", "Indiquez le code postal.")),
        ("99999", "Saint-Omer", ("postcode", "Le code postal 99999 n'existe pas en France.")),
        (
            "62504",
            "Saint-Omer",  # a CEDEX code written without CEDEX
            (
                "postcode",
                "Le code postal 62504 n'existe pas en France. S'il s'agit d'un code CEDEX, "
                "écrivez « CEDEX » après la ville.",
            ),
        ),
        ("62500", "Arques", ("city", ARQUES_IN_62500)),
        ("62500", "", ("city", "Indiquez la ville.")),
        (
            "62120",
            "Saint-Omer",
            (
                "city",
                "« Saint-Omer » ne correspond pas au code postal 62120, qui "
                "dessert : Aire-sur-la-Lys, Blessy, Campagne-lès-Wardrecques, Lambres, Lambres-lez-Aire, "
                "Linghem, Mametz, Mazinghem, Norrent-Fontes, Quernes, Quiestède, Racquinghem, Rely, Rombly, "
                "Roquetoire et 5 autres.",
            ),
        ),  # fmt: skip
    ],
)
def test_a_french_postcode_must_exist_and_serve_the_town(postcode, town, expected):
    assert message("FR", postcode, town) == expected
    with pytest.raises(ValidationError) as info:
        clean_address("FR", postcode, town)
    assert info.value.message_dict == {expected[0]: [expected[1]]}


@pytest.mark.parametrize(
    ("postcode", "town"),
    [
        ("62500", "Saint-Omer"),
        ("62500", "SAINT OMER"),  # La Poste's way
        ("62500", "st omer"),
        ("62500", "Saint Omer CEDEX"),
        ("62 500", "saint-omer cedex 2"),
        ("62120", "AIRE SUR LA LYS"),
        ("62500", "Saint-Martin-lès-Tatinghem".replace("lès", "lez")),
        ("62150", "GAUCHIN LE GAL"),  # a « libellé d'acheminement » that is not the commune's name
        ("62150", "Gauchin-Légal"),
        ("62360", "Hesdin-l'Abbé"),
        ("62360", "HESDIN L ABBE"),
        ("75001", "Paris"),
        ("62504", "Saint-Omer Cedex"),  # a CEDEX code: the town is the département's
        ("62219", "Longuenesse"),
    ],
)
def test_spellings_of_the_same_town_are_accepted(postcode, town):
    assert message("FR", postcode, town) is None


def test_a_cedex_code_needs_a_town_of_its_departement():
    assert message("FR", "62504", "Lille Cedex") == (
        "postcode",
        "Le code postal 62504 n'existe pas en France.",
    )


def test_the_postcode_is_written_as_its_country_writes_it():
    assert clean_address("FR", " 62 500 ", "Saint-Omer") == "62500"
    assert clean_address("BE", "B-7500", "Tournai") == "7500"
    assert clean_address("NL", "1012ab", "Amsterdam") == "1012 AB"
    assert clean_address("GB", "sw1a1aa", "London") == "SW1A 1AA"
    assert clean_address("LU", "L-1111", "Luxembourg") == "1111"
    assert clean_address("DE", "D-10115", "Berlin") == "10115"
    assert clean_address("US", "ny 10001", "New York") == "ny 10001"  # not checked: kept


@pytest.mark.parametrize(
    ("country", "good", "bad", "example"),
    [
        ("BE", "7500", "75000", "7500"),
        ("NL", "1012 AB", "1012", "1012 AB"),
        ("DE", "10115", "1011", "10115"),
        ("LU", "1111", "11111", "1111"),
        ("GB", "CT1 2EH", "12345", "SW1A 1AA"),
        ("CH", "1200", "120", "1200"),
    ],
)
def test_other_countries_have_their_postcodes_shape_checked(country, good, bad, example):
    assert message(country, good, "Ville") is None
    assert message(country, bad, "Ville") == (
        "postcode",
        f"Ce code postal n'a pas la forme de ceux de ce pays (par exemple {example}).",
    )


def test_a_country_without_rules_is_not_checked():
    assert message("US", "NY 10001", "New York") is None
    assert message("US", "", "New York") == ("postcode", "Indiquez le code postal.")


def test_the_build_script_makes_the_file_from_the_two_packages(tmp_path, monkeypatch):
    """The script that refreshes the list reads the two npm packages' JSON (tiny stand-ins)."""

    def package(path, name, data):
        with tarfile.open(path, "w:gz") as tar:
            raw = json.dumps(data).encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
        return path

    communes = [
        {"nom": "Saint-Omer", "type": "commune-actuelle", "departement": "62", "codesPostaux": ["62500"]},
        {"nom": "Tilques", "type": "commune-actuelle", "departement": "62", "codesPostaux": ["62500"]},
        {"nom": "Île-de-Sein", "type": "commune-actuelle", "departement": "29", "codesPostaux": ["29990"]},
        {"nom": "Kerguelen", "type": "commune-actuelle", "departement": "984"},  # no postcode
    ]
    codes = [
        {"codePostal": "62500", "codeCommune": "62765", "nomCommune": "Saint-Omer",
         "libelleAcheminement": "SAINT OMER"},
        {"codePostal": "29990", "codeCommune": "29083", "nomCommune": "Île-de-Sein",
         "libelleAcheminement": "ILE DE SEIN PRINCIPAL"},
    ]  # fmt: skip
    table = build_postcodes.build(
        package(tmp_path / "d.tgz", "data/communes.json", communes),
        package(tmp_path / "c.tgz", "codes-postaux.json", codes),
    )
    assert table == {
        "29990": (["29"], ["Île-de-Sein"], ["ILE DE SEIN PRINCIPAL"]),
        "62500": (["62"], ["Saint-Omer", "Tilques"], []),
    }
    target = tmp_path / "postcodes.tsv.gz"
    build_postcodes.write(table, target)
    monkeypatch.setattr(postcodes, "DATA_FILE", target)
    postcodes._table.cache_clear()
    try:
        assert towns_for("62500") == ["Saint-Omer", "Tilques"]
        assert message("FR", "29990", "Ile de Sein principal") is None
        assert message("FR", "62120", "Aire-sur-la-Lys")[0] == "postcode"
    finally:
        postcodes._table.cache_clear()


# ---- the directory services (back office, imports) ---------------------------------------------


def test_creating_an_organisation_with_6250_is_refused_and_writes_nothing(office, staff_user):
    with assert_refused(FIVE_DIGITS, field="postcode"):
        services.create_organisation(
            office, actor=staff_user, name="Gîte", address="1 rue", postcode="6250", city="Saint-Omer"
        )


def test_a_foreign_organisation_has_its_countrys_postcode(office, staff_user):
    organisation = services.create_organisation(
        office, actor=staff_user, name="Brasserie", address="1 Grand-Place", postcode="B-7500",
        city="Tournai", country="BE",
    )  # fmt: skip
    assert (organisation.postcode, organisation.country) == ("7500", "BE")
    with assert_refused(
        "Ce code postal n'a pas la forme de ceux de ce pays (par exemple 7500).", field="postcode"
    ):
        services.update_organisation(organisation, actor=staff_user, postcode="75000")
    with assert_refused("Choisissez un pays de la liste.", field="country"):
        services.update_organisation(organisation, actor=staff_user, country="XX")


def test_changing_the_town_alone_is_checked_against_the_postcode(office, staff_user):
    organisation = OrganisationFactory(office=office)  # 62500 Saint-Omer
    with assert_refused(ARQUES_IN_62500, field="city"):
        services.update_organisation(organisation, actor=staff_user, city="Arques")
    organisation.refresh_from_db()
    assert organisation.city == "Saint-Omer"
    services.update_organisation(organisation, actor=staff_user, postcode="62510", city="Arques")
    organisation.refresh_from_db()
    assert (organisation.postcode, organisation.city) == ("62510", "Arques")


def test_an_old_address_does_not_block_other_edits(office, staff_user):
    organisation = OrganisationFactory(office=office, postcode="6250")  # written before the check
    services.update_organisation(organisation, actor=staff_user, phone="03 21 98 08 51")
    assert Organisation.objects.get(pk=organisation.pk).phone == "+33321980851"


def test_an_establishment_is_checked_as_a_french_address(office, staff_user):
    organisation = OrganisationFactory(office=office)
    category = Category.objects.filter(office=office).first()
    fields = {"name": "Estaminet", "category": category, "address": "4 chemin", "postcode": "62500"}
    with assert_refused(ARQUES_IN_62500, field="city"):
        services.save_establishment(organisation, actor=staff_user, city="Arques", **fields)
    establishment = services.save_establishment(organisation, actor=staff_user, city="CLAIRMARAIS", **fields)
    assert (establishment.postcode, establishment.city) == ("62500", "CLAIRMARAIS")


# ---- the join form and its service -------------------------------------------------------------

JOIN_URL = "/saint-omer/adherer/"


def test_the_join_service_refuses_6250(submit):
    with assert_refused(FIVE_DIGITS, field="postcode"):
        submit(postcode="6250")
    with assert_refused(ARQUES_IN_62500, field="city"):
        submit(city="Arques")
    assert submit(postcode="62 510", city="ARQUES").membership.organisation.postcode == "62510"


def join_data(client, season, **overrides):
    import re

    html = client.get(JOIN_URL).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    data = {
        **{key: hidden[key] for key in ("charter_id", "cgv_id", "submission_key")},
        "establishment_name": "La Table du Marais",
        "first_name": "Louise",
        "last_name": "Vandenbussche",
        "address": "5 place du Vainquai",
        "postcode": "62500",
        "city": "Saint-Omer",
        "phone": "03 21 38 00 00",
        "email": "louise@table-marais.example",
        "siret": make_siret(),
        "category": Category.objects.get(office=season.office, slug="restauration").pk,
        "pack": season.offers.get(code="pack-partenaire").pk,
        "payment_method": "transfer",
        "accept_charter": "on",
        "accept_cgv": "on",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"postcode": "6250"}, "postcode", FIVE_DIGITS),
        ({"city": "Arques"}, "city", ARQUES_IN_62500),
    ],
)
def test_the_join_form_shows_the_postcode_error_on_its_field(client, season, overrides, field, expected):
    data = join_data(client, season, **overrides)
    before = row_counts()
    response = client.post(JOIN_URL, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [expected]}
    assert f'id="id_{field}_error"' in response.content.decode()
    assert row_counts() == before
    assert not Membership.objects.exists()


# ---- the espace pro, the back office, the office's own address ---------------------------------


def test_a_partners_listing_address_is_checked(client, partner):
    client.force_login(partner.user)
    listing = partner.listing
    keys = ("address", "postcode", "city", "phone", "email", "website", "booking_url")
    data = {key: snapshot(listing)[key] for key in keys}
    page_url = reverse(
        "portal:listing_contact", kwargs={"office_slug": "saint-omer", "listing_id": listing.pk}
    )
    before = row_counts()
    page = unescape(client.post(page_url, {**data, "postcode": "6250"}).content.decode())
    assert f'<ul class="errorlist" id="id_postcode_error"><li>{FIVE_DIGITS}</li>' in page
    page = unescape(client.post(page_url, {**data, "city": "Arques"}).content.decode())
    assert f'<ul class="errorlist" id="id_city_error"><li>{ARQUES_IN_62500}</li>' in page
    assert row_counts() == before
    client.post(page_url, {**data, "postcode": "62 510", "city": "Arques"})
    proposal = ChangeProposal.objects.get(listing=listing, status="pending")
    assert proposal.changes == {"postcode": "62510", "city": "Arques"}


def test_staff_editing_a_listing_are_checked_too(partner, staff_user):
    with assert_refused(ARQUES_IN_62500, field="city"):
        listing_services.edit_listing(partner.listing, changes={"city": "Arques"}, actor=staff_user)
    assert Listing.objects.get(pk=partner.listing.pk).establishment.city == "Saint-Omer"


def test_the_back_office_organisation_form_checks_the_postcode(client, staff_user, office):
    client.force_login(staff_user)
    page_url = reverse("backoffice:organisation_create", kwargs={"office_slug": "saint-omer"})
    data = {
        "name": "SAS Brasserie de l'Aa", "siren": "", "siret": "", "vat_number": "",
        "address": "1 rue du Canal", "postcode": "6250", "city": "Saint-Omer", "country": "FR",
        "email": "", "phone": "",
    }  # fmt: skip
    before = row_counts()
    response = client.post(page_url, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"postcode": [FIVE_DIGITS]}
    assert row_counts() == before
    response = client.post(page_url, {**data, "postcode": "1000", "city": "Bruxelles", "country": "BE"})
    assert response.status_code == 302
    assert Organisation.objects.get(name="SAS Brasserie de l'Aa").country == "BE"


def test_the_offices_own_address_is_checked(client, office, staff_user):
    from ensemble.accounts.models import StaffMembership
    from ensemble.accounts.roles import Role

    StaffMembership.objects.filter(user=staff_user).update(role=Role.DIRECTION)
    client.force_login(staff_user)
    page_url = reverse("backoffice:settings", kwargs={"office_slug": "saint-omer"})
    values = {name: getattr(office, name) for name in OFFICE_SETTINGS_FIELDS}
    values.update(postcode="6250", city="Saint-Omer")
    data = {"section": "office", **{f"office-{name}": value for name, value in values.items()}}
    response = client.post(page_url, data)
    assert response.status_code == 200
    assert FIVE_DIGITS in unescape(response.content.decode())
    office.refresh_from_db()
    assert office.postcode != "6250"
