"""One language menu (issue 13, item 8): in the header of every public page, plain links (no
form, no « OK ») that switch to FR / EN / NL at once and come back to the same page, the current
language marked; the content-language menus of the listing, event and agenda pages are gone; a
switched page is never served from the other language's page cache; an unknown language gives
the default one, a `next` to another site is refused."""

import re
from html import unescape
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils import translation

from ensemble.events import services as event_services

from .browser import assert_accessible, screenshot
from .test_api import office_place
from .test_events import fields

pytestmark = pytest.mark.django_db
SWITCH = "/i18n/langue/{code}/?next={next}"
MENU = re.compile(r'<nav aria-label="[^"]+" class="lang-menu">(.*?)</nav>', re.S)


@pytest.fixture(autouse=True)
def _back_to_french():
    """LocaleMiddleware leaves the last request's language active in the thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def museum(office, staff_user):
    return office_place(
        office,
        "Musée Sandelin",
        actor=staff_user,
        short_description_fr="Beaux-arts.",
        short_description_en="Fine arts.",
    )


@pytest.fixture
def public_pages(office, season, staff_user, museum):
    event = event_services.create_office_event(
        office, actor=staff_user, **fields(title_fr="Concert au marais")
    )
    slug = office.slug
    return [
        f"/{slug}/",
        f"/{slug}/annuaire/",
        f"/{slug}/annuaire/?q=mus%C3%A9e&page=1",
        f"/{slug}/fiches/{museum.pk}/",
        f"/{slug}/agenda/",
        f"/{slug}/agenda/{event.pk}/",
        f"/{slug}/adherer/",
        f"/{slug}/charte/",
        f"/{slug}/cgv/",
        f"/{slug}/mentions-legales/",
        f"/{slug}/donnees-personnelles/",
        f"/{slug}/accessibilite/",
    ]


def html_of(response) -> str:
    return unescape(response.content.decode())


def menu_links(html: str) -> list[dict]:
    menus = MENU.findall(html)
    assert len(menus) == 1, "exactly one language menu"
    return [
        {
            "href": unescape(m.group(1)),
            "attrs": m.group(2),
            "label": re.sub(r"<[^>]+>", "", m.group(3)),
        }
        for m in re.finditer(r'<a href="([^"]+)"([^>]*)>(.*?)</a>', menus[0], re.S)
    ]


def test_every_public_page_has_one_menu_of_links_back_to_the_same_page(client, public_pages):
    for url in public_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = html_of(response)
        assert 'name="language"' not in html and "content-languages" not in html, url
        links = menu_links(html)
        assert [link["href"] for link in links] == [
            SWITCH.format(code=code, next=quote(url)) for code in ("fr", "en", "nl")
        ], url
        for link, code in zip(links, ("fr", "en", "nl"), strict=True):
            assert f'lang="{code}"' in link["attrs"] and f'hreflang="{code}"' in link["attrs"]
        assert [("aria-current" in link["attrs"]) for link in links] == [True, False, False], url
        assert links[1]["label"] == "EN — English"


def test_a_link_switches_at_once_and_keeps_the_page(client, office, museum):
    page = f"/{office.slug}/fiches/{museum.pk}/"
    french = html_of(client.get(page))
    assert '<html lang="fr">' in french and "Beaux-arts." in french
    response = client.get(SWITCH.format(code="en", next=quote(f"{page}?vue=plan&langue=nl")))
    assert response.status_code == 302
    assert response["Location"] == f"{page}?vue=plan"  # the query kept, `?langue=` dropped
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = html_of(client.get(response["Location"]))
    assert '<html lang="en">' in english and "Fine arts." in english
    current = [link["label"] for link in menu_links(english) if "aria-current" in link["attrs"]]
    assert current == ["EN — English"]
    assert client.get(SWITCH.format(code="nl", next=quote(page)))["Location"] == page
    assert '<html lang="nl">' in html_of(client.get(page))


def test_the_switch_reads_nothing_but_the_office_middleware_lookup(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):  # OfficeMiddleware's one query, made for every request
        assert client.get(SWITCH.format(code="en", next="/"))["Location"] == "/"


def test_an_unknown_language_gives_the_page_in_the_default_language(client, office, museum):
    page = f"/{office.slug}/fiches/{museum.pk}/"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for code in ("de", "xx", "EN-gb"):
        response = client.get(SWITCH.format(code=code, next=quote(page)))
        assert response.status_code == 302 and response["Location"] == page
        assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    french = html_of(client.get(page))
    assert '<html lang="fr">' in french and "Beaux-arts." in french


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "http://evil.example", "/\\evil.example",
     "javascript:alert(1)", "relative/path", ""],
)  # fmt: skip
def test_a_next_outside_this_site_is_refused(client, target):
    response = client.get("/i18n/langue/nl/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"


def test_a_next_on_this_site_written_in_full_is_kept_as_a_path(client, office):
    response = client.get("/i18n/langue/en/", {"next": f"http://testserver/{office.slug}/agenda/?c=1"})
    assert response["Location"] == f"/{office.slug}/agenda/?c=1"


def test_the_switch_is_not_cached_and_refuses_posts(client):
    response = client.get(SWITCH.format(code="en", next="/"))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert client.post("/i18n/langue/en/", {"next": "/"}).status_code == 405


def test_dutch_is_offered_on_public_pages_only(client, office):
    public = [link["href"] for link in menu_links(html_of(client.get(f"/{office.slug}/annuaire/")))]
    assert any(href.startswith("/i18n/langue/nl/") for href in public)
    login = [link["href"] for link in menu_links(html_of(client.get("/comptes/login/")))]
    assert [href.split("?")[0] for href in login] == ["/i18n/langue/fr/", "/i18n/langue/en/"]


@pytest.mark.usefixtures("page_cache_on")
def test_a_switched_page_is_never_served_from_the_other_languages_cache(client, office, museum):
    page = f"/{office.slug}/fiches/{museum.pk}/"
    first = client.get(page)
    assert first["X-Cache"] == "miss" and "Beaux-arts." in html_of(first)
    assert client.get(page)["X-Cache"] == "hit"
    client.get(SWITCH.format(code="en", next=quote(page)))
    english = client.get(page)
    assert '<html lang="en">' in html_of(english) and "Fine arts." in html_of(english)
    assert english["X-Cache"] == "miss"
    client.get(SWITCH.format(code="fr", next=quote(page)))
    back = client.get(page)
    assert back["X-Cache"] == "hit" and '<html lang="fr">' in html_of(back)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_without_javascript_one_click_switches_and_keeps_the_page(
    browser, live_server, office, museum
):
    context = browser.new_context(
        java_script_enabled=False, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    url = f"{live_server.url}/{office.slug}/fiches/{museum.pk}/?vue=plan"
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("nav.lang-menu").count() == 1
    page.get_by_role("link", name="EN — English").click()
    page.wait_for_load_state()
    assert page.url == url
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("Fine arts.").is_visible()
    assert page.locator('nav.lang-menu a[aria-current="true"]').get_attribute("hreflang") == "en"
    screenshot(page, "part8-language-menu-en-phone")
    context.close()
    # axe runs a script: a page with JavaScript, at a desktop width.
    checked = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 900})
    checked.goto(url)
    assert_accessible(checked)
    checked.close()
