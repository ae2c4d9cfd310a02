"""Issue 12, items C1, C2, C4, C5: three languages done properly.

- C1: English and Dutch pages follow their language's typography (no space before a colon,
  money by locale, translated labels), partner texts come from their translated fields;
- C2: one fallback order for every reader (nl → en → fr, en → fr), shown on the back-office
  forms; event prices in three languages;
- C4: French wording (« du Moulin », « L'Office… a bien reçu », « 0,01 », « E-mail », people by
  name);
- C5: the demo loader's summary in French.
"""

import logging
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from ensemble.backoffice.event_forms import OfficeEventForm
from ensemble.backoffice.forms import MoneyField
from ensemble.backoffice.moderation_forms import ListingEditForm
from ensemble.core import languages
from ensemble.core.models import OutboundEmail
from ensemble.core.money import format_money
from ensemble.demo.management.commands import load_demo
from ensemble.events import services as event_services
from ensemble.events.models import Event
from ensemble.listings import services as listing_services
from ensemble.listings.models import Listing
from ensemble.publishing.models import PublicationSnapshot

from .test_events import at, fields
from .test_public_directory import full_content, text

pytestmark = pytest.mark.django_db
SLUG = "saint-omer"


@pytest.fixture
def active(make_membership, staff_user):
    """An active partner's listing with this content (published by the partner rule)."""

    def _make(name: str, login: str, **changes) -> Listing:
        membership = make_membership("active", email=login, establishment_name=name)
        listing = listing_services.ensure_listing(membership.establishment)
        listing_services.edit_listing(listing, changes=changes, actor=staff_user)
        return Listing.objects.get(pk=listing.pk)

    return _make


# ---- the fallback order (C2) -----------------------------------------------------------------


def test_the_fallback_order_is_the_offices_choice():
    assert languages.order("nl") == ("nl", "en", "fr")
    assert languages.order("en") == ("en", "fr")
    assert languages.order("fr") == ("fr",)
    assert languages.order("de") == ("fr",)  # not a content language: French


def test_a_text_comes_with_the_language_it_is_written_in():
    event = Event(title_fr="Concert au marais", title_en="Concert in the marshes", title_nl="")
    dutch = languages.text_in(event, "title", "nl")
    assert (dutch, dutch.lang) == ("Concert in the marshes", "en")  # not the French one
    assert languages.text_in(event, "title", "fr").lang == "fr"
    event.title_en = ""
    assert (languages.text_in(event, "title", "nl"), languages.text_in(event, "title", "nl").lang) == (
        "Concert au marais",
        "fr",
    )


def test_the_back_office_event_form_says_what_visitors_read_when_a_text_is_missing():
    form = OfficeEventForm()
    assert form.fields["title_nl"].help_text == (
        "Si vide, les visiteurs lisent le texte en anglais, à défaut en français."
    )
    assert form.fields["summary_en"].help_text == "Si vide, les visiteurs lisent le texte en français."
    assert "traduction manque" in str(form.fields["description_fr"].help_text)
    # The price text is translated too, next to the booking link.
    names = list(form.fields)
    assert names.index("price_text_fr") < names.index("price_text_nl") < names.index("booking_url")


def test_the_back_office_listing_form_says_it_too():
    form = ListingEditForm()
    assert form.fields["short_description_nl"].help_text == (
        "Si vide, les visiteurs lisent le texte en anglais, à défaut en français."
    )
    assert form.fields["short_description_nl"].widget.attrs["lang"] == "nl"
    assert not form.fields["phone"].help_text


@pytest.fixture
def office_event(office, staff_user):
    """An office event with English texts and no Dutch ones, prices in French and Dutch."""
    return event_services.create_office_event(
        office,
        actor=staff_user,
        **fields(
            title_en="Concert in the marshes",
            summary_en="A quartet on the water.",
            price_text="12 €, gratuit pour les moins de 12 ans",
            price_text_nl="€ 12, gratis voor kinderen onder 12 jaar",
        ),
    )


def test_every_reader_of_an_event_falls_back_from_dutch_to_english(client, office_event):
    agenda = client.get(reverse("public:agenda", kwargs={"office_slug": SLUG}), {"langue": "nl"})
    html = agenda.content.decode()
    assert 'lang="en">Concert in the marshes</a>' in html
    assert "<span>€ 12, gratis voor kinderen onder 12 jaar</span>" in html  # the Dutch price text
    assert "Concert au marais" not in html
    page = client.get(f"/{SLUG}/agenda/{office_event.pk}/", {"langue": "nl"}).content.decode()
    assert '<h1 lang="en">Concert in the marshes</h1>' in page
    assert '"name": "Concert in the marshes"' in page  # JSON-LD
    assert '"description": "€ 12, gratis voor kinderen onder 12 jaar"' in page  # its offer
    ics = client.get(f"/{SLUG}/agenda/{office_event.pk}.ics", {"langue": "nl"})
    body = ics.content.decode().replace("\r\n ", "")  # unfolded
    assert "SUMMARY:Concert in the marshes" in body
    assert "gratis voor kinderen onder 12 jaar" in body
    widget = client.get(f"/{SLUG}/widget/", {"type": "events", "langue": "nl"}).content.decode()
    assert "Concert in the marshes" in widget and "Concert au marais" not in widget


def test_the_api_gives_event_prices_in_three_languages(client, office_event):
    item = client.get(f"/{SLUG}/api/v1/events/{office_event.pk}").json()
    assert item["price_text"] == {
        "fr": "12 €, gratuit pour les moins de 12 ans",
        "en": "",
        "nl": "€ 12, gratis voor kinderen onder 12 jaar",
    }
    assert item["title"] == {"fr": "Concert au marais", "en": "Concert in the marshes", "nl": ""}


def test_staff_enter_english_and_dutch_texts_of_an_office_event(client, staff_user, office):
    client.force_login(staff_user)
    data = {
        "title_fr": "Balade contée",
        "title_en": "Storytelling walk",
        "title_nl": "Verhalenwandeling",
        "summary_nl": "Legendes van het moeras.",
        "price_text_fr": "6 €",
        "price_text_en": "€6",
        "price_text_nl": "€ 6",
        "category": "visit",
        "starts_at": "2023-01-21T14:00",
        "ends_at": "2023-01-21T16:00",
        "city": "Saint-Omer",
        "postcode": "62500",
    }
    response = client.post(reverse("backoffice:event_create", kwargs={"office_slug": SLUG}), data)
    assert response.status_code == 302, response.content.decode()[:500]
    event = Event.objects.get(office=office, title_fr="Balade contée")
    assert (event.title_nl, event.summary_nl) == ("Verhalenwandeling", "Legendes van het moeras.")
    assert (event.price_text_fr, event.price_text_en, event.price_text_nl) == ("6 €", "€6", "€ 6")


def test_a_partners_change_waiting_under_the_old_price_key_still_reads(partner, staff_user):
    event = event_services.approve_event(
        event_services.submit_event(partner.membership.organisation, actor=partner.user, **fields()),
        actor=staff_user,
    )
    Event.objects.filter(pk=event.pk).update(
        pending_changes={"price_text": "15 €"}, change_submitted_at=at(1, 1)
    )
    event.refresh_from_db()
    event = event_services.approve_event(event, actor=staff_user)
    assert event.price_text_fr == "15 €"


def test_snapshots_of_a_listing_follow_the_same_order(active):
    listing = active(
        "Hôtel des Remparts",
        "s@r.example",
        short_description_fr="Au pied des remparts.",
        short_description_en="By the walls.",
    )
    documents = {row.language: row.document for row in PublicationSnapshot.objects.filter(listing=listing)}
    assert documents["nl"]["short_description"] == "By the walls."
    assert documents["nl"]["i18n"]["short_description"]["nl"] == ""  # the raw text stays empty


# ---- typography of the public pages (C1) ---------------------------------------------------------


@pytest.fixture
def hotel(active):
    content = full_content()
    content["opening_periods"][0]["note"] = "Fermé le 25 décembre"
    content["prices"][0]["label_en"] = ""
    return active("Hôtel des Remparts", "s@r.example", **content)


def test_the_english_listing_page_writes_english(client, hotel):
    html = text(client.get(f"/{SLUG}/fiches/{hotel.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Phone: <a" in html and "E-mail: <a" in html
    assert '<h2 id="opening-title">Opening hours</h2>' in html  # not « Opens at »
    # No English label: the French one, marked as French; the amounts as English writes them.
    assert '<span lang="fr">Chambre double</span>: from €95.00 to €130.00 (2022)' in html
    assert '(<span lang="fr">Fermé le 25 décembre</span>)' in html  # a French-only note, marked
    assert '"priceRange": "€95 – €130"' in html  # the JSON-LD too
    assert " : " not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_dutch_listing_page_writes_dutch(client, hotel):
    html = text(client.get(f"/{SLUG}/fiches/{hotel.pk}/", HTTP_ACCEPT_LANGUAGE="nl"))
    assert "Telefoon: <a" in html
    assert '<h2 id="opening-title">Openingstijden</h2>' in html
    assert "<span>Tweepersoonskamer</span>: van €\u00a095,00 tot €\u00a0130,00 (2022)" in html
    assert "Charmant hotel aan de voet van de vestingmuren." in html


def test_money_is_written_as_each_language_writes_it():
    amount = Decimal("1234.5")
    assert format_money(amount, "fr") == "1\u202f234,50\u00a0€"
    assert format_money(amount, "en") == "€1,234.50"
    assert format_money(amount, "nl") == "€\u00a01.234,50"
    assert format_money(Decimal("150"), "fr", short=True) == "150\u00a0€"
    assert format_money(Decimal("-5"), "en") == "-€5.00"


def test_the_join_form_in_dutch_names_categories_and_offers_in_dutch_then_english(client, season):
    html = text(client.get(f"/{SLUG}/adherer/", HTTP_ACCEPT_LANGUAGE="nl"))
    assert "Accommodatie" in html  # the category's Dutch name
    assert "Partnerpakket — €\u00a090 incl. btw" in html  # the offer's Dutch name (its fallbacks:
    # tests/test_part7_catalogue_languages.py)
    assert "(versie " in html


# ---- French wording (C4) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "de", "a"),
    [
        ("Le Bistrot du Marais", "du Bistrot du Marais", "au Bistrot du Marais"),
        ("Les Jardins de l'Aa", "des Jardins de l'Aa", "aux Jardins de l'Aa"),
        ("L'Escale", "de L'Escale", "à L'Escale"),
        ("La Coupole", "de La Coupole", "à La Coupole"),
        ("Arques Loisirs", "d'Arques Loisirs", "à Arques Loisirs"),
        ("Hôtel des Remparts", "de Hôtel des Remparts", "à Hôtel des Remparts"),
        ("Lesage Traiteur", "de Lesage Traiteur", "à Lesage Traiteur"),
    ],
)
def test_de_and_a_contract_with_the_article(name, de, a):
    assert languages.de_article(name) == de
    assert languages.a_article(name) == a
    assert languages.de_name(name, "en") == name  # English carries its own preposition


def test_an_offices_name_takes_its_article_in_french():
    assert languages.office_name("Office de Tourisme du Pays de Saint-Omer", "fr") == (
        "l'Office de Tourisme du Pays de Saint-Omer"
    )
    assert languages.office_name("Maison du Tourisme", "fr") == "la Maison du Tourisme"
    assert languages.office_name("Saint-Omer Tourisme", "fr") == "Saint-Omer Tourisme"
    assert languages.office_name("Office de Tourisme", "en") == "Office de Tourisme"


def test_the_join_confirmation_says_l_office_a_bien_recu(submit):
    submit()
    email = OutboundEmail.objects.get(template="join_confirmation")
    assert "L'Office de Tourisme du Pays de Saint-Omer a bien reçu votre demande" in email.body_text
    assert "L&#x27;Office de Tourisme du Pays de Saint-Omer a bien reçu" in email.body_html


def test_the_espace_pro_contracts_de_le(client, partner):
    client.force_login(partner.user)
    html = text(client.get(reverse("portal:account_index", kwargs={"office_slug": SLUG})))
    assert "adhésion et documents du Moulin des Marais" in html
    assert "équipe du Moulin des Marais" in html
    assert "de Le Moulin" not in html


def test_french_validation_messages_write_numbers_with_a_decimal_comma():
    with pytest.raises(ValidationError) as refused:
        MoneyField().clean("0")
    assert refused.value.messages == ["Assurez-vous que cette valeur est supérieure ou égale à 0,01."]
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            MoneyField().clean("0")
        assert refused.value.messages == ["Ensure this value is greater than or equal to 0.01."]


def test_the_login_page_says_e_mail_as_every_other_page(client):
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<label for="id_login">E-mail' in html
    assert "Courriel" not in html


def test_staff_are_shown_by_name_not_by_e_mail(client, partner, staff_user):
    event = event_services.approve_event(
        event_services.submit_event(partner.membership.organisation, actor=partner.user, **fields()),
        actor=staff_user,
    )
    client.force_login(staff_user)
    html = text(client.get(reverse("backoffice:event", kwargs={"office_slug": SLUG, "pk": event.pk})))
    assert staff_user.full_name and staff_user.full_name in html
    decided = html.split("Dernière décision", 1)[1].split("</dd>", 1)[0]
    assert staff_user.email not in decided


# ---- the demo loader's summary (C5) ---------------------------------------------------------------


def test_the_demo_summary_reads_in_french():
    line = load_demo.status_counts({"active": 21, "awaiting_payment": 4, "requested": 6})
    assert line == "demande reçue : 6, en attente de règlement : 4, active : 21"
    assert load_demo.closed_line({"terminated": 2, "expired": 3}) == (
        "2 résiliées à l'échéance de leur préavis, 3 échues"
    )
    assert load_demo.closed_line({"terminated": 0, "expired": 0}) == "aucune adhésion à clore"


def test_the_demo_loader_keeps_the_state_machines_log_lines_out_of_its_summary(caplog):
    logger = logging.getLogger("ensemble.core.workflow")
    with caplog.at_level(logging.INFO), load_demo.quiet():
        logger.info("memberships.Membership 1: accept (requested -> awaiting_payment) by user 6")
    assert "accept" not in caplog.text
    logger.info("after")  # the level is given back
    assert logger.level == logging.NOTSET or logger.isEnabledFor(logging.INFO)
