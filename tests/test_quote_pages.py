"""The quote pages: the signed public link, the espace pro, the back office; each refusal leaves
the quote as it was, and another organisation's or office's quote answers 404."""

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from ensemble.billing import services
from ensemble.billing.amounts import LineInput
from ensemble.billing.errors import BillingError
from ensemble.billing.models import Invoice, Quote
from ensemble.billing.quote_pdf import pdf_token, quote_html, quote_pdf
from ensemble.core.models import Office
from ensemble.directory.services import grant_portal_access

from .browser import assert_accessible, log_in, screenshot
from .conftest import SEASON_DAY, offer, verified
from .factories import ContactFactory, OrganisationFactory, UserFactory
from .test_billing_pdf import pdf_text

S = Quote.State
AFTER_VALIDITY = SEASON_DAY + datetime.timedelta(days=31)  # the day after valid_until (27/01/2023)
BROWSER = {"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux) Firefox/120.0"}


def public_url(office, quote) -> str:
    return f"/{office.slug}/devis/{services.quote_token(quote)}/"


def state_of(quote) -> str:
    return Quote.objects.values_list("state", flat=True).get(pk=quote.pk)


@pytest.fixture
def organisation(office):
    organisation = OrganisationFactory(office=office, name="EURL La Grange aux Étoiles")
    ContactFactory(organisation=organisation, first_name="Hugo", email="hugo@grange.example")
    return organisation


@pytest.fixture
def partner(organisation):
    user = UserFactory(email="hugo@grange.example")
    grant_portal_access(organisation, user=user)
    return user


def make_quote(organisation, season, actor, *, send=True, price="600.00") -> Quote:
    line = LineInput(
        label="Pack événementiel — salon des saveurs",
        quantity=Decimal(1),
        vat_rate=Decimal(20),
        unit_price_ttc=Decimal(price),
        offer_id=offer(season, "evenementiel").pk,
    )
    quote = services.create_quote_draft(organisation, lines=[line], actor=actor)
    return services.send_quote(quote, actor=actor) if send else quote


@pytest.fixture
def sent(organisation, season, staff_user):
    return make_quote(organisation, season, staff_user)


# --- The public link ---------------------------------------------------------------------------


def test_link_shows_the_quote_with_its_totals_and_both_choices(client, office, sent):
    response = client.get(public_url(office, sent))
    html = response.content.decode()
    assert response.status_code == 200
    for expected in (
        "DE-2022-00001",
        "Pack événementiel — salon des saveurs",
        "500,00",
        "600,00",
        "27/01/2023",
    ):
        assert expected in html
    assert "Accepter le devis" in html and "Refuser le devis" in html
    assert 'for="id_reason"' in html  # the optional reason has its label


def test_accept_from_the_link_records_the_ip_and_browser(client, office, sent):
    url = public_url(office, sent)
    response = client.post(url, {"action": "accept"}, **BROWSER)
    assert response.status_code == 302 and response["Location"] == url
    sent.refresh_from_db()
    assert sent.state == S.ACCEPTED
    assert (sent.decided_ip, sent.decided_user_agent, sent.decided_by) == (
        "203.0.113.9",
        BROWSER["HTTP_USER_AGENT"],
        None,
    )
    done = client.get(url).content.decode()
    assert "votre acceptation a été enregistrée" in done
    assert "Accepter le devis" not in done
    again = client.post(url, {"action": "decline"}, **BROWSER)
    assert again.status_code == 302 and state_of(sent) == S.ACCEPTED


def test_a_logged_in_partner_accepting_from_the_link_is_recorded(client, office, sent, partner):
    client.force_login(partner)
    client.post(public_url(office, sent), {"action": "accept"}, **BROWSER)
    sent.refresh_from_db()
    assert sent.decided_by == partner


def test_decline_from_the_link_with_a_reason(client, office, sent):
    url = public_url(office, sent)
    client.post(url, {"action": "decline", "reason": "Nous organisons le salon nous-mêmes."}, **BROWSER)
    sent.refresh_from_db()
    assert (sent.state, sent.decline_reason, sent.decided_ip) == (
        S.DECLINED,
        "Nous organisons le salon nous-mêmes.",
        "203.0.113.9",
    )
    assert "Votre refus a été enregistré" in client.get(url).content.decode()


def test_a_too_long_reason_is_shown_on_its_field_and_nothing_changes(client, office, sent):
    response = client.post(public_url(office, sent), {"action": "decline", "reason": "x" * 2001}, **BROWSER)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_reason_error"' in html and 'aria-describedby="id_reason_error' in html
    assert state_of(sent) == S.SENT


def test_a_tampered_link_answers_400_and_changes_nothing(client, office, sent):
    token = services.quote_token(sent)
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "abc"):
        url = f"/{office.slug}/devis/{bad}/"
        for response in (client.get(url), client.post(url, {"action": "accept"}, **BROWSER)):
            assert response.status_code == 400
            assert "Ce lien de devis n&#x27;est pas valide" in response.content.decode()
    assert state_of(sent) == S.SENT


def test_a_link_on_another_office_answers_400(client, other_office, sent):
    response = client.post(f"/{other_office.slug}/devis/{services.quote_token(sent)}/", {"action": "accept"})
    assert response.status_code == 400 and state_of(sent) == S.SENT


def test_an_expired_link_answers_410_and_changes_nothing(client, office, sent):
    url = public_url(office, sent)
    with time_machine.travel(AFTER_VALIDITY):
        for response in (client.get(url), client.post(url, {"action": "accept"}, **BROWSER)):
            assert response.status_code == 410
            html = response.content.decode()
            assert "Ce devis a expiré" in html and "27/01/2023" in html
    sent.refresh_from_db()
    assert (sent.state, sent.decided_at, sent.decided_ip) == (S.SENT, None, None)


# --- The espace pro ---------------------------------------------------------------------------


def portal(office, name="quotes", **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs={"office_slug": office.slug, **kwargs})


def test_portal_lists_the_partners_sent_quotes_only(client, office, season, sent, partner, staff_user):
    make_quote(sent.organisation, season, staff_user, send=False, price="999.00")  # a draft
    stranger = OrganisationFactory(office=office, name="SAS Le Moulin Caché")
    make_quote(stranger, season, staff_user, price="777.00")
    client.force_login(partner)
    html = client.get(portal(office)).content.decode()
    assert "DE-2022-00001" in html and "600,00" in html
    assert "999,00" not in html and "777,00" not in html and "Moulin Caché" not in html
    assert f'for="id_quote-{sent.pk}-reason"' in html


def test_portal_accept(client, office, sent, partner):
    client.force_login(partner)
    response = client.post(portal(office, "quote_accept", quote_id=sent.pk), **BROWSER)
    assert response.status_code == 302 and response["Location"] == portal(office)
    sent.refresh_from_db()
    assert (sent.state, sent.decided_by, sent.decided_ip) == (S.ACCEPTED, partner, "203.0.113.9")
    html = client.get(portal(office)).content.decode()
    assert "Devis DE-2022-00001 accepté" in html
    assert portal(office, "quote_accept", quote_id=sent.pk) not in html  # no more buttons


def test_portal_decline_with_a_reason(client, office, sent, partner):
    client.force_login(partner)
    data = {f"quote-{sent.pk}-reason": "Le projet est reporté."}
    client.post(portal(office, "quote_decline", quote_id=sent.pk), data, **BROWSER)
    sent.refresh_from_db()
    assert (sent.state, sent.decline_reason, sent.decided_by) == (
        S.DECLINED,
        "Le projet est reporté.",
        partner,
    )


def test_portal_refusal_is_a_message_and_changes_nothing(client, office, sent, partner):
    with time_machine.travel(AFTER_VALIDITY):
        client.force_login(partner)  # a session from a month ago would have expired
        response = client.post(portal(office, "quote_accept", quote_id=sent.pk), follow=True)
    assert "Ce devis était valable jusqu&#x27;au 27/01/2023" in response.content.decode()
    assert state_of(sent) == S.SENT


def test_portal_another_organisations_quote_answers_404(client, office, season, staff_user, partner):
    stranger = OrganisationFactory(office=office)
    theirs = make_quote(stranger, season, staff_user)
    client.force_login(partner)
    assert client.post(portal(office, "quote_accept", quote_id=theirs.pk)).status_code == 404
    assert client.post(portal(office, "quote_decline", quote_id=theirs.pk)).status_code == 404
    assert state_of(theirs) == S.SENT


def test_portal_quotes_of_another_office_answer_404(client, other_office, sent, partner):
    client.force_login(partner)
    assert client.post(portal(other_office, "quote_accept", quote_id=sent.pk)).status_code == 404
    assert state_of(sent) == S.SENT


def test_portal_needs_a_login(client, office, sent):
    assert client.get(portal(office))["Location"].startswith("/comptes/login/")
    assert client.post(portal(office, "quote_accept", quote_id=sent.pk)).status_code == 302
    assert state_of(sent) == S.SENT


def test_portal_list_query_budget(client, office, season, partner, staff_user, django_assert_max_num_queries):
    organisation = partner.organisations.get()
    for _ in range(12):
        make_quote(organisation, season, staff_user)
    client.force_login(partner)
    with django_assert_max_num_queries(12):
        assert client.get(portal(office)).status_code == 200


# --- The back office ----------------------------------------------------------------------------


def bo(office, name, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": office.slug, **kwargs})


def compose_data(organisation, *rows, valid_days="15") -> dict:
    data = {
        "organisation": organisation.pk,
        "valid_days": valid_days,
        "note": "",
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "5",
    }
    for i in range(5):
        row = {"offer": "", "label": "", "quantity": "1", "unit_price_ttc": "", "vat_rate": "20"}
        if i < len(rows):
            row.update(rows[i])
        data.update({f"lines-{i}-{key}": value for key, value in row.items()})
    return data


def test_backoffice_compose_send_and_convert(
    client, office, season, staff_user, organisation, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    form = client.get(bo(office, "quote_create") + f"?organisation={organisation.pk}").content.decode()
    assert 'id="id_lines-4-offer"' in form and "Pack gamification" in form
    gamification = offer(season, "gamification")
    data = compose_data(
        organisation,
        {"offer": gamification.pk, "unit_price_ttc": "1 200,00"},
        {"label": "Atelier supplémentaire", "quantity": "2", "unit_price_ttc": "90,00"},
    )
    response = client.post(bo(office, "quote_create"), data)
    quote = Quote.objects.get()
    assert response["Location"] == bo(office, "quote", pk=quote.pk)
    assert (quote.state, quote.valid_days, quote.total_ttc) == (S.DRAFT, 15, Decimal("1380.00"))
    assert [line.label for line in quote.lines.all()] == ["Pack gamification", "Atelier supplémentaire"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bo(office, "quote_send", pk=quote.pk), follow=True)
    html = response.content.decode()
    assert "Devis DE-2022-00001 envoyé" in html
    assert f"/{office.slug}/devis/" in html  # the link staff can copy
    assert "Transformer en facture" not in html
    assert [m.to for m in mail.outbox] == [["hugo@grange.example"]]

    services.accept_quote(quote, user=None, ip="203.0.113.9", user_agent="Firefox")
    html = client.get(bo(office, "quote", pk=quote.pk)).content.decode()
    assert "203.0.113.9" in html and "Transformer en facture" in html

    response = client.post(bo(office, "quote_invoice", pk=quote.pk))
    invoice = Invoice.objects.get()
    assert response["Location"] == bo(office, "invoice", pk=invoice.pk)
    assert invoice.total_ttc == Decimal("1380.00")
    again = client.post(bo(office, "quote_invoice", pk=quote.pk), follow=True)
    assert "Ce devis est déjà facturé (FA-2022-00001)." in again.content.decode()
    assert Invoice.objects.count() == 1
    assert "DE-2022-00001" in client.get(bo(office, "quotes")).content.decode()


def test_backoffice_compose_needs_a_line_and_a_price(client, office, season, staff_user, organisation):
    client.force_login(staff_user)
    html = client.post(bo(office, "quote_create"), compose_data(organisation)).content.decode()
    assert "Indiquez au moins une ligne." in html
    html = client.post(
        bo(office, "quote_create"), compose_data(organisation, {"quantity": "3"})
    ).content.decode()
    assert "Indiquez la désignation de la ligne ou choisissez une prestation." in html
    assert "Indiquez le prix unitaire TTC." in html
    assert 'aria-describedby="id_lines-0-unit_price_ttc_error"' in html
    assert not Quote.objects.exists()


def test_backoffice_cannot_convert_a_sent_quote(client, office, sent, staff_user):
    client.force_login(staff_user)
    response = client.post(bo(office, "quote_invoice", pk=sent.pk), follow=True)
    assert "Seul un devis accepté se transforme en facture" in response.content.decode()
    assert state_of(sent) == S.SENT and not Invoice.objects.exists()


def test_backoffice_other_office_answers_404(
    client, other_staff_user, office, other_office, sent, organisation
):
    client.force_login(other_staff_user)
    for name in ("quote", "quote_send", "quote_invoice"):
        assert client.get(bo(other_office, name, pk=sent.pk)).status_code == 404
        assert client.post(bo(other_office, name, pk=sent.pk)).status_code == 404
    assert client.get(bo(office, "quotes")).status_code == 404
    # another office's organisation cannot be chosen
    data = compose_data(organisation, {"label": "Atelier", "unit_price_ttc": "90"})
    html = client.post(bo(other_office, "quote_create"), data).content.decode()
    assert "Sélectionnez un choix valide" in html
    assert Quote.objects.count() == 1 and state_of(sent) == S.SENT


def test_backoffice_list_query_budget(
    client, office, season, staff_user, organisation, django_assert_max_num_queries
):
    for _ in range(15):
        make_quote(organisation, season, staff_user, send=False)
    client.force_login(staff_user)
    with django_assert_max_num_queries(12):
        html = client.get(bo(office, "quotes")).content.decode()
    assert html.count("brouillon") >= 15


# --- In a real Chromium: axe-core on every quote page, errors included ---------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_quote_pages_are_accessible(browser, live_server, office, season, staff_user, organisation, partner):
    verified(partner)
    first = make_quote(organisation, season, staff_user)
    second = make_quote(organisation, season, staff_user, price="250.00")
    page = browser.new_page(locale="fr-FR")

    # The public link: the quote, a refusal with a too long reason, then the acceptance.
    page.goto(live_server.url + public_url(office, first))
    assert_accessible(page)
    screenshot(page, "quote-public")
    page.get_by_label("Motif du refus (facultatif)").evaluate(
        "el => el.removeAttribute('maxlength')"
    )  # as a script could
    page.get_by_label("Motif du refus (facultatif)").fill("x" * 2001)
    page.get_by_role("button", name="Refuser le devis").click()
    page.get_by_text("Le formulaire contient des erreurs").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Accepter le devis").click()
    page.get_by_text("votre acceptation a été enregistrée").wait_for()
    assert_accessible(page)
    page.goto(f"{live_server.url}/{office.slug}/devis/abc/")
    assert_accessible(page)

    # The espace pro.
    log_in(page, live_server, partner)
    page.goto(f"{live_server.url}/{office.slug}/espace-pro/devis/")
    assert_accessible(page)
    screenshot(page, "quote-portal")
    page.get_by_role("button", name=f"Refuser le devis {second.number}").click()
    page.get_by_text(f"Devis {second.number} refusé.").wait_for()
    assert_accessible(page)

    # The back office: the list, the form with its errors, a quote's page.
    page.context.clear_cookies()
    log_in(page, live_server, staff_user)
    base = f"{live_server.url}/{office.slug}/gestion/devis/"
    for url in (base, f"{base}{first.pk}/", f"{base}nouveau/"):
        page.goto(url)
        assert_accessible(page)
    page.get_by_label("Organisation").select_option(str(organisation.pk))
    page.locator("#id_lines-0-quantity").fill("2")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("Indiquez le prix unitaire TTC.").wait_for()
    assert page.locator("#id_lines-0-unit_price_ttc").get_attribute("aria-describedby") == (
        "id_lines-0-unit_price_ttc_error"
    )
    assert_accessible(page)
    screenshot(page, "quote-backoffice-form-errors")


# --- The quote PDF --------------------------------------------------------------------------------


def pdf_url(office, quote) -> str:
    return f"/{office.slug}/devis/{services.quote_token(quote)}/pdf/"


def assert_pdf(response, quote) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{quote.number}.pdf"'
    content = response.content
    assert content.startswith(b"%PDF-")
    return content


@pytest.fixture
def legal_office(office):
    Office.objects.filter(pk=office.pk).update(
        legal_name="SPL Tourisme en Pays de Saint-Omer",
        legal_form="SPL",
        share_capital="150 000 €",
        siret="83215467300018",
        address="7 place Victor Hugo",
        postcode="62500",
        city="Saint-Omer",
    )
    office.refresh_from_db()
    return office


def test_the_pdf_prints_the_quote_its_totals_validity_link_and_conditions(legal_office, sent):
    sent.refresh_from_db()
    text = pdf_text(quote_pdf(sent))
    for expected in (
        "Devis",
        "N° DE-2022-00001",
        "SPL Tourisme en Pays de Saint-Omer",
        "SIRET 83215467300018",
        "EURL La Grange aux Étoiles",
        "Pack événementiel — salon des saveurs",
        "20,00 %",
        "Total HT 500,00 €",
        "Total TVA 100,00 €",
        "Total TTC 600,00 €",
        "Date du devis 28/12/2022",
        "Valable jusqu'au 27/01/2023 inclus",
        "CONDITIONS DES PRESTATIONS SUR DEVIS",  # h2, upper-cased by the CSS
        "gestion de la billetterie de votre événement",  # the on-quote offer's description
        "Pour l'accepter ou le refuser en ligne, ouvrez ce lien",
        f"/{legal_office.slug}/devis/",
    ):
        assert expected in text, expected


def test_the_link_printed_on_the_pdf_works_and_does_not_depend_on_the_clock(office, sent):
    sent.refresh_from_db()
    token = pdf_token(sent)
    with time_machine.travel(SEASON_DAY + datetime.timedelta(days=3, seconds=7), tick=False):
        assert pdf_token(sent) == token
    assert services.quote_from_token(office, token) == sent
    assert f"/{office.slug}/devis/{token}/" in quote_html(sent)


def test_rendering_twice_gives_the_same_bytes_whatever_the_clock(sent):
    sent.refresh_from_db()
    first = quote_pdf(sent)
    with time_machine.travel(SEASON_DAY + datetime.timedelta(days=10, seconds=17), tick=False):
        second = quote_pdf(sent)
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    info = PdfReader(io.BytesIO(first)).metadata
    assert info["/CreationDate"] == sent.sent_at.astimezone(datetime.UTC).strftime("D:%Y%m%d%H%M%SZ")
    assert info["/Title"] == "Devis DE-2022-00001"


def test_a_draft_has_no_pdf(organisation, season, staff_user):
    draft = make_quote(organisation, season, staff_user, send=False)
    with pytest.raises(BillingError, match="Un devis en brouillon n'a pas de PDF"):
        quote_pdf(draft)


def test_public_page_offers_the_pdf_with_the_same_token_checks(client, office, other_office, sent):
    token = services.quote_token(sent)
    page, url = f"/{office.slug}/devis/{token}/", f"/{office.slug}/devis/{token}/pdf/"
    html = client.get(page).content.decode()
    assert f'href="{url}"' in html and "Télécharger le devis (PDF)" in html
    content = assert_pdf(client.get(url), sent)
    assert "Total TTC 600,00 €" in pdf_text(content)
    assert client.post(url).status_code == 405
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/{office.slug}/devis/{tampered}/pdf/").status_code == 400
    assert client.get(f"/{other_office.slug}/devis/{token}/pdf/").status_code == 400
    with time_machine.travel(AFTER_VALIDITY):
        response = client.get(url)
    assert response.status_code == 410 and "Ce devis a expiré" in response.content.decode()
    services.accept_quote(sent, user=None, ip="203.0.113.9", user_agent="Firefox")
    assert f'href="{url}"' in client.get(page).content.decode()  # a decided quote keeps its PDF
    assert assert_pdf(client.get(url), sent) == content  # the document as sent, unchanged
    assert state_of(sent) == S.ACCEPTED


def test_portal_offers_the_pdf_of_the_partners_own_quotes_only(
    client, office, other_office, season, sent, partner, staff_user
):
    theirs = make_quote(OrganisationFactory(office=office), season, staff_user, price="777.00")
    url = portal(office, "quote_pdf", quote_id=sent.pk)
    assert client.get(url)["Location"].startswith("/comptes/login/")
    client.force_login(partner)
    html = client.get(portal(office)).content.decode()
    assert url in html and "Télécharger le devis DE-2022-00001 (PDF)" in html
    assert "Total TTC 600,00 €" in pdf_text(assert_pdf(client.get(url), sent))
    assert client.get(portal(office, "quote_pdf", quote_id=theirs.pk)).status_code == 404
    assert client.get(portal(other_office, "quote_pdf", quote_id=sent.pk)).status_code == 404


def test_backoffice_offers_the_pdf_of_a_sent_quote(
    client, office, other_office, season, sent, organisation, staff_user, other_staff_user
):
    client.force_login(staff_user)
    url = bo(office, "quote_pdf", pk=sent.pk)
    assert url in client.get(bo(office, "quote", pk=sent.pk)).content.decode()
    assert assert_pdf(client.get(url), sent) == quote_pdf(Quote.objects.get(pk=sent.pk))
    draft = make_quote(organisation, season, staff_user, send=False)
    assert (
        bo(office, "quote_pdf", pk=draft.pk)
        not in client.get(bo(office, "quote", pk=draft.pk)).content.decode()
    )
    response = client.get(bo(office, "quote_pdf", pk=draft.pk))
    assert response.status_code == 409 and "brouillon" in response.content.decode()
    client.force_login(other_staff_user)
    assert client.get(bo(other_office, "quote_pdf", pk=sent.pk)).status_code == 404


def test_the_quote_email_says_the_pdf_is_downloadable_from_the_link(
    organisation, season, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_quote(organisation, season, staff_user)
    [message] = mail.outbox
    assert "Le devis au format PDF est téléchargeable depuis ce lien." in message.body
    assert "Le devis au format PDF est téléchargeable depuis ce lien." in message.alternatives[0][0]
