"""The join form through HTTP: what a visitor sees and what a bad submission does."""

import re

import pytest
from django.core import mail

from ensemble.directory.models import Category, Organisation
from ensemble.memberships.models import Membership, Offer

from .factories import make_siret

JOIN_URL = "/saint-omer/adherer/"


def form_data(client, season, **overrides):
    html = client.get(JOIN_URL).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    category = Category.objects.get(office=season.office, slug="restauration")
    data = {
        "charter_id": hidden["charter_id"],
        "cgv_id": hidden["cgv_id"],
        "submission_key": hidden["submission_key"],
        "establishment_name": "La Table du Marais",
        "first_name": "Louise",
        "last_name": "Vandenbussche",
        "address": "5 place du Vainquai",
        "postcode": "62500",
        "city": "Saint-Omer",
        "phone": "03 21 38 00 00",
        "email": "louise@table-marais.example",
        "siret": make_siret(),
        "category": category.pk,
        "pack": Offer.objects.get(season=season, code="pack-partenaire").pk,
        "payment_method": "transfer",
        "accept_charter": "on",
        "accept_cgv": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_form_shows_charter_cgv_iban_and_catalogue(client, season):
    html = client.get(JOIN_URL).content.decode()
    assert "Communiquer régulièrement vos disponibilités" in html  # the charter, in full
    assert "ARTICLE 4 : RESILIATION DU CONTRAT" in html  # the CGV, in full
    assert "FR76 3000 6000 0112 3456 7890 189" in html  # the office's IBAN for transfers
    assert "Pack partenaire — 90\u00a0€ TTC" in html
    assert "Formation réseaux sociaux — 50\u00a0€ TTC par personne" in html
    assert "Pack gamification — sur devis" in html
    assert "SPL Tourisme en Pays de Saint-Omer" in html  # cheque payee


def test_valid_submission_creates_request_and_shows_summary(
    client, season, django_capture_on_commit_callbacks
):
    options = season.offers.get(code="formation-neerlandais")
    data = form_data(client, season, **{f"option_{options.pk}": "on", f"quantity_{options.pk}": "3"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(JOIN_URL, data, follow=True)
    assert response.redirect_chain[-1][0].endswith("/saint-omer/adherer/merci/")
    membership = Membership.objects.get()
    assert membership.amount_due == 240  # 90 + 3 × 50
    assert membership.acceptances.get(kind="cgv").ip_address == "127.0.0.1"
    html = response.content.decode()
    assert "240,00" in html or "240.00" in html
    assert "ADH-" in html  # transfer reference shown
    assert len(mail.outbox) == 1 and "/comptes/activer/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"siret": "12345678900000"}, "Ce numéro SIRET n&#x27;est pas valide"),
        ({"phone": "12"}, "Ce numéro de téléphone n&#x27;est pas valide."),
        ({"email": "pas-une-adresse"}, "Saisissez une adresse de courriel valide."),
        ({"accept_charter": None}, "Vous devez accepter la charte pour adhérer."),
        ({"accept_cgv": None}, "Vous devez accepter les CGV pour adhérer."),
        ({"establishment_name": "x" * 201}, "au plus 200 caractères"),
        ({"option_999999": "on"}, "Cette prestation ne fait pas partie du catalogue"),
    ],
)
def test_bad_input_gets_french_message_and_creates_nothing(client, season, overrides, message):
    response = client.post(JOIN_URL, form_data(client, season, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Membership.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_zero_and_negative_quantity_refused(client, season):
    training = season.offers.get(code="formation-anglais")
    for quantity in ("0", "-2"):
        data = form_data(
            client, season, **{f"option_{training.pk}": "on", f"quantity_{training.pk}": quantity}
        )
        response = client.post(JOIN_URL, data)
        assert "supérieure ou égale à 1" in response.content.decode()
    assert Membership.objects.count() == 0


def test_option_of_another_season_refused(client, season, other_season):
    foreign = other_season.offers.get(code="photos-10")
    response = client.post(JOIN_URL, form_data(client, season, **{f"option_{foreign.pk}": "on"}))
    assert "ne fait pas partie du catalogue" in response.content.decode()
    assert Membership.objects.count() == 0


def test_second_submission_of_the_same_form_creates_no_duplicate(client, season):
    data = form_data(client, season)
    client.post(JOIN_URL, data)
    client.post(JOIN_URL, data)
    assert Membership.objects.count() == 1
    assert Organisation.objects.count() == 1


def test_markup_is_stored_as_text_and_escaped(client, season):
    data = form_data(client, season, establishment_name="<script>alert(1)</script> Bar")
    response = client.post(JOIN_URL, data, follow=True)
    # Plain text by the one rule (core/text.py): the script and its content are dropped.
    assert Organisation.objects.get().name == "Bar"
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_known_siret_attaches_and_says_so(client, season):
    first = form_data(client, season)
    client.post(JOIN_URL, first)
    Membership.objects.update(status="refused")
    second = form_data(client, season, siret=first["siret"], email="autre@table-marais.example")
    response = client.post(JOIN_URL, second, follow=True)
    assert Organisation.objects.count() == 1
    assert "votre demande y a été rattachée" in response.content.decode()


def test_closed_season_shows_closed_message(client, season):
    season.is_open_for_joining = False
    season.save()
    assert "ne sont pas ouvertes" in client.get(JOIN_URL).content.decode()


def test_unknown_office_is_404(client, season):
    assert client.get("/nulle-part/adherer/").status_code == 404


def test_office_on_its_own_host_serves_the_form_without_prefix(client, season):
    season.office.domain = "partenaires.tourisme-saintomer.example"
    season.office.save()
    response = client.get("/adherer/", HTTP_HOST="partenaires.tourisme-saintomer.example")
    assert response.status_code == 200
    assert "adhésion 2022" in response.content.decode()
    home = client.get("/", HTTP_HOST="partenaires.tourisme-saintomer.example")
    assert "Devenez partenaire 2022" in home.content.decode()
    # the deployment's own paths are not swallowed by the office
    login = client.get("/comptes/login/", HTTP_HOST="partenaires.tourisme-saintomer.example")
    assert login.status_code == 200


def test_activation_link_sets_password_and_verifies_email(client, season, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(JOIN_URL, form_data(client, season))
    link = re.search(r"/comptes/activer/\S+/\S+/", mail.outbox[0].body).group(0)
    response = client.post(link, {"password1": "Marais-audomarois-22", "password2": "Marais-audomarois-22"})
    assert response.status_code == 302
    user = Membership.objects.get().applicant
    user.refresh_from_db()
    assert user.check_password("Marais-audomarois-22")
    assert user.emailaddress_set.get().verified
    # the link works once
    again = client.get(link)
    assert "plus valable" in again.content.decode()
