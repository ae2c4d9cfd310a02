"""In Chromium: a partner's « Ma visibilité » pages and the back office's visibility pages pass
axe-core (WCAG 2.1 A/AA); screenshots in var/screenshots/."""

import pytest
from playwright.sync_api import expect

from .browser import assert_accessible, log_in, screenshot
from .conftest import verified
from .test_stats import fill_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def hotel(make_membership):
    from ensemble.listings import services as listing_services

    membership = make_membership(
        "active", email="sophie@remparts.example", establishment_name="Hôtel des Remparts"
    )
    listing = listing_services.ensure_listing(membership.establishment)
    fill_year(listing)
    user = verified(membership.applicant)
    user.set_password(PASSWORD)
    user.save()
    return listing, user


def test_the_visibility_pages_are_accessible(browser, live_server, office, staff_user, hotel):
    listing, partner = hotel
    page = browser.new_page(locale="fr-FR")
    log_in(page, live_server, partner, PASSWORD)
    page.goto(f"{live_server.url}/{office.slug}/espace-pro/visibilite/")
    expect(page.locator("h1")).to_have_text("Ma visibilité — 2022")
    assert_accessible(page)
    screenshot(page, "espace-pro-visibilite")
    page.get_by_role("link", name="Hôtel des Remparts — détail mois par mois").click()
    expect(page.get_by_role("row", name="mars")).to_contain_text("30")
    assert_accessible(page)
    screenshot(page, "espace-pro-visibilite-fiche")

    staff_user.set_password(PASSWORD)
    staff_user.save()
    page.context.clear_cookies()
    log_in(page, live_server, staff_user, PASSWORD)
    page.goto(f"{live_server.url}/{office.slug}/gestion/visibilite/")
    expect(page.locator("h1")).to_have_text("Visibilité des fiches en 2022")
    assert_accessible(page)
    screenshot(page, "gestion-visibilite")
    page.get_by_role("rowheader").get_by_role("link", name="Hôtel des Remparts").click()
    assert_accessible(page)
    page.go_back()
    page.locator("tbody td a").first.click()  # the organisation
    expect(page.get_by_role("heading", level=2, name="Hôtel des Remparts")).to_be_visible()
    assert_accessible(page)
