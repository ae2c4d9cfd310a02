"""End to end in a real Chromium: a business joins online, sets its password, staff validate and
record the cheque, and the membership is active."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.utils import timezone

from ensemble.memberships.models import Membership

from .browser import assert_accessible, log_in, screenshot
from .factories import make_siret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_join_form(page, siret: str) -> None:
    page.get_by_label("Enseigne").fill("Le Moulin des Marais")
    page.get_by_label("Catégorie").select_option(label="Hébergement")
    page.get_by_label("SIRET").fill(siret)
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Nom", exact=True).fill("Delannoy")
    page.get_by_label("Adresse", exact=True).fill("3 rue de l'Écusserie")
    page.get_by_label("Code postal").fill("62500")
    page.get_by_label("Ville").fill("Saint-Omer")
    page.get_by_label("Téléphone").fill("03 21 12 34 56")
    page.get_by_label("E-mail").fill("camille@moulin.example")
    page.get_by_label(re.compile("^Formation réseaux sociaux")).check()
    page.get_by_label("Nombre de personnes — Formation réseaux sociaux").fill("2")
    page.get_by_label("Chèque").check()
    page.get_by_label(re.compile("charte du « Club Partenaire »")).check()
    page.get_by_label(re.compile("j'accepte les conditions générales")).check()


def test_join_validate_pay_active(browser, live_server, season, staff_user):
    page = browser.new_page(locale="fr-FR")
    page.goto(f"{live_server.url}/saint-omer/adherer/")
    assert_accessible(page)

    # A mistake first: the form says what is wrong, in French, and keeps what was typed.
    fill_join_form(page, siret="12345678900000")
    page.get_by_role("button", name="Envoyer ma demande d'adhésion").click()
    page.get_by_text("Ce numéro SIRET n'est pas valide").first.wait_for()
    assert Membership.objects.count() == 0
    assert_accessible(page)

    page.get_by_label("SIRET").fill(make_siret())
    page.get_by_label(re.compile("charte du « Club Partenaire »")).check()
    page.get_by_label(re.compile("j'accepte les conditions générales")).check()
    page.get_by_role("button", name="Envoyer ma demande d'adhésion").click()
    page.get_by_role("heading", name="Merci, votre demande d'adhésion est bien reçue").wait_for()
    assert "190,00" in page.content() or "190.00" in page.content()
    screenshot(page, "join-thanks")

    # The person chooses a password from the confirmation e-mail.
    link = re.search(r"https?://\S+/comptes/activer/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + urlparse(link).path)
    page.get_by_label("Mot de passe", exact=True).fill("Marais-audomarois-2022")
    page.get_by_label("Confirmez le mot de passe").fill("Marais-audomarois-2022")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    page.get_by_role("link", name=re.compile("Saint-Omer")).first.wait_for()

    # Staff validate the request and record the cheque.
    staff = browser.new_page(locale="fr-FR")
    log_in(staff, live_server, staff_user)
    staff.goto(f"{live_server.url}/saint-omer/gestion/adhesions/")
    staff.get_by_role("link", name="Le Moulin des Marais").first.click()
    staff.get_by_role("button", name="Valider la demande").click()
    staff.get_by_label("Montant").fill("190,00")
    staff.get_by_label("Date de réception").fill(timezone.localdate().isoformat())
    staff.get_by_label("Mode de règlement").select_option(label="Chèque")
    staff.get_by_label("N° de chèque").fill("7654321")
    staff.get_by_role("button", name="Enregistrer le règlement").click()
    staff.get_by_text("Active", exact=True).first.wait_for()
    screenshot(staff, "membership-active")

    membership = Membership.objects.get()
    assert membership.status == Membership.Status.ACTIVE
    # The pack's training seat and the options' seats are separate rights (three seats in all).
    trainings = membership.entitlements.filter(kind="training")
    assert trainings.count() > 1 and sum(e.quantity for e in trainings) == 3
