"""Part 5 in a real Chromium: the team page, the audit log, the personal-data page and the refusal
page pass axe-core (WCAG 2.1 A/AA) and work as staff use them."""

import pytest

from ensemble.accounts.models import StaffMembership
from ensemble.accounts.roles import Role
from ensemble.core.models import AuditEntry

from .browser import assert_accessible, log_in, screenshot
from .conftest import verified
from .factories import StaffFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_direction_invites_changes_a_role_and_reads_the_log(browser, live_server, staff_user, partner):
    page = browser.new_page(locale="fr-FR")
    log_in(page, live_server, staff_user)
    base = f"{live_server.url}/saint-omer/gestion"

    page.goto(f"{base}/equipe/")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill("lea.roussel@saint-omer.example")
    page.get_by_label("Rôle", exact=True).select_option(Role.RECEPTION)
    page.get_by_label("Pôle").select_option("accueil")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    page.get_by_text("L'invitation à lea.roussel@saint-omer.example part par e-mail").wait_for()
    assert_accessible(page)
    screenshot(page, "bo-team")
    invited = StaffMembership.objects.get(user__email="lea.roussel@saint-omer.example")
    assert invited.role == Role.RECEPTION

    page.get_by_label("Rôle de lea.roussel@saint-omer.example").select_option(Role.PROMOTION)
    page.locator(f"form[action$='/equipe/{invited.pk}/role/'] button").click()
    page.get_by_text("Le rôle de lea.roussel@saint-omer.example est changé.").wait_for()
    invited.refresh_from_db()
    assert invited.role == Role.PROMOTION

    page.goto(f"{base}/journal/?action=staff")
    assert_accessible(page)
    screenshot(page, "bo-audit-log")
    assert (
        page.locator("tbody tr").count()
        == AuditEntry.objects.filter(action__startswith="staff.").count()
        == 2
    )

    page.goto(f"{base}/donnees-personnelles/")
    page.get_by_label("Adresse e-mail de la personne").fill(partner.user.email)
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("button", name="Télécharger l'export (zip)").wait_for()
    assert_accessible(page)
    screenshot(page, "bo-personal-data")


def test_a_role_without_the_right_sees_why(browser, live_server, office):
    reader = verified(UserFactory(email="stagiaire@saint-omer.example"))
    StaffFactory(office=office, user=reader, role=Role.READ_ONLY)
    page = browser.new_page(locale="fr-FR")
    log_in(page, live_server, reader)
    response = page.goto(f"{live_server.url}/saint-omer/gestion/equipe/")
    assert response.status == 403
    page.get_by_text("Votre rôle (Lecture seule) ne permet pas cette action").wait_for()
    assert_accessible(page)
    screenshot(page, "bo-403")
    assert AuditEntry.objects.filter(action="access.denied", actor=reader).count() == 1
