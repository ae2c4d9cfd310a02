"""The update campaign's pages: the partner's confirmation page (signed link, login, 404 for
another partner's listing, 400 for a bad or expired link) and the back office (list, draft,
dashboard by category, launch, one-action withdrawal, close, CSV export, query budget)."""

import csv
import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ensemble.campaigns import services
from ensemble.campaigns.models import CampaignTarget, UpdateCampaign
from ensemble.campaigns.tokens import target_token
from ensemble.core.models import OutboundEmail
from ensemble.directory.models import Category
from ensemble.listings import services as listing_services
from ensemble.listings.models import Listing

from .factories import EstablishmentFactory

pytestmark = pytest.mark.django_db

SLUG = "saint-omer"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DEADLINE = datetime.date(2023, 1, 31)
UNPUBLISH_FROM = datetime.datetime(2023, 2, 16, 10, tzinfo=PARIS)
QUERY_BUDGET = 14  # 11 today: office ×2, session, user, staff, campaign, categories, dashboard, counts, rows


def bo_url(name: str, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": kwargs.pop("office_slug", SLUG), **kwargs})


def confirm_url(target, *, office_slug: str = SLUG) -> str:
    return reverse(
        "portal:campaign_confirm", kwargs={"office_slug": office_slug, "token": target_token(target)}
    )


def launched(office, actor, **overrides) -> UpdateCampaign:
    values = dict(title="Mise à jour 2023 — guide et magazine", deadline=DEADLINE, reminder_offsets=[7, 14])
    values.update(overrides)
    return services.launch_campaign(services.create_campaign(office, actor=actor, **values), actor=actor)


def target_of(campaign, partner) -> CampaignTarget:
    return CampaignTarget.objects.get(campaign=campaign, listing=partner.listing)


def text(response) -> str:
    return response.content.decode()


# ---- the partner's confirmation page ---------------------------------------------------------


def test_the_link_shows_the_listing_and_confirms_it_in_one_click(client, partner, office, staff_user):
    target = target_of(launched(office, staff_user), partner)
    url = confirm_url(target)
    client.force_login(partner.user)
    response = client.get(url)
    assert response.status_code == 200
    html = text(response)
    assert "<h1>Ma fiche « Le Moulin des Marais » est-elle à jour ?</h1>" in html
    assert "Je confirme que ma fiche est à jour" in html
    assert f'href="{services.listing_path(office, partner.listing.pk)}">Je la modifie</a>' in html
    assert "3 rue de l&#x27;Écusserie" in html  # the published content

    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == url
    target.refresh_from_db()
    assert target.confirmed_by == partner.user
    assert Listing.objects.get(pk=partner.listing.pk).last_confirmed_at == target.confirmed_at
    page = text(client.get(url))
    assert "Merci : la fiche « Le Moulin des Marais » est confirmée à jour." in page
    assert "Vous avez confirmé cette fiche le 28/12/2022" in page
    assert "Je confirme que ma fiche est à jour" not in page
    # A second click changes nothing and says so.
    client.post(url)
    assert "Cette fiche est déjà confirmée (le 28/12/2022)." in text(client.get(url))
    assert CampaignTarget.objects.get(pk=target.pk).confirmed_at == target.confirmed_at


def test_anonymous_visitors_are_sent_to_log_in(client, partner, office, staff_user):
    target = target_of(launched(office, staff_user), partner)
    response = client.get(confirm_url(target))
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]
    client.post(confirm_url(target))
    assert target_of(target.campaign, partner).confirmed_at is None


def test_another_partners_target_is_not_found(client, partner, other_partner, office, staff_user):
    campaign = launched(office, staff_user)
    theirs = target_of(campaign, other_partner)
    client.force_login(partner.user)
    assert client.get(confirm_url(theirs)).status_code == 404
    assert client.post(confirm_url(theirs)).status_code == 404
    assert target_of(campaign, other_partner).confirmed_at is None


def test_a_link_used_in_another_office_is_not_found(client, partner, office, other_office, staff_user):
    target = target_of(launched(office, staff_user), partner)
    client.force_login(partner.user)
    assert client.get(confirm_url(target, office_slug=other_office.slug)).status_code == 404


@pytest.mark.parametrize("token", ["abc", "eyJ0IjoxfQ:1pAbCd:forged-signature", "x" * 300])
def test_a_bad_link_gets_a_clear_page_not_an_error(client, partner, office, staff_user, token):
    launched(office, staff_user)
    client.force_login(partner.user)
    response = client.get(reverse("portal:campaign_confirm", kwargs={"office_slug": SLUG, "token": token}))
    assert response.status_code == 400
    assert "Ce lien de mise à jour n&#x27;est pas valide : il a peut-être été mal copié." in text(response)


def test_a_tampered_target_id_is_refused(client, partner, office, staff_user):
    target = target_of(launched(office, staff_user), partner)
    token = target_token(target)
    payload, rest = token.split(":", 1)
    forged = f"{payload[:-1]}{'A' if payload[-1] != 'A' else 'B'}:{rest}"
    client.force_login(partner.user)
    response = client.post(reverse("portal:campaign_confirm", kwargs={"office_slug": SLUG, "token": forged}))
    assert response.status_code == 400
    assert target_of(target.campaign, partner).confirmed_at is None


def test_an_expired_link_or_a_closed_campaign_gets_a_clear_page(client, partner, office, staff_user):
    campaign = launched(office, staff_user)
    target = target_of(campaign, partner)
    url = confirm_url(target)
    with time_machine.travel(datetime.datetime(2024, 2, 1, 10, tzinfo=PARIS)):
        client.force_login(partner.user)
        response = client.get(url)
    assert response.status_code == 400
    assert "Ce lien de mise à jour a expiré." in text(response)

    services.close_campaign(campaign, actor=staff_user)
    client.force_login(partner.user)
    response = client.post(url)
    assert response.status_code == 400
    assert "La campagne « Mise à jour 2023 — guide et magazine » est close" in text(response)
    assert target_of(campaign, partner).confirmed_at is None


# ---- back office ---------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


FORM = {
    "title": "Mise à jour 2023 — guide et magazine",
    "deadline": "2023-01-31",
    "grace_days": "15",
    "reminder_offsets": "7, 14, 21",
    "message": "Le guide part à l'impression en février.",
}


def test_staff_draft_a_campaign_then_launch_it(staff_client, partner, other_partner, office):
    restaurant = Category.objects.get(office=office, slug="restauration")
    page = text(staff_client.get(bo_url("campaign_create")))
    assert (
        'aria-describedby="id_deadline_helptext"' in page and "<legend>Catégories concernées</legend>" in page
    )
    response = staff_client.post(bo_url("campaign_create"), FORM)
    campaign = UpdateCampaign.objects.get()
    assert response.status_code == 302 and response["Location"] == bo_url("campaign", pk=campaign.pk)
    assert (campaign.status, campaign.reminder_offsets, campaign.grace_days) == ("draft", [7, 14, 21], 15)
    assert not OutboundEmail.objects.filter(template="campaign_invitation").exists()

    edit = text(staff_client.get(bo_url("campaign_edit", pk=campaign.pk)))
    assert 'value="7, 14, 21"' in edit and 'value="2023-01-31"' in edit and 'value="15"' in edit
    staff_client.post(bo_url("campaign_edit", pk=campaign.pk), {**FORM, "categories": [restaurant.pk]})
    assert list(UpdateCampaign.objects.get().categories.all()) == [restaurant]
    staff_client.post(bo_url("campaign_edit", pk=campaign.pk), FORM)  # back to every category

    assert staff_client.get(bo_url("campaign_launch", pk=campaign.pk)).status_code == 302  # GET: no effect
    assert UpdateCampaign.objects.get().status == "draft"
    response = staff_client.post(bo_url("campaign_launch", pk=campaign.pk), follow=True)
    assert "Campagne lancée : 2 fiches à confirmer" in text(response)
    assert OutboundEmail.objects.filter(template="campaign_invitation").count() == 2
    response = staff_client.post(bo_url("campaign_launch", pk=campaign.pk), follow=True)
    assert "Cette campagne est déjà lancée." in text(response)
    assert OutboundEmail.objects.filter(template="campaign_invitation").count() == 2
    listing = text(staff_client.get(bo_url("campaigns")))
    assert "Mise à jour 2023 — guide et magazine" in listing and "En cours" in listing


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"deadline": "2022-12-01"},
            "deadline",
            "La date limite doit être postérieure à aujourd&#x27;hui (28/12/2022).",
        ),
        ({"reminder_offsets": "7, 7"}, "reminder_offsets", "Le rappel à J+7 figure deux fois."),
        (
            {"reminder_offsets": "sept"},
            "reminder_offsets",
            "Indiquez des nombres de jours séparés par des virgules, par exemple : 7, 14, 21.",
        ),
        ({"title": ""}, "title", "Ce champ est obligatoire."),
        ({"grace_days": "-2"}, "grace_days", "Le délai de grâce se compte en jours, de 0 à 365."),
    ],
)
def test_bad_campaign_input_is_shown_on_its_field_and_nothing_written(staff_client, changes, field, message):
    response = staff_client.post(bo_url("campaign_create"), {**FORM, **changes})
    assert response.status_code == 200
    html = text(response)
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{message}</li></ul>' in html
    assert f'aria-describedby="id_{field}_error' in html
    assert not UpdateCampaign.objects.exists()


def test_the_detail_page_shows_completion_by_category_and_the_listings(
    staff_client, make_partner, office, staff_user
):
    restaurant = Category.objects.get(office=office, slug="restauration")
    stay = make_partner("gite@marais.example", name="Le Gîte du Marais")
    table = make_partner("chef@bistro.example", name="Le Bistro", category_id=restaurant.pk)
    make_partner("ferme@marais.example", name="La Ferme du Marais")
    campaign = launched(office, staff_user)
    services.record_confirmation(target_of(campaign, table), actor=table.user)
    services.record_confirmation(target_of(campaign, stay), actor=stay.user)

    response = staff_client.get(bo_url("campaign", pk=campaign.pk))
    html = text(response)
    rows = {row.label: (row.total, row.confirmed, row.percent) for row in response.context["rows"]}
    assert rows == {"Hébergement": (2, 1, 50), "Restauration": (1, 1, 100)}
    assert response.context["total"].percent == 67
    assert "50 % confirmées (1 sur 2)" in html and "67 % confirmées (2 sur 3)" in html
    assert '<progress max="100" value="50" aria-hidden="true">' in html
    assert "Les fiches non confirmées pourront être retirées à partir du 16/02/2023" in html
    assert "Le Gîte du Marais" in html and "La Ferme du Marais" in html

    pending = staff_client.get(bo_url("campaign", pk=campaign.pk) + "?state=pending")
    assert [t.listing.establishment.name for t in pending.context["targets"]] == ["La Ferme du Marais"]
    bogus = staff_client.get(bo_url("campaign", pk=campaign.pk) + "?state=nimporte&page=abc")
    assert bogus.status_code == 200 and len(bogus.context["targets"]) == 3


def test_the_one_action_withdrawal_after_the_grace_period(
    staff_client, partner, other_partner, office, staff_user
):
    campaign = launched(office, staff_user)
    services.record_confirmation(target_of(campaign, other_partner), actor=other_partner.user)
    services.flag_overdue(today=datetime.date(2023, 2, 1))
    response = staff_client.post(bo_url("campaign_unpublish", pk=campaign.pk), follow=True)
    assert "Le délai de grâce court jusqu&#x27;au 15/02/2023" in text(response)
    assert Listing.objects.get(pk=partner.listing.pk).unpublished_at is None

    with time_machine.travel(UNPUBLISH_FROM):
        staff_client.force_login(staff_user)  # the session of 28/12 has expired
        page = text(staff_client.get(bo_url("campaign", pk=campaign.pk)))
        assert "Retirer les fiches non confirmées (1)" in page
        assert 'data-confirm="Retirer 1 fiche non confirmée des supports' in page
        response = staff_client.post(bo_url("campaign_unpublish", pk=campaign.pk), follow=True)
        assert "1 fiche retirée des supports ; son partenaire est prévenu du motif." in text(response)
        assert "Retirer les fiches non confirmées (0)" in text(response)
    assert Listing.objects.get(pk=partner.listing.pk).unpublished_at is not None
    assert Listing.objects.get(pk=other_partner.listing.pk).unpublished_at is None
    assert OutboundEmail.objects.get(template="listing_unpublished").to == "camille@moulin.example"

    response = staff_client.post(bo_url("campaign_close", pk=campaign.pk), follow=True)
    assert "Campagne close" in text(response) and UpdateCampaign.objects.get().status == "closed"


def test_export_lists_the_filtered_listings_as_csv(staff_client, partner, other_partner, office, staff_user):
    campaign = launched(office, staff_user)
    services.record_confirmation(target_of(campaign, partner), actor=partner.user)
    response = staff_client.get(bo_url("campaign_export", pk=campaign.pk))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["Établissement", "Organisation", "E-mail", "Catégorie", "État"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Le Moulin des Marais", "La Brasserie du Haut-Pont"}
    assert by_name["Le Moulin des Marais"][4] == "Confirmée"
    assert by_name["Le Moulin des Marais"][9] == "Camille Delannoy"  # the name, not the e-mail address
    assert by_name["La Brasserie du Haut-Pont"][4] == "En attente"
    filtered = staff_client.get(bo_url("campaign_export", pk=campaign.pk) + "?state=confirmed")
    lines = b"".join(filtered.streaming_content).decode("utf-8").strip().splitlines()
    assert len(lines) == 2


def test_another_office_or_a_partner_gets_404(
    client, partner, office, other_office, staff_user, other_staff_user
):
    campaign = launched(office, staff_user)
    urls = [
        bo_url("campaign", pk=campaign.pk),
        bo_url("campaign_edit", pk=campaign.pk),
        bo_url("campaign_export", pk=campaign.pk),
    ]
    actions = [
        bo_url(name, pk=campaign.pk) for name in ("campaign_launch", "campaign_unpublish", "campaign_close")
    ]
    client.force_login(other_staff_user)
    for url in urls + actions:
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    # Their own back office with our campaign's id: not found either.
    theirs = bo_url("campaign", pk=campaign.pk, office_slug=other_office.slug)
    assert client.get(theirs).status_code == 404
    assert (
        client.post(bo_url("campaign_close", pk=campaign.pk, office_slug=other_office.slug)).status_code
        == 404
    )
    client.force_login(partner.user)
    assert client.get(bo_url("campaigns")).status_code == 404
    assert client.get(urls[0]).status_code == 404
    assert UpdateCampaign.objects.get().status == "launched"


def many_listings(office, count: int) -> None:
    for _ in range(count):
        listing_services.ensure_listing(EstablishmentFactory(organisation__office=office))


@pytest.mark.parametrize("count", [5, 40])
def test_detail_page_query_budget_does_not_grow_with_targets(
    staff_client, office, staff_user, count, django_assert_max_num_queries
):
    many_listings(office, count)
    campaign = launched(office, staff_user)
    services.flag_overdue(today=datetime.date(2023, 2, 1))
    assert campaign.targets.count() == count
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = staff_client.get(bo_url("campaign", pk=campaign.pk))
    assert len(response.context["targets"]) == count
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = staff_client.get(bo_url("campaigns"))
    assert response.context["campaigns"][0].target_count == count


def test_detail_page_runs_the_same_queries_for_5_and_40_targets(staff_client, office, staff_user):
    def queries_for(campaign) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(bo_url("campaign", pk=campaign.pk)).status_code == 200
        return len(captured)

    many_listings(office, 5)
    small = launched(office, staff_user)
    many_listings(office, 35)
    large = launched(office, staff_user)
    assert (small.targets.count(), large.targets.count()) == (5, 40)
    assert queries_for(small) == queries_for(large)


# ---- in a real Chromium: axe-core on the campaign pages ---------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_campaign_pages_are_accessible(browser, live_server, office, staff_user, partner, other_partner):
    from allauth.account.models import EmailAddress

    from .browser import assert_accessible, log_in, screenshot

    partner.user.set_password("correct-horse-battery")
    partner.user.save()
    # The join created the address unverified; the `verified` helper only adds missing ones.
    EmailAddress.objects.filter(user=partner.user).update(verified=True)
    campaign = launched(office, staff_user)
    services.record_confirmation(target_of(campaign, other_partner), actor=other_partner.user)
    page = browser.new_page(locale="fr-FR")

    # The partner: the confirmation page, the one click, a bad link.
    log_in(page, live_server, partner.user)
    page.goto(live_server.url + confirm_url(target_of(campaign, partner)))
    assert_accessible(page)
    screenshot(page, "campaign-confirm")
    page.get_by_role("button", name="Je confirme que ma fiche est à jour").click()
    page.get_by_text("est confirmée à jour").first.wait_for()
    assert_accessible(page)
    page.goto(f"{live_server.url}/{office.slug}/espace-pro/mise-a-jour/abc/")
    assert_accessible(page)

    # Staff: the list, the form with an error, the campaign's page with its dashboard.
    page.context.clear_cookies()
    log_in(page, live_server, staff_user)
    base = f"{live_server.url}/{office.slug}/gestion/campagnes/"
    page.goto(base)
    assert_accessible(page)
    page.goto(f"{base}nouvelle/")
    assert_accessible(page)
    page.get_by_label("Titre").fill("Mise à jour 2024")
    page.get_by_label("Date limite de confirmation").fill("2022-12-01")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("La date limite doit être postérieure").wait_for()
    assert (
        page.locator("#id_deadline").get_attribute("aria-describedby")
        == "id_deadline_error id_deadline_helptext"
    )
    assert_accessible(page)
    page.goto(f"{base}{campaign.pk}/")
    assert_accessible(page)
    screenshot(page, "campaign-detail")
