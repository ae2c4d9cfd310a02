"""The charter and the CGV in each language (issue 12, C3).

The English join form showed the charter and the CGV in French only. Each document now has its
French, English and Dutch versions (a missing one shows the French text, marked as such), the
acceptance records the version and the language read, and staff enter each language's text."""

from html import unescape

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation

from ensemble.accounts.models import StaffMembership
from ensemble.accounts.roles import Role
from ensemble.core.models import AuditEntry
from ensemble.memberships import services
from ensemble.memberships.models import Membership, TermsAcceptance, TermsDocument

from .conftest import EVIDENCE, assert_refused, offer, row_counts
from .test_public_join import JOIN_URL, form_data

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}
FALLBACK_NOTICE = "Ce document n'existe pas dans votre langue"
FALLBACK_NOTICE_EN = "This document is not available in your language"
FALLBACK_NOTICE_NL = "Dit document bestaat niet in uw taal"
NOTICES = (FALLBACK_NOTICE, FALLBACK_NOTICE_EN, FALLBACK_NOTICE_NL)
CHARTER_EN = "As a partner, you commit to an active partnership"
CHARTER_NL = "Als partner gaat u een actief partnerschap aan"
CHARTER_FR = "En tant que partenaire, vous vous engagez"
CGV_EN = "ARTICLE 1: GENERAL FRAMEWORK"
CGV_FR = "ARTICLE 1 : CADRE GENERAL"


@pytest.fixture(autouse=True)
def _back_to_french():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def current(season) -> dict[str, TermsDocument]:
    return {d.kind: d for d in TermsDocument.objects.filter(season=season, is_current=True)}


def page(response) -> str:
    return unescape(response.content.decode())


# ---- the documents and their texts -------------------------------------------------------------


def test_the_guides_charter_and_cgv_come_in_their_languages(season):
    docs = current(season)
    assert docs["charter"].languages() == ["fr", "en", "nl"]
    assert docs["cgv"].languages() == ["fr", "en"]  # the CGV has no Dutch version
    assert docs["charter"].title_en == "“Club Partenaire” charter"
    assert docs["cgv"].body_en.startswith(CGV_EN)
    assert "31 December 2022" in docs["cgv"].body_en  # the season's year, as in French


def test_a_text_in_a_language_or_the_french_one_marked_as_such(season):
    docs = current(season)
    english = docs["cgv"].text_in("en-gb")
    assert (english.language, english.is_fallback, english.title) == ("en", False, docs["cgv"].title_en)
    dutch = docs["cgv"].text_in("nl")
    assert (dutch.language, dutch.is_fallback, dutch.body) == ("fr", True, docs["cgv"].body)
    assert docs["charter"].text_in("nl").body.startswith(CHARTER_NL)
    french = docs["charter"].text_in("fr")
    assert (french.is_fallback, french.content_hash) == (False, docs["charter"].content_hash)
    assert docs["charter"].text_in("de").is_fallback  # a language the office does not write in


# ---- what the person reads and accepts -----------------------------------------------------------


def test_the_english_join_form_shows_the_english_charter_and_cgv(client, season):
    html = page(client.get(JOIN_URL, **EN))
    assert CHARTER_EN in html and CGV_EN in html
    assert CHARTER_FR not in html and CGV_FR not in html
    assert not any(notice in html for notice in NOTICES)
    assert '<input type="hidden" name="terms_language" value="en"' in html


def test_the_dutch_join_form_marks_the_french_cgv(client, season):
    html = page(client.get(JOIN_URL, **NL))
    assert CHARTER_NL in html
    assert CGV_FR in html and CGV_EN not in html  # no Dutch CGV: the French text …
    assert html.count(FALLBACK_NOTICE_NL) == 1  # … said once (in Dutch), for the CGV only
    assert FALLBACK_NOTICE not in html
    assert 'aria-labelledby="cgv-title" lang="fr" aria-describedby="cgv-title-fallback"' in html


def test_the_french_join_form_is_unchanged(client, season):
    html = page(client.get(JOIN_URL))
    assert CHARTER_FR in html and CGV_FR in html and not any(notice in html for notice in NOTICES)


def test_an_english_applicant_accepts_the_english_texts(client, season):
    data = form_data(client, season)
    response = client.post(JOIN_URL, {**data, "terms_language": "en"}, **EN)
    assert response.status_code == 302
    docs = current(season)
    accepted = {a.kind: a for a in TermsAcceptance.objects.filter(membership=Membership.objects.get())}
    for kind in ("charter", "cgv"):
        document = docs[kind]
        acceptance = accepted[kind]
        assert (acceptance.document_id, acceptance.version, acceptance.language) == (document.pk, 1, "en")
        assert (acceptance.title, acceptance.text) == (document.title_en, document.body_en)
        assert acceptance.content_hash == TermsDocument.hash_text(document.title_en, document.body_en)
        assert acceptance.content_hash != document.content_hash  # not the French text's


def test_a_dutch_applicant_accepts_the_dutch_charter_and_the_french_cgv(client, season):
    data = form_data(client, season)
    assert client.post(JOIN_URL, {**data, "terms_language": "nl"}, **NL).status_code == 302
    accepted = {a.kind: a for a in TermsAcceptance.objects.all()}
    assert (accepted["charter"].language, accepted["cgv"].language) == ("nl", "fr")
    assert accepted["charter"].text.startswith(CHARTER_NL)
    assert accepted["cgv"].text == current(season)["cgv"].body


def test_the_language_read_is_the_one_the_page_was_shown_in(client, season):
    """The hidden field carries the page's language: switching language between reading and
    sending does not change what was read."""
    html = client.get(JOIN_URL).content.decode()  # read in French
    assert '<input type="hidden" name="terms_language" value="fr"' in html
    data = {**form_data(client, season), "terms_language": "fr"}
    assert client.post(JOIN_URL, data, **EN).status_code == 302  # sent from an English page
    assert set(TermsAcceptance.objects.values_list("language", flat=True)) == {"fr"}


def test_the_service_records_the_language_of_the_text(submit):
    membership = submit(terms_language="en").membership
    assert {(a.kind, a.language) for a in membership.acceptances.all()} == {("charter", "en"), ("cgv", "en")}
    membership = submit(email="autre@marais.example", language="en", terms_language="").membership
    assert set(membership.acceptances.values_list("language", flat=True)) == {"en"}  # the applicant's


def test_the_recorded_language_is_evidence_raw_sql_cannot_rewrite(submit):
    acceptance = TermsAcceptance.objects.filter(membership=submit().membership).first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE memberships_termsacceptance SET language = 'en' WHERE id = %s", [acceptance.pk]
        )
    acceptance.refresh_from_db()
    assert acceptance.language == "fr"


@pytest.mark.parametrize(
    ("headers", "expected", "notice"), [(EN, CGV_EN, False), (NL, CGV_FR, True), ({}, CGV_FR, False)]
)
def test_the_full_page_cgv_in_each_language(client, season, headers, expected, notice):
    html = page(client.get("/saint-omer/cgv/", **headers))
    assert expected in html
    assert any(text in html for text in NOTICES) is notice
    assert (FALLBACK_NOTICE_NL in html) is (notice and headers == NL)


def test_a_renewal_in_english_accepts_the_english_texts(make_membership, season):
    active = make_membership(Membership.Status.ACTIVE, options={offer(season, "formation-neerlandais").pk: 1})
    next_season = services.open_season(services.prepare_next_season(season))
    docs = current(next_season)
    assert docs["charter"].languages() == ["fr", "en", "nl"]  # the texts go to next season
    assert "2023" in docs["cgv"].body_en and "2022" not in docs["cgv"].body_en
    renewal = services.renew_from_portal(
        active,
        actor=active.applicant,
        accepted_terms=[d.pk for d in docs.values()],
        evidence=EVIDENCE,
        language="en",
    )
    assert {(a.kind, a.language, a.text) for a in renewal.acceptances.all()} == {
        ("charter", "en", docs["charter"].body_en),
        ("cgv", "en", docs["cgv"].body_en),
    }


# ---- publishing the texts ----------------------------------------------------------------------


def test_publishing_a_version_with_its_translations(season, staff_user):
    document = services.publish_terms(
        season,
        kind="charter",
        title="Charte",
        body="Texte français.",
        translations={"en": ("Charter", "English text."), "nl": ("", "")},
        actor=staff_user,
    )
    assert (document.version, document.languages()) == (2, ["fr", "en"])
    assert document.text_in("nl").is_fallback
    entry = AuditEntry.objects.filter(action="terms.published").latest("id")
    assert entry.data["languages"] == ["fr", "en"]


HALF_EN = "Version en anglais : indiquez aussi le texte, ou laissez les deux vides."
HALF_NL = "Version en néerlandais : indiquez aussi le titre, ou laissez les deux vides."


@pytest.mark.parametrize(
    ("translations", "message", "field"),
    [
        ({"en": ("Charter", "")}, HALF_EN, "body_en"),
        ({"nl": ("", "Tekst.")}, HALF_NL, "title_nl"),
        ({"de": ("Charta", "Text.")}, "Langue inconnue : de.", None),
    ],
)
def test_a_half_translation_is_refused_and_nothing_written(season, staff_user, translations, message, field):
    with assert_refused(message, field=field):
        services.publish_terms(
            season, kind="charter", title="Charte", body="Texte.", translations=translations, actor=staff_user
        )
    assert current(season)["charter"].version == 1


# ---- the back office ---------------------------------------------------------------------------


def terms_url(season, kind="charter", office="saint-omer"):
    return reverse(
        "backoffice:terms_publish", kwargs={"office_slug": office, "season_pk": season.pk, "kind": kind}
    )


@pytest.fixture
def staff_client(client, staff_user):
    StaffMembership.objects.filter(user=staff_user).update(role=Role.PARTNERS)
    client.force_login(staff_user)
    return client


def test_staff_enter_each_languages_text(staff_client, season):
    catalogue = page(staff_client.get(reverse("backoffice:catalogue", kwargs={"office_slug": "saint-omer"})))
    assert terms_url(season) in catalogue
    form = page(staff_client.get(terms_url(season, "cgv")))
    assert 'name="body_en"' in form and 'name="body_nl"' in form
    assert CGV_EN in form  # starts from the current version's texts
    cgv = current(season)["cgv"]
    data = {
        "title": cgv.title,
        "body": cgv.body,
        "title_en": cgv.title_en,
        "body_en": cgv.body_en,
        "title_nl": "Algemene verkoopvoorwaarden",
        "body_nl": "ARTIKEL 1: ALGEMEEN KADER",
    }
    response = staff_client.post(terms_url(season, "cgv"), data)
    assert response.status_code == 302
    new = current(season)["cgv"]
    assert (new.version, new.languages(), new.body_nl) == (2, ["fr", "en", "nl"], "ARTIKEL 1: ALGEMEEN KADER")
    assert new.content_hash == cgv.content_hash  # the French text did not change


def test_a_bad_form_shows_its_error_and_writes_nothing(staff_client, season):
    before = row_counts(), TermsDocument.objects.count()
    data = {
        "title": "Charte",
        "body": "Texte.",
        "title_en": "Charter",
        "body_en": "",
        "title_nl": "",
        "body_nl": "",
    }
    response = staff_client.post(terms_url(season), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "body_en": ["Version en anglais : indiquez aussi le texte, ou laissez les deux vides."]
    }
    assert (row_counts(), TermsDocument.objects.count()) == before


def test_another_offices_season_or_an_unknown_document_is_not_found(staff_client, season, other_season):
    assert staff_client.get(terms_url(other_season)).status_code == 404
    assert staff_client.get(terms_url(season, "reglement")).status_code == 404


def test_a_read_only_role_cannot_publish(client, staff_user, season):
    StaffMembership.objects.filter(user=staff_user).update(role=Role.READ_ONLY)
    client.force_login(staff_user)
    assert client.get(terms_url(season)).status_code == 200
    data = {"title": "Charte", "body": "Texte."}
    assert client.post(terms_url(season), data).status_code == 403
    assert current(season)["charter"].version == 1
