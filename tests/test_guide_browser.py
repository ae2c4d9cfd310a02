"""« Guide imprimé » in a real Chromium: axe-core (WCAG 2.1 A/AA) on the page, with its errors and
while an edition is prepared; htmx's polling (under the strict CSP) updates the progress until
the PDF can be downloaded."""

import pytest

from ensemble.guide.models import GuideEdition

from .browser import assert_accessible, log_in, screenshot
from .test_guide import make_place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_guide_page_in_a_browser(browser, live_server, office, staff_user):
    make_place(office, "Musée Sandelin", slug="loisirs", short_description_fr="Musée des beaux-arts.")
    make_place(office, "Ferme Lefebvre", slug="terroir", city="Arques")
    running = GuideEdition.objects.create(office=office, title="Guide 2023", status="running", progress=40)
    page = browser.new_page(locale="fr-FR")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server, staff_user)
    page.goto(f"{live_server.url}/saint-omer/gestion/guide-imprime/")
    assert page.locator("progress").get_attribute("value") == "40"
    assert_accessible(page)
    screenshot(page, "bo-guide-running")

    # htmx polls every 2 s: the finished edition shows up without reloading the page.
    GuideEdition.objects.filter(pk=running.pk).update(
        status="failed", error="Le rendu du guide a échoué : test"
    )
    page.get_by_text("Le rendu du guide a échoué : test").wait_for(timeout=8000)
    assert page.locator("progress").count() == 0
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors

    # A request without a title: the error is tied to its field.
    page.get_by_label("Titre").fill("")
    page.get_by_role("button", name="Préparer le PDF").click()
    page.get_by_text("Ce champ est obligatoire.").first.wait_for()
    assert_accessible(page)

    # Asked for: rendered in the background (at once in tests), ready to download.
    page.get_by_label("Titre").fill("Roadbook 2023")
    page.get_by_label("Langue du guide").select_option("en")
    page.get_by_role("button", name="Préparer le PDF").click()
    page.get_by_text("Guide demandé : il se prépare").wait_for()
    link = page.get_by_role("link", name="Télécharger le PDF — Roadbook 2023")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "roadbook-2023-en.pdf"
    assert_accessible(page)
    screenshot(page, "bo-guide-ready")
