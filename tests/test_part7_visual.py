"""Issue 12, item A13: visual slips — a favicon on every page (and /favicon.ico answering instead
of a 404 on every page), list bullets and numbers kept inside the cards."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db
SLUG = "saint-omer"


def test_favicon_ico_answers_at_the_root(client, office):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_favicon_ico_answers_on_an_offices_own_host_name(client, office):
    office.domain = "tourisme-saintomer.example"
    office.save(update_fields=["domain"])
    response = client.get("/favicon.ico", HTTP_HOST="tourisme-saintomer.example")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path", [f"/{SLUG}/", f"/{SLUG}/annuaire/", f"/{SLUG}/agenda/", f"/{SLUG}/adherer/", "/comptes/login/"]
)
def test_every_page_links_its_icons(client, office, season, path):
    html = client.get(path).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert 'href="/static/favicon-32.png"' in html


def test_the_back_office_and_the_standalone_pages_link_the_icons(client, staff_user):
    client.force_login(staff_user)
    assert 'rel="icon"' in client.get(f"/{SLUG}/gestion/").content.decode()
    assert 'rel="icon"' in render_to_string("503.html", {"retry_after": 30})
    assert 'rel="icon"' in render_to_string("413.html", {"status": 413, "limit": 10})


def test_the_icon_files_are_shipped():
    for name in ("favicon.svg", "favicon-32.png", "apple-touch-icon.png"):
        assert finders.find(name), name
    assert (settings.WHITENOISE_ROOT / "favicon.ico").exists()


def test_card_lists_have_no_bullets_or_numbers_outside_the_cards():
    css = open(finders.find("css/ensemble.css"), encoding="utf-8").read()
    rule = re.search(r"^\.cards \{([^}]*)\}", css, re.M).group(1)
    assert "list-style: none" in rule and "padding: 0" in rule


def test_the_dashboard_uses_card_lists(client, office, staff_user):
    # The lists the issue saw with their bullets outside: they carry the rule's class.
    client.force_login(staff_user)
    dashboard = client.get(f"/{SLUG}/gestion/").content.decode()
    assert '<ul class="cards">' in dashboard and '<ul class="cards status-cards">' in dashboard
