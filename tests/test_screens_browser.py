"""In Chromium: a reception screen loops through its slides with zero axe-core violations
(WCAG 2.1 A/AA) on each of them, keeps showing its content when the network goes (and after a
reload, from localStorage), and stops when staff revoke it. Screenshots in var/screenshots/."""

import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ensemble.screens import services

from .browser import assert_accessible, log_in, screenshot
from .test_screens import NAME, TODAY, at, banner, event  # noqa: F401 — `banner` is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIVE_MINUTES = 5 * 60 * 1000


@pytest.fixture
def screen(office, staff_user, banner):  # noqa: F811
    banner("Hôtel des Remparts", text="Menu du terroir tous les midis")
    event(office, "Concert d'orgue à la cathédrale", at(TODAY, 20, 30), place_name="Cathédrale")
    event(office, "Marché de Noël", at(TODAY.replace(day=31), 9), all_day=True, place_name="Place Foch")
    services.create_screen_message(
        office,
        text="Fermeture exceptionnelle le 1er janvier",
        starts_on=TODAY,
        ends_on=TODAY,
        actor=staff_user,
    )
    screen, token = services.create_screen(office, name=NAME, actor=staff_user)
    screen.token = token
    return screen


def open_screen(browser, live_server, screen):
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    page.clock.install(time=timezone.now())  # the server's (travelled) clock
    page.goto(f"{live_server.url}/{screen.office.slug}/ecran/{screen.token}/")
    expect(page.locator("#screen-status")).to_contain_text("Contenu mis à jour à")
    return page


def visible_slide(page):
    slides = page.locator("#screen-slides > .slide:not([hidden])")
    expect(slides).to_have_count(1)
    return slides.first.get_attribute("data-slide-id")


def test_every_slide_is_accessible(browser, live_server, screen):
    page = open_screen(browser, live_server, screen)
    expect(page.locator("#screen-slides > .slide")).to_have_count(4)  # banner, today, week, message
    expect(page.locator("#screen-time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    seen = []
    for _ in range(4):
        seen.append(visible_slide(page))
        assert_accessible(page)
        screenshot(page, f"ecran-{seen[-1]}")
        page.clock.run_for(12_000)
    assert [s.split("-")[0] for s in seen] == ["banner", "events", "events", "message"]
    assert visible_slide(page) == seen[0]  # the loop starts again

    # The banner's image came through the screen's own, token-checked URL.
    page.clock.run_for(0)
    image = page.locator(".slide-banner img")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1200

    # Pause stops the loop.
    page.get_by_role("button", name="Mettre en pause").click()
    current = visible_slide(page)
    page.clock.run_for(60_000)
    assert visible_slide(page) == current
    expect(page.get_by_role("button", name="Reprendre le défilement")).to_be_visible()


def test_the_screen_keeps_its_content_when_the_network_fails(browser, live_server, screen):
    page = open_screen(browser, live_server, screen)
    first = visible_slide(page)
    page.route("**/contenu.json", lambda route: route.abort("internetdisconnected"))
    page.clock.run_for(FIVE_MINUTES + 1000)  # the poll fails

    expect(page.locator("#screen-status")).to_contain_text("Hors connexion : contenu reçu à")
    expect(page.locator("#screen-slides > .slide")).to_have_count(4)
    expect(page.get_by_text("Fermeture exceptionnelle le 1er janvier")).to_have_count(1)
    page.clock.run_for(12_000)
    assert visible_slide(page) != first  # still looping
    screenshot(page, "ecran-hors-connexion")

    # A reload while offline: the page shell without content (as from the browser's cache),
    # the JSON unreachable — the slides come back from localStorage.
    kept = json.loads(page.evaluate(f"localStorage.getItem('ensemble-screen-{screen.pk}')"))
    assert [s["kind"] for s in kept["slides"]] == ["banner", "events", "events", "message"]
    shell = page.request.get(page.url).text()
    shell = re.sub(
        r'(<section class="screen-slides"[^>]*>).*?(</section>\s*</main>)', r"\1\2", shell, flags=re.S
    )
    shell = re.sub(
        r'(<script id="screen-data" type="application/json">).*?(</script>)', r"\1null\2", shell, flags=re.S
    )
    assert "Fermeture exceptionnelle" not in shell
    page.route(page.url, lambda route: route.fulfill(body=shell, content_type="text/html; charset=utf-8"))
    page.reload()
    expect(page.locator("#screen-slides > .slide")).to_have_count(4)
    expect(page.get_by_text("Fermeture exceptionnelle le 1er janvier")).to_have_count(1)
    visible_slide(page)


def test_a_revoked_screen_stops_at_its_next_poll(browser, live_server, screen, staff_user):
    page = open_screen(browser, live_server, screen)
    services.revoke_screen(screen, actor=staff_user)
    page.clock.run_for(FIVE_MINUTES + 1000)
    expect(page.locator("[data-screen]")).to_have_count(0)  # the page reloaded: 404
    assert page.evaluate(f"localStorage.getItem('ensemble-screen-{screen.pk}')") is None


def test_staff_pages_are_accessible_and_the_secret_url_can_be_copied(
    browser, live_server, office, staff_user
):
    staff_user.set_password("correct-horse-battery")
    staff_user.save()
    context = browser.new_context(locale="fr-FR")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    log_in(page, live_server, staff_user)
    page.goto(f"{live_server.url}/{office.slug}/gestion/ecrans/")
    assert_accessible(page)
    page.get_by_label("Nom de l'écran").fill(NAME)
    page.get_by_role("button", name="Créer l'écran et son adresse secrète").click()
    expect(page.locator("h1")).to_have_text(NAME)
    secret = page.locator("#secret-url").input_value()
    page.bring_to_front()  # the clipboard only answers a focused page
    page.get_by_role("button", name="Copier l'adresse").click()
    expect(page.locator("#copy-status")).to_have_text("Adresse copiée.")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    # A browser that refuses both ways of copying: the status says to copy by hand.
    page.evaluate(
        "navigator.clipboard.writeText = () => Promise.reject(new Error('refusé'));"
        "document.execCommand = () => false;"
    )
    page.get_by_role("button", name="Copier l'adresse").click()
    expect(page.locator("#copy-status")).to_have_text(
        "La copie n'a pas pu se faire : l'adresse est sélectionnée, copiez-la avec Ctrl+C."
    )
    assert_accessible(page)
    screenshot(page, "gestion-ecran-adresse")

    page.goto(f"{live_server.url}/{office.slug}/gestion/ecrans/messages/nouveau/")
    page.get_by_label("Message").fill("Fermeture exceptionnelle le 1er janvier")
    page.get_by_label("Affiché à partir du").fill("2022-12-28")
    page.get_by_label("Affiché jusqu'au (inclus)").fill("2022-12-27")
    page.get_by_label(NAME).check()
    page.get_by_role("button", name="Enregistrer le message").click()
    expect(page.get_by_text("La date de fin précède la date de début.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Affiché jusqu'au (inclus)").fill("2023-01-01")
    page.get_by_role("button", name="Enregistrer le message").click()
    expect(page.get_by_role("cell", name=NAME)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "gestion-ecrans")

    page.goto(secret)
    expect(page.get_by_text("Fermeture exceptionnelle le 1er janvier")).to_be_attached()
