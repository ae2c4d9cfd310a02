"""Issue 12, C1/C2 follow-up: the membership catalogue in French, English and Dutch.

Offers (name, description) and the names of the rights they include are entered in three
languages in the back office, each translation saying what readers get when it is empty; the
join form, the espace pro and the e-mails show them in the page's language with the one fallback
order (nl → en → fr), a fallback text marked with its own lang attribute. Invoices keep the French
name they were issued with (billing is not concerned)."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from ensemble.core.models import AuditEntry
from ensemble.memberships import seed_2022, services
from ensemble.memberships.errors import MembershipError
from ensemble.memberships.models import Entitlement, Offer, OfferEntitlement

from .conftest import assert_refused

pytestmark = pytest.mark.django_db
SLUG = "saint-omer"
JOIN = f"/{SLUG}/adherer/"


def html_of(response) -> str:
    assert response.status_code == 200
    return unescape(response.content.decode())


def marked(html: str) -> set[str]:
    """The languages marked in the join form's catalogue: its pack and options fieldsets (the
    language switcher and the charter and CGV, which may fall back on their own, left out)."""
    fieldsets = html[html.index("<main") : html.index("</main>")].split("<fieldset>")
    catalogue = fieldsets[3] + fieldsets[4]
    assert "<legend>" in catalogue
    return set(re.findall(r'<\w+[^>]*\blang="(\w+)"', catalogue))


def pack_of(season) -> Offer:
    return Offer.objects.get(season=season, code="pack-partenaire")


def texts_url(offer) -> str:
    return reverse(
        "backoffice:offer_texts", kwargs={"office_slug": SLUG, "season_pk": offer.season_id, "pk": offer.pk}
    )


# ---- The seed: the guide's offers translated -----------------------------------------------------


def test_every_seed_offer_and_right_has_english_and_dutch_texts(season):
    offers = list(Offer.objects.filter(season=season).prefetch_related("entitlements"))
    assert len(offers) == len(seed_2022.OFFERS)
    for offer in offers:
        assert offer.name_en and offer.name_nl, offer.code
        assert bool(offer.description_en) == bool(offer.description) == bool(offer.description_nl), offer.code
        for rule in offer.entitlements.all():
            assert rule.label_en and rule.label_nl, rule.label
    pack = pack_of(season)
    assert (pack.name_en, pack.name_nl) == ("Partner pack", "Partnerpakket")
    banner = pack.entitlements.get(kind="screen_banner")
    assert banner.label_en == "Banner on the reception screen (shown for 60 days)"


def test_preparing_the_next_season_copies_the_translations(season, staff_user):
    new = services.prepare_next_season(season, actor=staff_user)
    old_pack, new_pack = pack_of(season), pack_of(new)
    fields = ("name", "name_en", "name_nl", "description", "description_en", "description_nl")
    assert [getattr(new_pack, f) for f in fields] == [getattr(old_pack, f) for f in fields]
    copied = {(r.kind, r.label_en, r.label_nl) for r in new_pack.entitlements.all()}
    assert copied == {(r.kind, r.label_en, r.label_nl) for r in old_pack.entitlements.all()}


# ---- The join form in the page's language ------------------------------------------------------


def test_the_english_join_form_names_and_describes_the_offers_in_english(client, season):
    html = html_of(client.get(JOIN, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Partner pack — €90 incl. VAT" in html
    assert "Photo pack — 10 photos" in html
    assert "Filming and editing of a promotional clip for your social networks" in html
    assert "Banner on the reception screen (shown for 60 days)" in html  # what the pack includes
    assert "Registration for a social media training course" not in html  # an option's right: not listed
    # Nothing of the catalogue in French, nothing marked as French.
    assert "Pack partenaire" not in html
    assert "Bandeau sur l'écran d'accueil" not in html
    assert "Tournage et montage" not in html
    assert marked(html) == set()


def test_the_dutch_join_form_writes_dutch(client, season):
    html = html_of(client.get(JOIN, HTTP_ACCEPT_LANGUAGE="nl"))
    assert "Partnerpakket — €\u00a090 incl. btw" in html
    assert "Banner op het scherm van het onthaal (60 dagen vertoond)" in html
    assert "Opname en montage van een promotieclip" in html
    assert marked(html) == set()


def test_a_missing_translation_falls_back_visibly(client, season):
    """Dutch without its text reads the English one, marked lang="en"; English without its text
    (and so Dutch without either) reads the French one, marked lang="fr"."""
    pack = pack_of(season)
    Offer.objects.filter(pk=pack.pk).update(name_nl="", description_nl="")
    OfferEntitlement.objects.filter(offer=pack, kind="screen_banner").update(label_nl="", label_en="")
    video = Offer.objects.get(season=season, code="video-clip")
    Offer.objects.filter(pk=video.pk).update(name_en="", name_nl="", description_en="", description_nl="")

    html = html_of(client.get(JOIN, HTTP_ACCEPT_LANGUAGE="nl"))
    assert '<span lang="en">Partner pack</span> — €\u00a090 incl. btw' in html
    assert '<p class="help" lang="en">Listing on the Office' not in html  # the pack's description isn't shown
    assert "<li lang=\"fr\">Bandeau sur l'écran d'accueil (diffusion pendant 60 jours)</li>" in html
    assert '<span lang="fr">Pack vidéo — clip promotionnel</span> — €\u00a0300 incl. btw' in html
    assert '<p class="help" lang="fr">Tournage et montage' in html
    assert "<li>Aanwezigheid op een toerismebeurs: 1 dag per jaar</li>" in html  # translated: unmarked

    html = html_of(client.get(JOIN, HTTP_ACCEPT_LANGUAGE="en"))
    assert '<span lang="fr">Pack vidéo — clip promotionnel</span> — €300' in html
    assert "<li lang=\"fr\">Bandeau sur l'écran d'accueil (diffusion pendant 60 jours)</li>" in html
    assert ">Partner pack — €90" in html  # unmarked: written in English


def test_the_french_join_form_is_unchanged(client, season):
    html = html_of(client.get(JOIN, HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Pack partenaire — 90\u00a0€ TTC" in html
    assert "<li>Bandeau sur l'écran d'accueil (diffusion pendant 60 jours)</li>" in html
    assert marked(html) == set()
    assert "Partner pack" not in html


def test_a_name_with_markup_is_escaped_in_the_choice_label(client, season):
    Offer.objects.filter(pk=pack_of(season).pk).update(name_en="Pack <b>&</b>")
    html = client.get(JOIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Pack &lt;b&gt;&amp;&lt;/b&gt; — €90" in html
    assert "<b>&</b>" not in html


# ---- The espace pro and the confirmation e-mail ----------------------------------------------------


def test_the_espace_pro_entitlements_follow_the_page_language(client, make_membership, staff_user):
    membership = make_membership("active", email="camille@moulin.example")
    from .conftest import verified

    client.force_login(verified(membership.applicant))
    home = f"/{SLUG}/espace-pro/"
    html = html_of(client.get(home, HTTP_ACCEPT_LANGUAGE="en"))
    assert "<td>Banner on the reception screen (shown for 60 days)</td>" in html
    assert "<li>Partner pack</li>" in html
    assert "Bandeau sur l'écran" not in html

    # The catalogue's French name changed since it was granted: the right keeps the French name
    # it was granted with, shown as French (the translations describe the new one).
    banner = Entitlement.objects.get(membership=membership, kind="screen_banner")
    OfferEntitlement.objects.filter(pk=banner.source_id).update(label="Bandeau écran (30 jours)")
    html = html_of(client.get(home, HTTP_ACCEPT_LANGUAGE="en"))
    assert "<td lang=\"fr\">Bandeau sur l'écran d'accueil (diffusion pendant 60 jours)</td>" in html

    claims = html_of(client.get(f"/{SLUG}/espace-pro/prestations/", HTTP_ACCEPT_LANGUAGE="en"))
    assert '<th scope="row">Presence at a tourism fair: 1 day a year</th>' in claims


def test_the_entitlement_name_in_each_language(make_membership):
    membership = make_membership("active", email="camille@moulin.example")
    banner = Entitlement.objects.select_related("source").get(membership=membership, kind="screen_banner")
    assert (banner.label_in("en"), banner.label_in("en").lang) == (
        "Banner on the reception screen (shown for 60 days)",
        "en",
    )
    assert banner.label_in("nl") == "Banner op het scherm van het onthaal (60 dagen vertoond)"
    assert banner.label_in("fr") == banner.label
    with translation.override("nl"):
        assert banner.label_text.lang == "nl"
    OfferEntitlement.objects.filter(pk=banner.source_id).update(label_nl="")
    banner.source.refresh_from_db()
    assert (banner.label_in("nl"), banner.label_in("nl").lang) == (
        "Banner on the reception screen (shown for 60 days)",
        "en",
    )


def test_the_join_confirmation_e_mail_names_the_offers_in_the_applicants_language(submit):
    from ensemble.core.models import OutboundEmail

    submit(language="en")
    email = OutboundEmail.objects.filter(template="join_confirmation").latest("id")
    assert "Partner pack" in email.body_text
    assert "Pack partenaire" not in email.body_text


# ---- The back office: staff enter the three languages ------------------------------------------------


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_the_offer_form_shows_each_language_and_its_fallback(staff_client, season):
    pack = pack_of(season)
    catalogue = html_of(staff_client.get(reverse("backoffice:catalogue", kwargs={"office_slug": SLUG})))
    assert texts_url(pack) in catalogue
    assert "Langues : FR, EN, NL" in catalogue
    response = staff_client.get(texts_url(pack))
    html = html_of(response)
    form = response.context["form"]
    assert form["name_nl"].value() == "Partnerpakket"
    assert str(form.fields["name_nl"].help_text) == (
        "Si vide, les visiteurs lisent le texte en anglais, à défaut en français."
    )
    assert (
        str(form.fields["description_en"].help_text) == "Si vide, les visiteurs lisent le texte en français."
    )
    assert form.fields["name_nl"].widget.attrs["lang"] == "nl"
    banner = pack.entitlements.get(kind="screen_banner")
    assert form[f"rule_{banner.pk}_label_en"].value() == banner.label_en
    assert "Intitulé (néerlandais)" in html
    assert "Libellé du droit (anglais)" in html


def form_data(form) -> dict:
    return {name: form[name].value() or "" for name in form.fields}


def test_staff_change_the_texts_and_the_join_form_follows(staff_client, client, season, staff_user):
    pack = pack_of(season)
    banner = pack.entitlements.get(kind="screen_banner")
    data = form_data(staff_client.get(texts_url(pack)).context["form"])
    data.update(
        {
            "name_nl": "Pakket voor partners",
            "description_en": "",
            f"rule_{banner.pk}_label_nl": "Schermbanner",
        }
    )
    response = staff_client.post(texts_url(pack), data)
    assert response.status_code == 302
    pack.refresh_from_db()
    assert (pack.name, pack.name_nl, pack.description_en) == ("Pack partenaire", "Pakket voor partners", "")
    banner.refresh_from_db()
    assert banner.label_nl == "Schermbanner"
    entry = AuditEntry.objects.filter(action="offer.texts_set").latest("id")
    assert entry.actor == staff_user
    assert entry.data["changed"]["name_nl"] == ["Partnerpakket", "Pakket voor partners"]

    client.logout()
    html = html_of(client.get(JOIN, HTTP_ACCEPT_LANGUAGE="nl"))
    assert "Pakket voor partners — €\u00a090 incl. btw" in html
    assert "<li>Schermbanner</li>" in html


def test_the_french_name_is_required_and_nothing_is_written(staff_client, season):
    pack = pack_of(season)
    data = form_data(staff_client.get(texts_url(pack)).context["form"])
    before = Offer.objects.values().get(pk=pack.pk)
    response = staff_client.post(texts_url(pack), {**data, "name_fr": "  ", "name_en": "Changed"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["name_fr"] == [
        "Le texte français est obligatoire : il est montré quand une traduction manque."
    ]
    assert Offer.objects.values().get(pk=pack.pk) == before
    assert not AuditEntry.objects.filter(action="offer.texts_set").exists()


def test_a_too_long_name_is_refused_with_a_message(staff_client, season):
    pack = pack_of(season)
    data = form_data(staff_client.get(texts_url(pack)).context["form"])
    response = staff_client.post(texts_url(pack), {**data, "name_en": "x" * 201})
    assert response.status_code == 200
    assert response.context["form"].errors["name_en"]
    pack.refresh_from_db()
    assert pack.name_en == "Partner pack"


def test_another_offices_offer_is_not_found(staff_client, other_season):
    other = pack_of(other_season)
    assert staff_client.get(texts_url(other)).status_code == 404
    assert staff_client.post(texts_url(other), {"name_fr": "Piraté"}).status_code == 404
    other.refresh_from_db()
    assert other.name == "Pack partenaire"


def test_the_service_refuses_a_right_of_another_offer_and_writes_nothing(season, staff_user):
    pack = pack_of(season)
    stranger = OfferEntitlement.objects.exclude(offer=pack).first()
    with assert_refused("Ce droit ne fait pas partie de l'offre.", field="labels"):
        services.set_offer_texts(
            pack,
            texts={"name_en": "Changed"},
            labels={stranger.pk: {"label_en": "Hijacked"}},
            actor=staff_user,
        )
    pack.refresh_from_db()
    assert pack.name_en == "Partner pack"
    with pytest.raises(MembershipError):
        services.set_offer_texts(pack, texts={"name_de": "Partnerpaket"}, actor=staff_user)


def test_pasted_html_is_read_as_text(season, staff_user):
    pack = pack_of(season)
    services.set_offer_texts(
        pack,
        texts={"name_en": "<b>Partner</b>\n pack", "description_en": "<p>One</p><p>Two &amp; three</p>"},
        actor=staff_user,
    )
    pack.refresh_from_db()
    assert (pack.name_en, pack.description_en) == ("Partner pack", "One\nTwo & three")
    assert pack.name_nl == "Partnerpakket"  # a field not given is kept


def test_the_espace_pro_account_page_names_the_offers_in_english(client, make_membership):
    from .conftest import verified

    membership = make_membership("active", email="camille@moulin.example")
    client.force_login(verified(membership.applicant))
    html = html_of(
        client.get(f"/{SLUG}/espace-pro/compte/{membership.organisation_id}/", HTTP_ACCEPT_LANGUAGE="en")
    )
    assert "Partner pack" in html and "Pack partenaire" not in html
