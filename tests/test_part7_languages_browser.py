"""Issue 12, the final check: in Chromium, the public pages in English and in Dutch (the office's
home, the directory, a listing, the agenda, an event, the join form) show no French label or
punctuation outside partner-written content.

The page's visible text is read in the browser; a text marked with another language (`lang`) is
left out — the pages mark a partner's text shown in a fallback language, and the documents
(charter, terms) that exist only in French, as WCAG 3.1.2 asks — and so are the proper names
(the office, the places, their addresses). What remains must read as the page's language: no
space before a colon, no French quotation marks, in English no amount followed by « € », and
none of a list of French words.
"""

import re

import pytest

from ensemble.events import services as event_services
from ensemble.listings import services as listing_services
from ensemble.listings.models import Listing

from .browser import assert_accessible, screenshot
from .test_events import at, fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRENCH_WORDS = [
    "Téléphone", "Tarifs", "Gratuit", "gratuit", "Horaires", "Ouverture", "Fermé", "fermé", "Réserver",
    "Annuaire", "Adhérer", "Rechercher", "Filtrer", "Toutes", "Tous", "Commune", "Catégorie", "Lieu",
    "Capacité", "Chambres", "Disponibilités", "Retour", "Prochains", "Événements", "événement",
    "Se connecter", "Langue", "Mentions légales", "Données personnelles", "par personne", "TTC",
    "Bulletin", "adhésion", "Résumé", "Organisé par", "Prix", "Aller au contenu", "Propulsé",
    "Nuit", "Suivant", "Précédent", "Effacer", "Coordonnées", "Règlement", "Envoyer",
]  # fmt: skip

TEXT_OF_PAGE = """(pageLang) => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement;
    if (!element || element.closest('script, style, noscript, [hidden], [aria-hidden="true"]')) continue;
    const marked = element.closest('[lang]');
    if (marked && marked.getAttribute('lang').slice(0, 2) !== pageLang) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text) texts.push(text);
  }
  return texts;
}"""


@pytest.fixture
def public_site(office, season, staff_user, make_membership):
    """A partner's hotel written in three languages, an office place, an office event with its
    English and Dutch texts."""
    membership = make_membership(
        "active", email="sophie@remparts.example", establishment_name="Hôtel des Remparts"
    )
    listing = listing_services.ensure_listing(membership.establishment)
    listing_services.edit_listing(
        listing,
        changes={
            "short_description_fr": "Hôtel de charme au pied des remparts.",
            "short_description_en": "A charming hotel below the ramparts.",
            "short_description_nl": "Charmant hotel aan de voet van de vestingmuren.",
            "phone": "03 21 98 76 54",
            "email": "accueil@remparts.example",
            "booking_url": "https://reservation.example/remparts",
            "rooms": 12,
            "opening_periods": [
                {
                    "starts_on": "2022-12-01",
                    "ends_on": "2023-03-31",
                    "opens_at": "08:00",
                    "closes_at": "22:00",
                    "closed_weekdays": [1, 2],
                    "note": "",
                },
            ],
            "prices": [
                {
                    "label_fr": "Nuitée pour deux",
                    "label_en": "Night for two",
                    "label_nl": "Overnachting voor twee",
                    "amount": "78",
                    "season_year": 2022,
                },
                {
                    "label_fr": "Chambre familiale",
                    "label_en": "Family room",
                    "label_nl": "Familiekamer",
                    "amount": "95",
                    "amount_max": "130",
                    "season_year": 2022,
                },
            ],
        },  # fmt: skip
        actor=staff_user,
    )
    event = event_services.create_office_event(
        office,
        actor=staff_user,
        **fields(
            title_nl="Concert in het moeras",
            summary_en="A quartet on the water.",
            summary_nl="Een kwartet op het water.",
            description_fr="",
            price_text="12 €, gratuit pour les moins de 12 ans",
            price_text_en="€12, free for children under 12",
            price_text_nl="€ 12, gratis voor kinderen onder 12 jaar",
            starts_at=at(1, 14, 20),
            ends_at=at(1, 14, 23),
        ),
    )
    return {"listing": Listing.objects.get(pk=listing.pk), "event": event, "office": office}


def proper_names(site) -> list[str]:
    office, listing, event = site["office"], site["listing"], site["event"]
    establishment = listing.establishment
    return [
        office.name, office.address, f"{office.postcode} {office.city}", establishment.name,
        establishment.address, establishment.organisation.name, event.place_name, event.city,
        "Saint-Omer", "Club Partenaire", "Ensemble",
    ]  # fmt: skip


def french_left(texts: list[str], lang: str, names: list[str]) -> list[str]:
    problems = []
    for text in texts:
        for name in sorted(filter(None, names), key=len, reverse=True):
            text = text.replace(name, " ")
        if re.search(r"\s[:;!?](\s|$)", text):
            problems.append(f"space before punctuation: {text!r}")
        if "«" in text or "»" in text.replace("Next »", "").replace("Volgende »", ""):
            problems.append(f"French quotation marks: {text!r}")
        if lang == "en" and re.search(r"\d[\s\u00a0\u202f]?€", text):
            problems.append(f"euro after the amount: {text!r}")
        problems += [
            f"French word {word!r}: {text!r}" for word in FRENCH_WORDS if re.search(rf"\b{word}\b", text)
        ]
    return problems


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_public_pages_in_english_and_dutch_have_no_french_left(browser, live_server, public_site, lang):
    slug, listing, event = public_site["office"].slug, public_site["listing"], public_site["event"]
    pages = {
        "home": f"/{slug}/",
        "directory": f"/{slug}/annuaire/",
        "listing": f"/{slug}/fiches/{listing.pk}/",
        "agenda": f"/{slug}/agenda/?du=2023-01-01",
        "event": f"/{slug}/agenda/{event.pk}/",
        "join": f"/{slug}/adherer/",
    }
    context = browser.new_context(locale={"en": "en-GB", "nl": "nl-NL"}[lang])
    page = context.new_page()
    names = proper_names(public_site)
    problems = {}
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == lang, path
        screenshot(page, f"part7-{lang}-{name}")
        assert_accessible(page)  # the lang attributes of fallback texts are valid ones
        texts = page.evaluate(TEXT_OF_PAGE, lang)
        # The charter and CGV exist only in French in this office: their fallback notice is the
        # terms' own (tests/test_part7_terms_languages.py); their texts are marked lang="fr".
        texts = [t for t in texts if "Ce document n'existe pas dans votre langue" not in t]
        found = french_left(texts, lang, names)
        if found:
            problems[path] = found
    context.close()
    assert not problems, problems


def test_the_checker_finds_french_typography():
    """The checker itself: each rule catches what the issue saw."""
    assert french_left(["Phone : 03 21"], "en", [])
    assert french_left(["Night for two: 78.00 €"], "en", [])
    assert french_left(["Opening hours", "(Fermé le 25 décembre)"], "en", [])
    assert french_left(["Telefoon : 03 21"], "nl", [])
    assert not french_left(["Phone: 03 21", "Night for two: €78.00", "Next »"], "en", [])
    assert not french_left(
        ["Office de Tourisme du Pays de Saint-Omer"], "en", ["Office de Tourisme du Pays de Saint-Omer"]
    )
