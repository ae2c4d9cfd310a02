"""Paramètres de l'office: the seller printed on invoices and the billing settings.

The services validate (SIRET, VAT number, IBAN and BIC with python-stdnum and schwifty; payment
terms, penalty rate, recovery indemnity and reminder days by their rules); a refusal is one French
message on its field and nothing is written. Only a manager of the office changes the settings;
other staff read them; another office's staff get a 404. An invoice keeps the seller of its day.
"""

from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from stdnum.fr import tva

from ensemble.accounts.models import StaffMembership
from ensemble.accounts.roles import Role
from ensemble.billing import services as billing_services
from ensemble.billing.amounts import LineInput
from ensemble.billing.models import BillingProfile, Invoice
from ensemble.core.errors import EnsembleError
from ensemble.core.models import Office
from ensemble.core.services import OFFICE_SETTINGS_FIELDS, update_office_settings

from .browser import assert_accessible, log_in, screenshot
from .conftest import verified
from .factories import OrganisationFactory, StaffFactory, UserFactory, make_siret

SLUG = "saint-omer"
BAD_IBAN = "FR7630006000011234567890188"  # the factory's IBAN with a wrong check
NEW_IBAN = "FR1420041010050500013M02606"
NEW_IBAN_GROUPED = "FR14 2004 1010 0505 0001 3M02 606"
ERROR_TITLE = "Le formulaire contient des erreurs : corrigez les champs signalés."
IBAN_ERROR = "Cet IBAN n'est pas valide."
BIC_ERROR = "Ce BIC n'est pas valide."
SIRET_ERROR = "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle incorrecte)."
VAT_ERROR = "Ce numéro de TVA intracommunautaire n'est pas valide."
VAT_MISMATCH = (
    "Ce numéro de TVA ne correspond pas au SIRET : il se termine par le SIREN "
    "(les 9 premiers chiffres du SIRET)."
)
TERMS_ERROR = "Le délai de paiement doit être un nombre entier de jours entre 0 et 120."
RATE_ERROR = "Le taux des pénalités de retard doit être compris entre 0 et 100 %."
INDEMNITY_ERROR = (
    "L'indemnité forfaitaire de recouvrement ne peut pas être inférieure à 40,00 € (minimum légal)."
)
OFFSETS_FORMAT = "Indiquez les relances en nombres de jours séparés par des virgules, par exemple 15,30."
OFFSETS_RANGE = "Chaque relance a lieu entre 1 et 365 jours après l'échéance."
OFFSETS_COUNT = "Indiquez de 1 à 4 relances."


def url(office_slug: str = SLUG) -> str:
    return reverse("backoffice:settings", kwargs={"office_slug": office_slug})


def vat_of(siret: str) -> str:
    """The French VAT number of the SIRET's company: FR, the key, the SIREN."""
    siren = siret[:9]
    number = f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
    assert tva.is_valid(number)
    return number


def stored_office(office: Office) -> dict:
    return model_to_dict(Office.objects.get(pk=office.pk))


def stored_profile(profile: BillingProfile) -> dict:
    return model_to_dict(BillingProfile.objects.get(pk=profile.pk))


@pytest.fixture
def profile(office):
    return billing_services.billing_profile(office)


@pytest.fixture
def manager(office):
    user = UserFactory(email="responsable@saint-omer.example")
    StaffFactory(office=office, user=user, role=Role.DIRECTION)
    return verified(user)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    """A member of the partner-relations team: reads the settings, may not change them."""
    StaffMembership.objects.filter(user=staff_user).update(role=Role.PARTNERS)
    client.force_login(staff_user)
    return client


def office_data(office: Office, **overrides) -> dict:
    """The office form as the page fills it, with `overrides`, under its prefix."""
    data = {name: getattr(office, name) for name in OFFICE_SETTINGS_FIELDS}
    data.update(overrides)
    return {"section": "office", **{f"office-{name}": value for name, value in data.items()}}


def billing_data(**overrides) -> dict:
    data = {
        "payment_terms_days": "30",
        "late_penalty_rate": "12,00",
        "recovery_indemnity": "40,00",
        "vat_on_debits": "",
        "reminder_offsets": "15,30",
    }
    data.update(overrides)
    return {"section": "billing", **{f"billing-{name}": value for name, value in data.items()}}


def assert_error_shown(response, field: str, message: str) -> None:
    """The page comes back with the French message tied to its (prefixed) field."""
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert message in html
    assert ERROR_TITLE in html
    assert f'aria-describedby="id_{field}_error' in html
    assert f'id="id_{field}_error"' in html
    assert "<title>Erreur :" in html


def free_invoice(office, actor) -> Invoice:
    organisation = OrganisationFactory(office=office, name="SARL Les Jardins du Haut-Pont")
    lines = [
        LineInput(
            label="Visite VIP", quantity=Decimal("1"), vat_rate=Decimal("20"), unit_price_ttc=Decimal("120")
        )
    ]
    draft = billing_services.create_draft(organisation, lines=lines, actor=actor)
    return billing_services.issue_invoice(draft, actor=actor)


# --- The office's identity: the service ----------------------------------------------------------


def test_update_office_settings_checks_normalises_and_writes_the_changed_fields(office, manager):
    siret = make_siret()
    with CaptureQueriesContext(connection) as queries:
        changed = update_office_settings(
            office,
            actor=manager,
            name=office.name,  # unchanged: not written
            legal_form="SPL",
            share_capital="150 000 €",
            siret=f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}",
            vat_number=vat_of(siret).lower(),
            rcs="RCS Boulogne-sur-Mer " + siret[:9],
            iban=NEW_IBAN_GROUPED,
            bic="psstfrpplil",
        )
    assert changed == ["legal_form", "share_capital", "siret", "vat_number", "rcs", "iban", "bic"]
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert '"legal_form"' in updates[0]
    assert '"name"' not in updates[0] and '"city"' not in updates[0]
    stored = Office.objects.get(pk=office.pk)
    assert (stored.siret, stored.vat_number, stored.iban, stored.bic) == (
        siret,
        vat_of(siret),
        NEW_IBAN,
        "PSSTFRPPLIL",
    )
    assert stored.name == "Office de Tourisme du Pays de Saint-Omer"
    assert (office.iban, office.legal_form) == (NEW_IBAN, "SPL")  # the caller's instance follows


def test_update_office_settings_without_change_writes_nothing(office, manager):
    with CaptureQueriesContext(connection) as queries:
        changed = update_office_settings(office, actor=manager, city=" Saint-Omer ", iban=office.iban)
    assert changed == []
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"iban": BAD_IBAN}, "iban", IBAN_ERROR),
        ({"iban": "FR76"}, "iban", IBAN_ERROR),
        ({"bic": "AGRI12PP"}, "bic", BIC_ERROR),
        ({"bic": "ZZZZ"}, "bic", BIC_ERROR),
        ({"siret": "12345678901234"}, "siret", SIRET_ERROR),
        ({"siret": "1234567890"}, "siret", SIRET_ERROR),
        ({"vat_number": "FR00000000000"}, "vat_number", VAT_ERROR),
        ({"vat_number": "FR 12 345"}, "vat_number", VAT_ERROR),
        ("mismatch", "vat_number", VAT_MISMATCH),
        ({"email": "pas-une-adresse"}, "email", "Saisissez une adresse de courriel valide."),
        ({"name": "  "}, "name", "Ce champ ne peut pas être vide."),
    ],
)
def test_update_office_settings_bad_input_changes_nothing(office, manager, fields, field, message):
    if fields == "mismatch":  # two valid numbers of two different companies
        fields = {"siret": make_siret(), "vat_number": vat_of(make_siret())}
    before = stored_office(office)
    with pytest.raises(EnsembleError) as info:
        update_office_settings(office, actor=manager, city="Arques", legal_form="SAS", **fields)
    assert (info.value.message, info.value.field) == (message, field)
    assert stored_office(office) == before
    assert (office.city, office.legal_form) == ("Saint-Omer", "")  # nor in memory


def test_update_office_settings_refuses_fields_that_are_not_settings(office, manager):
    before = stored_office(office)
    with pytest.raises(TypeError):
        update_office_settings(office, actor=manager, slug="ailleurs", city="Arques")
    assert stored_office(office) == before


# --- Billing settings: the service ----------------------------------------------------------------


def test_update_billing_profile(profile, manager):
    changed = billing_services.update_billing_profile(
        profile,
        actor=manager,
        payment_terms_days=45,
        late_penalty_rate=Decimal("10.5"),
        recovery_indemnity=Decimal("40"),  # unchanged (40.00)
        vat_on_debits=True,
        reminder_offsets=" 30, 10 ,30",
    )
    assert changed == ["payment_terms_days", "late_penalty_rate", "vat_on_debits", "reminder_offsets"]
    stored = BillingProfile.objects.get(pk=profile.pk)
    assert stored.payment_terms_days == 45
    assert stored.late_penalty_rate == Decimal("10.50")
    assert stored.recovery_indemnity == Decimal("40.00")
    assert stored.vat_on_debits is True
    assert stored.reminder_offsets == "10,30"  # sorted, without the repeated day
    assert stored.reminder_days == [10, 30]
    assert profile.reminder_offsets == "10,30"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"recovery_indemnity": Decimal("30")}, "recovery_indemnity", INDEMNITY_ERROR),
        ({"recovery_indemnity": "39.99"}, "recovery_indemnity", INDEMNITY_ERROR),
        ({"recovery_indemnity": "quarante"}, "recovery_indemnity", INDEMNITY_ERROR),
        (
            {"recovery_indemnity": Decimal("40.005")},
            "recovery_indemnity",
            "Assurez-vous qu’il n’y a pas plus de 2 chiffres après la virgule.",
        ),
        ({"reminder_offsets": "abc"}, "reminder_offsets", OFFSETS_FORMAT),
        ({"reminder_offsets": "15;30"}, "reminder_offsets", OFFSETS_FORMAT),
        ({"reminder_offsets": "-5"}, "reminder_offsets", OFFSETS_FORMAT),
        ({"reminder_offsets": "0"}, "reminder_offsets", OFFSETS_RANGE),
        ({"reminder_offsets": "400"}, "reminder_offsets", OFFSETS_RANGE),
        ({"reminder_offsets": "15,366"}, "reminder_offsets", OFFSETS_RANGE),
        ({"reminder_offsets": ""}, "reminder_offsets", OFFSETS_COUNT),
        ({"reminder_offsets": "5,10,15,30,60"}, "reminder_offsets", OFFSETS_COUNT),
        ({"payment_terms_days": 121}, "payment_terms_days", TERMS_ERROR),
        ({"payment_terms_days": -1}, "payment_terms_days", TERMS_ERROR),
        ({"payment_terms_days": "trente"}, "payment_terms_days", TERMS_ERROR),
        ({"late_penalty_rate": Decimal("100.01")}, "late_penalty_rate", RATE_ERROR),
        ({"late_penalty_rate": Decimal("-1")}, "late_penalty_rate", RATE_ERROR),
        ({"late_penalty_rate": 12.5}, "late_penalty_rate", RATE_ERROR),  # no float near money
    ],
)
def test_update_billing_profile_bad_input_changes_nothing(profile, manager, fields, field, message):
    before = stored_profile(profile)
    with pytest.raises(EnsembleError) as info:
        # A valid change beside the bad one: it is not written either.
        billing_services.update_billing_profile(
            profile, actor=manager, **{"vat_on_debits": True, "payment_terms_days": 60, **fields}
        )
    assert (info.value.message, info.value.field) == (message, field)
    assert stored_profile(profile) == before
    assert (profile.payment_terms_days, profile.vat_on_debits) == (30, False)


def test_update_billing_profile_limits_are_allowed(profile, manager):
    billing_services.update_billing_profile(
        profile,
        actor=manager,
        payment_terms_days=0,
        late_penalty_rate=Decimal("100"),
        recovery_indemnity=Decimal("40.00"),
        reminder_offsets="1,2,3,365",
    )
    stored = BillingProfile.objects.get(pk=profile.pk)
    assert (stored.payment_terms_days, stored.late_penalty_rate, stored.reminder_offsets) == (
        0,
        Decimal("100.00"),
        "1,2,3,365",
    )


# --- Invoices keep the seller of the day they were issued --------------------------------------


def test_invoices_issued_after_a_change_see_it_and_earlier_ones_do_not(office, profile, manager, staff_user):
    before = free_invoice(office, staff_user)
    assert before.seller["iban"] == "FR7630006000011234567890189"
    frozen = dict(before.seller)
    siret = make_siret()

    update_office_settings(
        office,
        actor=manager,
        name="Office de Tourisme de la Région de Saint-Omer",
        legal_form="SPL",
        share_capital="150 000 €",
        siret=siret,
        vat_number=vat_of(siret),
        rcs="RCS Boulogne-sur-Mer",
        address="4 rue du Lion d'Or",
        iban=NEW_IBAN,
        bic="PSSTFRPPLIL",
    )
    billing_services.update_billing_profile(
        profile, actor=manager, payment_terms_days=45, recovery_indemnity=Decimal("50")
    )
    snapshot = billing_services.seller_snapshot(Office.objects.get(pk=office.pk))
    assert (snapshot["iban"], snapshot["siret"], snapshot["recovery_indemnity"]) == (NEW_IBAN, siret, "50.00")

    after = free_invoice(office, staff_user)
    assert after.seller["name"] == "Office de Tourisme de la Région de Saint-Omer"
    assert (after.seller["legal_form"], after.seller["share_capital"]) == ("SPL", "150 000 €")
    assert (after.seller["siret"], after.seller["vat_number"]) == (siret, vat_of(siret))
    assert (after.seller["address"], after.seller["iban"], after.seller["bic"]) == (
        "4 rue du Lion d'Or",
        NEW_IBAN,
        "PSSTFRPPLIL",
    )
    assert after.seller["recovery_indemnity"] == "50.00"
    assert (after.due_date - after.issue_date).days == 45

    before = Invoice.objects.get(pk=before.pk)
    assert before.seller == frozen
    assert before.seller["iban"] == "FR7630006000011234567890189"
    assert before.seller["siret"] == "80012345700015"  # the factory's office (tests/factories.py)
    assert before.seller["recovery_indemnity"] == "40.00"
    assert (before.due_date - before.issue_date).days == 30


# --- The page: who may see and change it --------------------------------------------------------


def test_anonymous_is_sent_to_login(client, office):
    for response in (client.get(url()), client.post(url(), billing_data())):
        assert response.status_code == 302
        assert response.url.startswith("/comptes/login/")


def test_other_office_staff_get_404(client, office, profile, other_staff_user):
    client.force_login(other_staff_user)
    before = stored_office(office), stored_profile(profile)
    assert client.get(url()).status_code == 404
    assert client.post(url(), office_data(office, city="Arques")).status_code == 404
    assert client.post(url(), billing_data(payment_terms_days="45")).status_code == 404
    assert (stored_office(office), stored_profile(profile)) == before
    assert client.get(url("aire-sur-la-lys")).status_code == 200  # their own office's page


def test_partner_gets_404(client, office):
    client.force_login(verified(UserFactory(email="gerant@grange.example")))
    assert client.get(url()).status_code == 404


def test_staff_who_are_not_managers_read_the_settings(staff_client, office, profile):
    response = staff_client.get(url())
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Seule la direction de l'office peut modifier ces paramètres." in html
    assert (
        f'<dd class="iban"><span class="terms-full">{"FR76 3000 6000 0112 3456 7890 189"}</span></dd>' in html
    )
    assert "SPL Tourisme en Pays de Saint-Omer" in html
    assert "<dt>Relances (jours après l'échéance)</dt>" in html and "<dd>15,30</dd>" in html
    assert "<dd>40,00</dd>" in html and "<dd>Non</dd>" in html
    assert 'name="section"' not in html and 'name="office-iban"' not in html
    assert 'aria-current="page">Paramètres</a>' in html


def test_staff_who_are_not_managers_cannot_change_them(staff_client, office, profile):
    before = stored_office(office), stored_profile(profile)
    assert staff_client.post(url(), office_data(office, iban=NEW_IBAN)).status_code == 403
    assert staff_client.post(url(), billing_data(payment_terms_days="45")).status_code == 403
    assert (stored_office(office), stored_profile(profile)) == before


def test_manager_sees_both_forms(manager_client, office):
    response = manager_client.get(url())
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Seule la direction" not in html
    assert html.count('name="section"') == 2
    assert '<label for="id_office-iban">IBAN (facultatif)</label>' in html
    assert 'value="FR76 3000 6000 0112 3456 7890 189"' in html  # grouped by 4 in the form too
    assert '<label for="id_billing-reminder_offsets">' in html
    assert 'aria-describedby="id_billing-recovery_indemnity_helptext"' in html
    assert "Enregistrer les informations de l'office" in html
    assert "Enregistrer les paramètres de facturation" in html


def test_nav_links_to_the_settings(staff_client, office):
    html = staff_client.get(reverse("backoffice:dashboard", kwargs={"office_slug": SLUG})).content.decode()
    assert f'<a href="{url()}">Paramètres</a>' in html


# --- The page: changing the settings ------------------------------------------------------------


def test_manager_changes_the_office(manager_client, office):
    siret = make_siret()
    data = office_data(
        office,
        legal_form="SPL",
        siret=f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}",
        vat_number=vat_of(siret),
        iban=NEW_IBAN_GROUPED,
        bic="PSSTFRPPLIL",
    )
    response = manager_client.post(url(), data, follow=True)
    assert response.redirect_chain == [(url(), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Les informations de l'office sont enregistrées."
    ]
    stored = Office.objects.get(pk=office.pk)
    assert (stored.legal_form, stored.siret, stored.iban, stored.bic) == (
        "SPL",
        siret,
        NEW_IBAN,
        "PSSTFRPPLIL",
    )
    assert f'value="{NEW_IBAN_GROUPED}"' in response.content.decode()


def test_manager_changes_the_billing_settings(manager_client, profile):
    data = billing_data(
        payment_terms_days="45",
        late_penalty_rate="10,5",
        recovery_indemnity="50,00",
        vat_on_debits="on",
        reminder_offsets="10, 20, 40",
    )
    response = manager_client.post(url(), data, follow=True)
    assert response.redirect_chain == [(url(), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Les paramètres de facturation sont enregistrés."
    ]
    stored = BillingProfile.objects.get(pk=profile.pk)
    assert stored.payment_terms_days == 45
    assert stored.late_penalty_rate == Decimal("10.50")
    assert stored.recovery_indemnity == Decimal("50.00")
    assert stored.vat_on_debits is True
    assert stored.reminder_offsets == "10,20,40"


def test_sending_the_page_unchanged_writes_nothing(manager_client, office, profile):
    before = stored_office(office), stored_profile(profile)
    page = manager_client.get(url())
    for form in (page.context["office_form"], page.context["billing_form"]):
        data = {"section": form.prefix}
        data.update({bound.html_name: bound.value() if bound.value() is not None else "" for bound in form})
        data = {k: v for k, v in data.items() if v is not False}  # an unticked box is not sent
        response = manager_client.post(url(), data, follow=True)
        assert [str(m) for m in response.context["messages"]] == ["Aucune modification à enregistrer."]
    assert (stored_office(office), stored_profile(profile)) == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"iban": BAD_IBAN}, "iban", IBAN_ERROR),
        ({"bic": "AGRI12PP"}, "bic", BIC_ERROR),
        ({"siret": "123 456 789 01234"}, "siret", SIRET_ERROR),
        ({"vat_number": "FR00000000000"}, "vat_number", VAT_ERROR),
        ({"email": "relations@"}, "email", "Saisissez une adresse de courriel valide."),
        ({"name": ""}, "name", "Ce champ est obligatoire."),
    ],
)
def test_office_bad_input_is_shown_and_changes_nothing(manager_client, office, overrides, field, message):
    before = stored_office(office)
    response = manager_client.post(url(), office_data(office, legal_form="SAS", **overrides))
    assert_error_shown(response, f"office-{field}", message)
    assert stored_office(office) == before
    html = response.content.decode()
    assert 'name="office-legal_form" value="SAS"' in html  # what was typed is kept
    assert 'name="billing-reminder_offsets" value="15,30"' in html  # the other form shows the stored values


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"recovery_indemnity": "30"}, "recovery_indemnity", INDEMNITY_ERROR),
        ({"recovery_indemnity": "30,00 €"}, "recovery_indemnity", INDEMNITY_ERROR),
        ({"reminder_offsets": "abc"}, "reminder_offsets", OFFSETS_FORMAT),
        ({"reminder_offsets": "0"}, "reminder_offsets", OFFSETS_RANGE),
        ({"reminder_offsets": "400"}, "reminder_offsets", OFFSETS_RANGE),
        ({"payment_terms_days": "150"}, "payment_terms_days", TERMS_ERROR),
        ({"late_penalty_rate": "120"}, "late_penalty_rate", RATE_ERROR),
        ({"payment_terms_days": "trente"}, "payment_terms_days", "Saisissez un nombre entier."),
    ],
)
def test_billing_bad_input_is_shown_and_changes_nothing(manager_client, profile, overrides, field, message):
    before = stored_profile(profile)
    response = manager_client.post(url(), billing_data(vat_on_debits="on", **overrides))
    assert_error_shown(response, f"billing-{field}", message)
    assert stored_profile(profile) == before


def test_unknown_section_is_a_bad_request(manager_client, office):
    before = stored_office(office)
    assert (
        manager_client.post(url(), {**office_data(office, city="Arques"), "section": "x"}).status_code == 400
    )
    assert stored_office(office) == before


def test_page_in_english(manager_client, office):
    html = unescape(manager_client.get(url(), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    for text in (
        "Office settings",
        "Save the office's details",
        "Reminders (days after the due date)",
        ">Settings<",
    ):
        assert text in html


# --- In a real Chromium: axe-core on the page, errors included, and read-only ---------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_settings_page_is_accessible(browser, live_server, office, manager, staff_user):
    page = browser.new_page(locale="fr-FR")
    log_in(page, live_server, manager)
    page.goto(f"{live_server.url}{url()}")
    assert_accessible(page)
    screenshot(page, "bo-settings")

    page.get_by_label("IBAN (facultatif)").fill(BAD_IBAN)
    page.get_by_role("button", name="Enregistrer les informations de l'office").click()
    page.get_by_text(IBAN_ERROR).wait_for()
    assert page.get_by_label("IBAN (facultatif)").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    screenshot(page, "bo-settings-error")
    assert Office.objects.get(pk=office.pk).iban == "FR7630006000011234567890189"

    page.get_by_label("Relances (jours après l'échéance)").fill("10,20")
    page.get_by_role("button", name="Enregistrer les paramètres de facturation").click()
    page.get_by_text("Les paramètres de facturation sont enregistrés.").wait_for()
    assert BillingProfile.objects.get(office=office).reminder_offsets == "10,20"

    page.context.clear_cookies()
    StaffMembership.objects.filter(user=staff_user).update(role=Role.PARTNERS)
    log_in(page, live_server, staff_user)
    page.goto(f"{live_server.url}{url()}")
    page.get_by_text("Seule la direction de l'office").wait_for()
    assert_accessible(page)
    screenshot(page, "bo-settings-read-only")
