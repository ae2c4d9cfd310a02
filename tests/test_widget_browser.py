"""In Chromium: a partner's site (another origin) pastes the widget's script tag; the framed list
appears in the host's colours and takes its height; the widget page passes axe-core (WCAG 2.1
A/AA). Screenshots in var/screenshots/."""

import contextlib
import http.server
import threading

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from ensemble.listings import services as listing_services
from ensemble.stats.models import VisibilityCount

from .browser import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@contextlib.contextmanager
def partner_site(html: str):
    """The partner's site: a page served by another server (another origin), on the loopback
    address too, or Chromium's Private Network Access rules would block its request to ours."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 — the http.server API
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def listings(make_membership, staff_user):
    for name, email, text in (
        ("Hôtel des Remparts", "sophie@remparts.example", "Au pied des remparts, chambres calmes."),
        ("Camping des Étangs", "c@etangs.example", "Emplacements ombragés au bord de l'eau."),
        ("Estaminet du Marais", "e@marais.example", "Cuisine flamande et bières locales."),
    ):
        membership = make_membership("active", email=email, establishment_name=name)
        listing = listing_services.ensure_listing(membership.establishment)
        listing_services.edit_listing(listing, changes={"short_description_fr": text}, actor=staff_user)


def test_a_partner_site_embeds_the_widget(browser, live_server, office, listings):
    snippet = (
        f'<script src="{live_server.url}/{office.slug}/widget.js" data-type="listings" data-limit="6" '
        'data-colour="#0b5d8c" data-background="#fdf6e3" async></script>'
    )
    host_page = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Gîte du Marais</title></head>'
        f"<body><main><h1>Nos voisins</h1>{snippet}</main></body></html>"
    )
    # Headless Chromium says so in its user agent, and is then not counted (robots): look like a person.
    page = browser.new_page(
        locale="fr-FR", user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"
    )
    with partner_site(host_page) as host:
        page.goto(host)
        check_the_frame(page)


def check_the_frame(page):
    iframe = page.locator("iframe[title='Nos bonnes adresses']")
    expect(iframe).to_have_count(1)
    frame = page.frame_locator("iframe[title='Nos bonnes adresses']")
    expect(frame.locator(".widget-item")).to_have_count(3)
    link = frame.get_by_role("link", name="Hôtel des Remparts (nouvel onglet)")
    expect(link).to_have_attribute("target", "_blank")
    assert link.evaluate("a => getComputedStyle(a).color") == "rgb(11, 93, 140)"
    assert frame.locator("html").evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(253, 246, 227)"
    # The frame reported its height: the host does not scroll inside it.
    expect(iframe).not_to_have_attribute("height", "420")
    height = int(iframe.get_attribute("height"))
    content = frame.locator("main").evaluate("m => m.getBoundingClientRect().height")
    assert height >= content
    screenshot(page, "widget-sur-un-site-partenaire")
    assert VisibilityCount.objects.filter(kind="widget_impression").aggregate(n=Sum("count"))["n"] == 3


def test_the_widget_page_is_accessible(browser, live_server, office, listings):
    page = browser.new_page(locale="fr-FR")
    for params in (
        "type=listings&colour=%230b5d8c",
        "type=events",
        "type=listings&colour=red&background=%23000000",
    ):
        page.goto(f"{live_server.url}/{office.slug}/widget/?{params}")
        assert_accessible(page)
    screenshot(page, "widget-fond-sombre")
