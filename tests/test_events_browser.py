"""In Chromium: a partner proposes an event (dates typed in datetime-local fields), staff approve
it, and it is on the public agenda and its page. axe-core checks every page on the way (WCAG 2.1
A/AA); screenshots go to var/screenshots/."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from ensemble.events.models import Event

from .browser import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
PARIS = ZoneInfo("Europe/Paris")


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def checked(page, name: str) -> None:
    assert_accessible(page)
    screenshot(page, name)


def test_a_partners_event_is_proposed_approved_and_public(
    browser, live_server, make_membership, office, staff_user
):
    from types import SimpleNamespace

    from .conftest import verified

    # Only a partner whose membership is live has its events on the public agenda.
    membership = make_membership("active", email="ines@estaminet.example", establishment_name="L'Estaminet")
    partner = SimpleNamespace(user=verified(membership.applicant))
    with_password(partner.user)
    with_password(staff_user)
    base = f"{live_server.url}/{office.slug}"

    page = browser.new_page(locale="fr-FR")
    log_in(page, live_server, partner.user, PASSWORD)
    page.goto(f"{base}/espace-pro/evenements/")
    checked(page, "espace-pro-evenements")
    page.get_by_role("link", name="Proposer un événement").click()
    page.get_by_label("Titre (français)").fill("Balade contée dans le marais")
    page.get_by_label("Titre (anglais)").fill("Storytelling walk in the marshes")
    page.get_by_label("Résumé (français)").fill("Légendes du marais, au fil de l'eau.")
    page.get_by_label("Catégorie").select_option("visit")
    page.get_by_label("Début").fill("2023-01-21T15:00")
    page.get_by_label("Fin", exact=True).fill("2023-01-21T14:00")  # before the start: refused
    page.get_by_label("Tarifs (français)", exact=True).fill("6 €")
    page.get_by_role("button", name="Envoyer à l'office").click()
    assert page.get_by_text("La fin de l'événement précède son début.").is_visible()
    checked(page, "espace-pro-evenement-erreur")
    page.get_by_label("Fin", exact=True).fill("2023-01-21T17:00")
    page.get_by_role("button", name="Envoyer à l'office").click()
    page.wait_for_load_state()
    assert "En attente de validation" in page.content()
    event = Event.objects.get(title_fr="Balade contée dans le marais")
    assert event.starts_at == datetime.datetime(2023, 1, 21, 15, tzinfo=PARIS)

    staff = browser.new_page(locale="fr-FR")
    log_in(staff, live_server, staff_user, PASSWORD)
    staff.goto(f"{base}/gestion/agenda/a-moderer/")
    checked(staff, "gestion-agenda-a-moderer")
    staff.get_by_role("link", name="Balade contée dans le marais").click()
    checked(staff, "gestion-agenda-evenement")
    staff.get_by_role("button", name="Valider et publier").click()
    staff.wait_for_load_state()
    staff.goto(f"{base}/gestion/agenda/")
    checked(staff, "gestion-agenda")

    public = browser.new_page(locale="fr-FR")
    public.goto(f"{base}/agenda/")
    checked(public, "agenda")
    public.get_by_role("link", name="Balade contée dans le marais").click()
    assert "samedi 21 janvier 2023, 15:00" in public.content()
    checked(public, "agenda-evenement")
    public.goto(f"{base}/agenda/?du=2023-13-01")
    checked(public, "agenda-filtre-invalide")
