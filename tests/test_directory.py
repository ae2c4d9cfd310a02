"""The directory's own rules: identifiers, phones, coordinates, notes, categories, isolation."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from stdnum import luhn

from ensemble.core.models import AuditEntry
from ensemble.directory import selectors, services
from ensemble.directory.models import Category, Establishment, Organisation

from .conftest import assert_refused
from .factories import ContactFactory, EstablishmentFactory, OrganisationFactory, make_siret

INVALID_SIRET = "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle incorrecte)."
INVALID_SIREN = "Ce numéro SIREN n'est pas valide (9 chiffres, clé de contrôle incorrecte)."
MISMATCH = "Le SIRET ne correspond pas au SIREN"
INVALID_PHONE = "Ce numéro de téléphone n'est pas valide."


def french_vat_number(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def other_siren() -> str:
    return make_siret()[:9]


def organisation(office, **fields) -> Organisation:
    values = {
        "office": office,
        "name": "SARL Les Marais",
        "address": "12 rue de Dunkerque",
        "postcode": "62500",
        "city": "Saint-Omer",
    }
    values.update(fields)
    return Organisation(**values)


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        instance.clean()
    return info.value.message_dict


# --- Organisation.clean -----------------------------------------------------------------------


def test_valid_siret_fills_the_siren(office):
    siret = make_siret()
    org = organisation(office, siret=f"{siret[:9]} {siret[9:]}")
    org.clean()
    assert (org.siret, org.siren) == (siret, siret[:9])


def test_invalid_siret_is_refused(office):
    assert errors_of(organisation(office, siret="12345678901234")) == {"siret": [INVALID_SIRET]}


def test_invalid_siren_is_refused(office):
    assert errors_of(organisation(office, siren="123456789"))["siren"] == [INVALID_SIREN]


def test_siret_of_another_siren_is_refused(office):
    org = organisation(office, siret=make_siret(), siren=other_siren())
    errors = errors_of(org)
    assert set(errors) == {"siret"}
    assert errors["siret"][0].startswith(MISMATCH)


def test_siret_matching_its_siren_is_accepted(office):
    siret = make_siret()
    org = organisation(office, siret=siret, siren=siret[:9])
    org.clean()
    assert org.siren == siret[:9]


def test_vat_number_is_validated_and_compacted(office):
    siret = make_siret()
    vat = french_vat_number(siret[:9])
    org = organisation(office, siret=siret, vat_number=f"{vat[:4]} {vat[4:7]} {vat[7:]}")
    org.clean()
    assert org.vat_number == vat


def test_invalid_vat_number_is_refused(office):
    siret = make_siret()
    wrong_key = french_vat_number(siret[:9])
    wrong_key = f"FR{(int(wrong_key[2:4]) + 1) % 97:02d}{siret[:9]}"
    assert errors_of(organisation(office, vat_number=wrong_key)) == {
        "vat_number": ["Ce numéro de TVA intracommunautaire n'est pas valide."]
    }


@pytest.mark.parametrize(
    ("entered", "stored"),
    [
        ("03 21 98 08 51", "+33321980851"),
        ("03.21.98.08.51", "+33321980851"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0032 2 555 12 12", "+3225551212"),
    ],
)
def test_organisation_phone_is_stored_in_e164(office, entered, stored):
    org = organisation(office, phone=entered)
    org.clean()
    assert org.phone == stored


@pytest.mark.parametrize("phone", ["03 21", "12345678901234567", "téléphone"])
def test_invalid_organisation_phone_is_refused(office, phone):
    assert errors_of(organisation(office, phone=phone)) == {"phone": [INVALID_PHONE]}


def test_all_errors_are_reported_together(office):
    errors = errors_of(organisation(office, siret="12345678901234", phone="03"))
    assert set(errors) == {"siret", "phone"}


# --- Establishment.clean ----------------------------------------------------------------------


def establishment(office, **fields) -> Establishment:
    return EstablishmentFactory.build(
        organisation=OrganisationFactory(office=office), office=office, **fields
    )


def test_establishment_phone_is_normalised_and_displayed_in_french(office):
    est = establishment(office, phone="0321980851")
    est.clean()
    assert est.phone == "+33321980851"
    assert est.phone_display == "03 21 98 08 51"


def test_invalid_establishment_phone_is_refused(office):
    assert errors_of(establishment(office, phone="0321")) == {"phone": [INVALID_PHONE]}


@pytest.mark.parametrize("latitude", ["90.000001", "-90.5", "180"])
def test_latitude_out_of_range_is_refused(office, latitude):
    assert errors_of(establishment(office, latitude=Decimal(latitude))) == {
        "latitude": ["La latitude doit être comprise entre -90 et 90."]
    }


@pytest.mark.parametrize("longitude", ["180.000001", "-181"])
def test_longitude_out_of_range_is_refused(office, longitude):
    assert errors_of(establishment(office, longitude=Decimal(longitude))) == {
        "longitude": ["La longitude doit être comprise entre -180 et 180."]
    }


@pytest.mark.parametrize(
    ("latitude", "longitude"), [("50.750000", "2.250000"), ("-90", "180"), ("90", "-180")]
)
def test_coordinates_in_range_are_accepted(office, latitude, longitude):
    est = establishment(office, latitude=Decimal(latitude), longitude=Decimal(longitude))
    est.clean()


# --- Timeline notes and categories ------------------------------------------------------------


def test_add_timeline_note_records_who_wrote_it(office, staff_user):
    org = OrganisationFactory(office=office)
    entry = services.add_timeline_note(
        org, kind="visit", summary="  Visite annuelle : nouvelles chambres  ", actor=staff_user
    )
    assert entry.action == "organisation.note_added"
    assert entry.data["summary"] == "Visite annuelle : nouvelles chambres"
    assert (entry.data["kind"], entry.actor, entry.office_id) == ("visit", staff_user, office.pk)
    assert list(selectors.timeline(org)) == [entry]


@pytest.mark.parametrize("summary", ["", "   "])
def test_add_timeline_note_requires_a_summary(office, staff_user, summary):
    org = OrganisationFactory(office=office)
    with assert_refused("Le résumé de la note est obligatoire.", field="summary"):
        services.add_timeline_note(org, kind="note", summary=summary, actor=staff_user)


@pytest.mark.parametrize("kind", ["status", "payment", "inconnu"])
def test_add_timeline_note_refuses_system_kinds(office, staff_user, kind):
    org = OrganisationFactory(office=office)
    with assert_refused("Type de note inconnu.", field="kind"):
        services.add_timeline_note(org, kind=kind, summary="Appel", actor=staff_user)
    assert not AuditEntry.objects.filter(organisation_id=org.pk).exists()


def test_default_categories_are_the_five_rubrics_of_the_guide(office):
    assert list(Category.objects.filter(office=office).values_list("slug", flat=True)) == [
        "hebergement",
        "restauration",
        "bars",
        "loisirs",
        "terroir",
    ]
    services.ensure_default_categories(office)
    assert Category.objects.filter(office=office).count() == 5


def test_create_category_adds_one_at_the_end(office, staff_user):
    category = services.create_category(office, name="Sites et monuments", name_en="Sights", actor=staff_user)
    assert (category.slug, category.position, category.office) == (
        "sites-et-monuments",
        5,
        office,
    )


@pytest.mark.parametrize("name", ["Hébergement", "hébergement", "  Hebergement "])
def test_create_category_refuses_duplicates(office, staff_user, name):
    with assert_refused("Cette catégorie existe déjà.", field="name"):
        services.create_category(office, name=name, actor=staff_user)


def test_create_category_requires_a_name(office, staff_user):
    with assert_refused("Le nom de la catégorie est obligatoire.", field="name"):
        services.create_category(office, name="  ", actor=staff_user)


def test_same_category_name_is_allowed_in_another_office(office, other_office, staff_user):
    services.create_category(office, name="Golf", actor=staff_user)
    services.create_category(other_office, name="Golf", actor=staff_user)
    assert Category.objects.filter(slug="golf").count() == 2


# --- find_known_organisation: per office ------------------------------------------------------


def test_find_known_organisation_by_siret_siren_or_contact_email(office):
    org = OrganisationFactory(office=office)
    ContactFactory(organisation=org, email="gerant@marais.example")
    sibling = org.siret[:9] + "0002"
    sibling += luhn.calc_check_digit(sibling)
    assert selectors.find_known_organisation(office, siret=org.siret, email="") == org
    assert selectors.find_known_organisation(office, siret=sibling, email="") == org
    assert selectors.find_known_organisation(office, siret="", email="GERANT@marais.example") == org
    assert selectors.find_known_organisation(office, siret=make_siret(), email="x@y.fr") is None
    assert selectors.find_known_organisation(office, siret="", email="") is None


def test_find_known_organisation_never_returns_another_office(office, other_office):
    foreign = OrganisationFactory(office=other_office)
    ContactFactory(organisation=foreign, email="gerant@aire.example")
    assert selectors.find_known_organisation(office, siret=foreign.siret, email="") is None
    assert selectors.find_known_organisation(office, siret="", email="gerant@aire.example") is None
    assert selectors.find_known_organisation(other_office, siret=foreign.siret, email="") == foreign


def test_organisation_selectors_are_scoped_to_the_office(office, other_office):
    ours = OrganisationFactory(office=office)
    theirs = OrganisationFactory(office=other_office)
    assert list(selectors.organisations(office)) == [ours]
    with pytest.raises(Organisation.DoesNotExist):
        selectors.organisation_detail(office, theirs.pk)
