"""English: the public pages and the partner's e-mails read in English, French stays French,
and both English catalogues are complete."""

import html as html_lib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from ensemble.core.models import OutboundEmail
from ensemble.memberships import services
from ensemble.memberships.models import Membership

from .test_public_join import JOIN_URL, form_data

CHARTER_URL = "/saint-omer/charte/"
THANKS_URL = "/saint-omer/adherer/merci/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CATALOGUES = [
    settings.BASE_DIR / "ensemble" / "locale" / "en" / "LC_MESSAGES" / "django.po",
    settings.BASE_DIR / "ensemble" / "backoffice" / "locale" / "en" / "LC_MESSAGES" / "django.po",
]


@pytest.fixture(autouse=True)
def _back_to_french():
    """LocaleMiddleware leaves the last request's language active in the thread: put French
    back so that the tests that follow (services writing French summaries) are not affected."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def text_of(response) -> str:
    """The page's HTML with entities decoded, so that apostrophes compare as typed."""
    return html_lib.unescape(response.content.decode())


def test_join_form_in_english(client, season):
    html = text_of(client.get(JOIN_URL, **EN))
    assert '<html lang="en">' in html
    for text in [
        "Membership form 2022",
        "Your establishment",
        "Trading name",
        "First name",
        "Postcode",
        "Bank transfer",
        "Partner pack — €90 incl. VAT",  # the offer's name_en, the price in English
        "Additional services (optional)",
        "Cheques should be made payable to SPL Tourisme en Pays de Saint-Omer.",
        "I have read the “Partner Club” charter and undertake to abide by it.",
        "I have read and accept the terms of sale.",
        "Send my membership request",
        ">Join<",
        ">Partner area<",
        ">Terms of sale<",
    ]:
        assert text in html, text
    for french in ["Bulletin d'adhésion", "Votre établissement", "Règlement", "Virement"]:
        assert french not in html, french


def test_join_form_errors_in_english(client, season):
    data = form_data(client, season, accept_charter=None, phone="12")
    html = text_of(client.post(JOIN_URL, data, **EN))
    assert "The form contains errors" in html
    assert "You must accept the charter to join." in html
    assert "This phone number is not valid." in html


def test_thanks_page_in_english(client, season, django_capture_on_commit_callbacks):
    data = form_data(client, season)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(JOIN_URL, data, follow=True, **EN)
    assert response.redirect_chain[-1][0].endswith(THANKS_URL)
    html = text_of(response)
    for text in [
        "Thank you, we have received your membership request",
        "Summary",
        "Partner pack",
        "Total to pay",
        "Bank transfer to the Office's account:",
        "Reference to quote: ADH-",
    ]:
        assert text in html, text
    assert Membership.objects.get().organisation.contacts.get().language == "en"
    assert mail.outbox[0].subject == "We have received your 2022 membership request"


def test_charter_page_in_english(client, season):
    html = text_of(client.get(CHARTER_URL, **EN))
    assert "Season 2022 — version" in html
    assert ">Charter<" in html


def test_french_request_stays_french(client, season):
    html = text_of(client.get(JOIN_URL, HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<html lang="fr">' in html
    assert "Bulletin d'adhésion 2022" in html
    assert "Pack partenaire — 90\u00a0€ TTC" in html
    assert "Membership form" not in html
    assert "Saison 2022 — version" in text_of(client.get(CHARTER_URL))


def test_language_cookie_chooses_english(client, season):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Membership form 2022" in text_of(client.get(JOIN_URL))


def test_join_confirmation_email_in_english(submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership = submit(language="en").membership
    assert OutboundEmail.objects.get().language == "en"
    message = mail.outbox[0]
    assert message.subject == "We have received your 2022 membership request"
    body = message.body
    for text in [
        "Hello Camille,",
        "has received your request to join the 2022 Partner Club.",
        "- Partner pack : €90.00 incl. VAT",
        "Total to pay: €90.00 incl. VAT",
        "Payment by cheque, payable to: SPL Tourisme en Pays de Saint-Omer",
        "Choose your password to access your partner area:",
    ]:
        assert text in body, text
    for french in ["Bonjour", "Total à régler", "TTC", "espace pro"]:
        assert french not in body, french
    html = message.alternatives[0].content
    assert '<html lang="en">' in html and "Total to pay: €90.00 incl. VAT" in html
    assert membership.organisation.contacts.get().language == "en"


def test_join_confirmation_email_in_french_by_default(submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit()
    message = mail.outbox[0]
    assert message.subject == "Votre demande d'adhésion 2022 est bien reçue"
    assert "- Pack partenaire : 90,00 € TTC" in message.body
    assert '<html lang="fr">' in message.alternatives[0].content


def test_accepted_email_states_the_amount(make_membership, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_membership(Membership.Status.AWAITING_PAYMENT, language="en")
    # The acceptance, before the invoice that follows it (PDF attached, issue 12 A5).
    message = [m for m in mail.outbox if not m.attachments][-1]
    assert message.subject == "Your 2022 membership request has been approved"
    assert "your payment of €90.00 incl. VAT." in message.body


def test_status_emails_in_english(make_membership, staff_user, django_capture_on_commit_callbacks):
    membership = make_membership(Membership.Status.ACTIVE, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_membership(membership, actor=staff_user, reason="Listing out of date")
    message = mail.outbox[-1]
    assert message.subject == "Suspension of your 2022 membership"
    assert "Your 2022 membership is suspended (terms of sale, article 2)." in message.body
    assert "Reason: Listing out of date" in message.body


# --- The catalogues themselves ---

ENTRY = re.compile(
    r"(?P<comments>(?:^#.*\n)*)"
    r"(?:^msgctxt (?P<ctx>\".*\"\n(?:\".*\"\n)*))?"
    r"^msgid (?P<id>\".*\"\n(?:\".*\"\n)*)"
    r"(?:^msgid_plural (?P<plural>\".*\"\n(?:\".*\"\n)*))?"
    r"(?P<strs>(?:^msgstr(?:\[\d+\])? \".*\"\n(?:\".*\"\n)*)+)",
    re.MULTILINE,
)


def _text(quoted: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', quoted))


def po_entries(path: Path):
    """(msgid, [msgstr…], flags) for every entry but the header; obsolete (#~) ones are skipped."""
    content = path.read_text(encoding="utf-8") + "\n"
    for match in ENTRY.finditer(content):
        msgid = _text(match["id"])
        if not msgid:
            continue
        flags = {
            flag.strip()
            for line in match["comments"].splitlines()
            if line.startswith("#,")
            for flag in line[2:].split(",")
        }
        strs = [_text(s) for s in re.split(r"^msgstr(?:\[\d+\])? ", match["strs"], flags=re.M)[1:]]
        yield msgid, strs, flags


@pytest.mark.parametrize("path", CATALOGUES, ids=["ensemble", "backoffice"])
def test_english_catalogue_is_complete(path):
    assert path.with_suffix(".mo").exists(), "compile the catalogue (compilemessages)"
    entries = list(po_entries(path))
    assert len(entries) > 100
    assert path.read_text(encoding="utf-8").count("\nmsgid ") == len(entries) + 1  # parsed all
    for msgid, strs, flags in entries:
        assert "fuzzy" not in flags, msgid
        assert all(s.strip() for s in strs), f"untranslated: {msgid}"
        if "python-format" in flags:
            expected = sorted(re.findall(r"%\(\w+\)s", msgid))
            assert all(sorted(re.findall(r"%\(\w+\)s", s)) == expected for s in strs), msgid


def test_the_english_join_form_shows_the_services_refusals_in_english(client, season, submit):
    """The service's own refusal (an organisation that already asked this season), not a form
    check: it reaches the English form in English, and the French one in French."""
    from ensemble.directory.models import Organisation

    first = submit(email="louise@table-marais.example")
    siret = Organisation.objects.get(pk=first.membership.organisation_id).siret
    data = form_data(client, season, siret=siret, email="autre@table-marais.example")
    html = text_of(client.post(JOIN_URL, data, **EN))
    assert "already has a request or a membership for 2022" in html
    assert "a déjà une demande" not in html
    data = form_data(client, season, siret=siret, email="autre@table-marais.example")
    html = text_of(client.post(JOIN_URL, data, HTTP_ACCEPT_LANGUAGE="fr"))
    assert "a déjà une demande ou une adhésion pour 2022" in html


def test_service_messages_follow_the_active_language(season):
    from ensemble.memberships.errors import MembershipError
    from tests.conftest import EVIDENCE, make_application

    for language, expected in (
        ("en", "You must accept the charter to join."),
        ("fr", "Vous devez accepter la charte"),
    ):
        with translation.override(language), pytest.raises(MembershipError) as refused:
            services.submit_join_request(
                season.office, make_application(season, accepted_charter_id=None), evidence=EVIDENCE
            )
        assert refused.value.message.startswith(expected)
