"""The pages of claims: "Mes prestations incluses" in the espace pro, the staff queue and request
page, the image bank, and the public Balad'Enigm page. Other partners' and other offices' ids
answer 404; list pages keep to a query budget whatever the number of rows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ensemble.claims import services
from ensemble.claims.models import Claim, GiftCode, MediaBankImage
from ensemble.memberships.models import Entitlement, Membership

from .test_claims import image_file

S = Membership.Status
C = Claim.Status
SLUG = "saint-omer"


def portal(name: str, office_slug: str = SLUG, **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs={"office_slug": office_slug, **kwargs})


def backoffice(name: str, office_slug: str = SLUG, **kwargs) -> str:
    return reverse(f"backoffice:{name}", kwargs={"office_slug": office_slug, **kwargs})


@pytest.fixture
def active(make_membership):
    return make_membership(S.ACTIVE)


@pytest.fixture
def partner(active, client):
    client.force_login(active.applicant)
    return active.applicant


@pytest.fixture
def other_active(make_membership):
    return make_membership(S.ACTIVE)


@pytest.fixture
def other_office_membership(other_season, other_staff_user):
    """A live membership of the other office, built through the services."""
    from ensemble.billing import services as billing_services
    from ensemble.memberships import services as membership_services

    from .conftest import BULLETIN_ON, EVIDENCE, PAID_ON, make_application

    membership = membership_services.submit_join_request(
        other_season.office, make_application(other_season, email="gite@aire.example"), evidence=EVIDENCE
    ).membership
    membership_services.record_signed_bulletin(membership, actor=other_staff_user, received_on=BULLETIN_ON)
    billing_services.accept_and_invoice(membership, actor=other_staff_user)
    membership.refresh_from_db()
    billing_services.record_membership_payment(
        membership,
        actor=other_staff_user,
        method="transfer",
        amount=membership.amount_due,
        received_on=PAID_ON,
    )
    membership.refresh_from_db()
    assert membership.status == S.ACTIVE
    return membership


def bank_image(office, actor, title="Le marais en barque") -> MediaBankImage:
    return services.add_media_image(
        office, image=image_file("m.jpg", size=(1600, 1000)), title=title, credit="Paul Lefebvre", actor=actor
    )


def done_image_claim(membership, staff, image) -> Claim:
    claim = services.request_claim(
        membership, kind="image_bank", actor=membership.applicant, message="Des vues du marais"
    )
    return services.answer_image_bank_request(claim, images=[image], actor=staff)


def done_gift_claim(membership, staff, count=3) -> Claim:
    claim = services.request_claim(
        membership, kind="welcome_gift", actor=membership.applicant, quantity_wished=count
    )
    services.issue_gift_codes(claim, count=count, actor=staff)
    return Claim.objects.get(pk=claim.pk)


# --- The espace pro -----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, active):
    for url in (portal("claims"), portal("claim_request", membership_id=active.pk)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(portal("claim_request", membership_id=active.pk), {"kind": "salon_day"})
    assert response.status_code == 302
    assert not Claim.objects.exists()


def test_page_lists_entitlements_forms_and_offers_beyond_the_pack(client, partner, active):
    html = client.get(portal("claims")).content.decode()
    assert "Mes prestations incluses" in html
    assert "Bandeau sur l&#x27;écran d&#x27;accueil (diffusion pendant 60 jours)" in html
    assert f'id="id_m{active.pk}-screen_banner-image"' in html
    assert 'enctype="multipart/form-data"' in html
    assert f'id="id_m{active.pk}-image_bank-message"' in html
    assert f'id="id_m{active.pk}-welcome_gift-quantity_wished"' in html
    # Photos are not in the pack: the options that include them, with their price.
    assert "Au-delà de votre pack" in html
    assert "Pack photos — 10 photos" in html and "100,00 € TTC" in html
    assert f'id="id_m{active.pk}-photos-extra-message"' in html


def test_request_a_banner_from_the_portal(client, partner, active):
    data = {
        "kind": "screen_banner",
        f"m{active.pk}-screen_banner-image": image_file(),
        f"m{active.pk}-screen_banner-preferred_date": "2022-12-30",
        f"m{active.pk}-screen_banner-text": "",
    }
    response = client.post(portal("claim_request", membership_id=active.pk), data)
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert (claim.kind, claim.preferred_date, claim.requested_by) == (
        "screen_banner",
        datetime.date(2022, 12, 30),
        partner,
    )
    assert claim.image
    html = client.get(portal("claims")).content.decode()
    assert "Demande « Bandeau sur l&#x27;écran d&#x27;accueil » envoyée" in html
    assert portal("claim_banner", claim_id=claim.pk) in html
    # The banner's entitlement is now pending: no second form, a note instead.
    assert f'id="id_m{active.pk}-screen_banner-image"' not in html
    assert "votre demande est en cours de traitement" in html
    banner = client.get(portal("claim_banner", claim_id=claim.pk))
    assert banner.status_code == 200
    assert banner["Content-Type"] == "image/jpeg"


def test_a_bad_image_shows_its_message_on_the_field(client, partner, active):
    prefix = f"m{active.pk}-screen_banner"
    fake = SimpleUploadedFile("b.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(
        portal("claim_request", membership_id=active.pk), {"kind": "screen_banner", f"{prefix}-image": fake}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ce fichier n&#x27;est pas une image lisible (formats acceptés : JPEG, PNG, WebP)." in html
    assert f'aria-describedby="id_{prefix}-image_error id_{prefix}-image_helptext"' in html
    assert '<details class="card" open>' in html
    assert not Claim.objects.exists()


def test_an_exhausted_entitlement_offers_a_quote(client, partner, active, staff_user):
    from ensemble.memberships.services import consume_entitlement

    consume_entitlement(Entitlement.objects.get(membership=active, kind="salon_day"), actor=staff_user)
    html = client.get(portal("claims")).content.decode()
    assert f'id="id_m{active.pk}-salon_day-message"' not in html
    assert "Ce droit est épuisé pour la saison" in html
    # A request through the normal form (a stale page) gets the message, nothing written.
    response = client.post(
        portal("claim_request", membership_id=active.pk), {"kind": "salon_day"}, follow=True
    )
    assert "Ce droit est épuisé pour la saison : il peut être commandé en option ou sur devis." in (
        response.content.decode()
    )
    assert not Claim.objects.exists()
    # Beyond the pack: a request answered with a quote.
    response = client.post(
        portal("claim_request_extra", membership_id=active.pk),
        {"kind": "salon_day", f"m{active.pk}-salon_day-extra-message": "Le salon de Lille en mars"},
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert (claim.beyond_pack, claim.entitlement, claim.message) == (True, None, "Le salon de Lille en mars")


def test_unknown_kind_answers_404(client, partner, active):
    response = client.post(portal("claim_request", membership_id=active.pk), {"kind": "pro_meetings"})
    assert response.status_code == 404


def test_partner_sees_images_with_credits_and_downloads_them(client, partner, active, office, staff_user):
    image = bank_image(office, staff_user)
    claim = done_image_claim(active, staff_user, image)
    html = client.get(portal("claims")).content.decode()
    assert "Crédit : © Paul Lefebvre" in html
    url = portal("claim_image", claim_id=claim.pk, image_id=image.pk)
    assert url in html
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "le-marais-en-barque" in response["Content-Disposition"]
    other = bank_image(office, staff_user, title="Pas pour vous")
    assert client.get(portal("claim_image", claim_id=claim.pk, image_id=other.pk)).status_code == 404


def test_partner_sees_gift_codes_and_which_were_used(client, partner, active, office, staff_user):
    claim = done_gift_claim(active, staff_user)
    used = claim.gift_codes.first()
    services.redeem_gift_code(office, used.code, trail="Les secrets du marais")
    html = client.get(portal("claims")).content.decode()
    for gift in claim.gift_codes.all():
        assert gift.display_code in html
    assert "(Les secrets du marais)" in html
    assert html.count(">non<") == 2
    csv = client.get(portal("claim_codes", claim_id=claim.pk))
    assert csv.status_code == 200
    body = csv.content.decode("utf-8-sig")
    assert body.count("\n") == 4
    assert "Les secrets du marais" in body


def test_partner_cancels_a_request(client, partner, active):
    claim = services.request_claim(active, kind="annual_visit", actor=partner)
    assert client.get(portal("claim_cancel", claim_id=claim.pk)).status_code == 302  # GET changes nothing
    assert Claim.objects.get().status == C.REQUESTED
    client.post(portal("claim_cancel", claim_id=claim.pk))
    assert Claim.objects.get().status == C.CANCELLED


def test_other_partners_ids_answer_404(client, partner, active, other_active, office, staff_user):
    image = bank_image(office, staff_user)
    theirs = done_image_claim(other_active, staff_user, image)
    their_codes = done_gift_claim(other_active, staff_user)
    banner = services.request_claim(
        other_active, kind="screen_banner", actor=other_active.applicant, text="x"
    )
    urls = [
        portal("claim_request", membership_id=other_active.pk),
        portal("claim_request_extra", membership_id=other_active.pk),
        portal("claim_cancel", claim_id=banner.pk),
        portal("claim_image", claim_id=theirs.pk, image_id=image.pk),
        portal("claim_banner", claim_id=banner.pk),
        portal("claim_codes", claim_id=their_codes.pk),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"kind": "salon_day"}).status_code == 404, url
    assert Claim.objects.get(pk=banner.pk).status == C.REQUESTED
    assert not Claim.objects.filter(membership=other_active, kind="salon_day").exists()
    html = client.get(portal("claims")).content.decode()
    assert other_active.applicant.email not in html
    assert f"membership-{other_active.pk}-title" not in html


def test_other_office_ids_answer_404(client, partner, other_office_membership, other_staff_user):
    theirs = services.request_claim(
        other_office_membership, kind="screen_banner", actor=other_office_membership.applicant, text="Aire"
    )
    for url in (
        portal("claim_request", membership_id=other_office_membership.pk),
        portal("claim_cancel", claim_id=theirs.pk),
        portal("claim_banner", claim_id=theirs.pk),
        portal("claim_request", office_slug="aire-sur-la-lys", membership_id=other_office_membership.pk),
    ):
        assert client.post(url, {"kind": "salon_day"}).status_code == 404, url


def _many_claims(membership, staff_user, office, n: int) -> None:
    """`n` requests of each page-visible sort: plain, with an image selection, with codes."""
    image = MediaBankImage.objects.filter(office=office).first() or bank_image(office, staff_user)
    for _ in range(n):
        Claim.objects.create(
            office=office, membership=membership, kind="photos", beyond_pack=True, message="Encore des photos"
        )
        done_image_claim(membership, staff_user, image)
        done_gift_claim(membership, staff_user, count=2)


def test_portal_page_query_budget_does_not_grow_with_claims(
    client, partner, active, office, staff_user, django_assert_max_num_queries
):
    _many_claims(active, staff_user, office, 1)
    with django_assert_max_num_queries(14) as few:
        assert client.get(portal("claims")).status_code == 200
    _many_claims(active, staff_user, office, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(portal("claims"))
    assert response.content.decode().count('class="card" aria-labelledby="claim-') == 33


# --- The back office ----------------------------------------------------------------------------


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return staff_user


def test_queue_lists_open_requests_and_filters(client, staff, active):
    services.request_claim(active, kind="screen_banner", actor=active.applicant, text="Concert")
    salon = services.request_claim(active, kind="salon_day", actor=active.applicant)
    services.complete_claim(salon, actor=staff)
    html = client.get(backoffice("claims")).content.decode()
    assert "1 demande à examiner" in html
    assert "1 bandeau à valider" in html
    assert "Bandeau sur l&#x27;écran d&#x27;accueil" in html
    assert backoffice("claim", pk=salon.pk) not in html  # done: not in the default queue
    html = client.get(backoffice("claims") + "?status=done").content.decode()
    assert backoffice("claim", pk=salon.pk) in html
    html = client.get(backoffice("claims") + "?kind=screen_banner&status=all").content.decode()
    assert backoffice("claim", pk=salon.pk) not in html
    assert client.get(backoffice("claims") + "?kind=nope&status=nope&page=x").status_code == 200


def test_queue_query_budget(client, staff, active, make_membership, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            for kind in ("screen_banner", "annual_visit"):
                Claim.objects.create(office=active.office, membership=active, kind=kind, text="x")

    add(1)
    with django_assert_max_num_queries(12) as few:
        assert client.get(backoffice("claims")).status_code == 200
    add(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(backoffice("claims"))
    assert "62 demandes" in response.content.decode()


def test_staff_approve_a_banner_from_its_page(client, staff, active):
    claim = services.request_claim(active, kind="screen_banner", actor=active.applicant, image=image_file())
    html = client.get(backoffice("claim", pk=claim.pk)).content.decode()
    assert "Valider le bandeau" in html
    assert backoffice("claim_banner_image", pk=claim.pk) in html
    assert "Marquer comme réalisée" not in html  # banners are approved, not "completed"
    assert client.get(backoffice("claim_banner_image", pk=claim.pk))["Content-Type"] == "image/jpeg"
    response = client.post(
        backoffice("claim_approve_banner", pk=claim.pk), {"banner-starts_on": "", "banner-answer": ""}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.starts_on, claim.ends_on) == (
        C.DONE,
        datetime.date(2022, 12, 28),
        datetime.date(2023, 2, 25),
    )
    html = client.get(response["Location"]).content.decode()
    assert "Bandeau validé : diffusé du 28/12/2022 au 25/02/2023." in html


def test_staff_refuse_needs_a_reason_shown_on_the_field(client, staff, active):
    claim = services.request_claim(active, kind="promo_spot", actor=active.applicant)
    response = client.post(backoffice("claim_refuse", pk=claim.pk), {"refuse-reason": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le motif du refus est obligatoire." in html
    assert 'aria-describedby="id_refuse-reason_error id_refuse-reason_helptext"' in html
    assert Claim.objects.get().status == C.REQUESTED
    client.post(backoffice("claim_refuse", pk=claim.pk), {"refuse-reason": "Plus de créneaux cette saison."})
    assert Claim.objects.get().refusal_reason == "Plus de créneaux cette saison."


def test_staff_complete_twice_is_refused_with_a_message(client, staff, active):
    claim = services.request_claim(active, kind="salon_day", actor=active.applicant)
    client.post(backoffice("claim_accept", pk=claim.pk), {"accept-answer": "À bientôt"})
    client.post(backoffice("claim_complete", pk=claim.pk), {"complete-answer": ""})
    response = client.post(backoffice("claim_complete", pk=claim.pk), {"complete-answer": ""}, follow=True)
    assert "Cette demande est déjà réalisée." in response.content.decode()
    assert Entitlement.objects.get(membership=active, kind="salon_day").used == 1


def test_staff_answer_image_bank_and_issue_codes(client, staff, active, office):
    image = bank_image(office, staff)
    claim = services.request_claim(active, kind="image_bank", actor=active.applicant, message="Le marais")
    html = client.get(backoffice("claim", pk=claim.pk)).content.decode()
    assert backoffice("media_image_file", pk=image.pk) in html
    response = client.post(backoffice("claim_answer_images", pk=claim.pk), {"images-answer": ""})
    assert "Choisissez au moins une image de la banque." in response.content.decode()
    client.post(backoffice("claim_answer_images", pk=claim.pk), {"images-images": [image.pk]})
    assert list(Claim.objects.get(pk=claim.pk).images.all()) == [image]

    gift = services.request_claim(active, kind="welcome_gift", actor=active.applicant, quantity_wished=4)
    html = client.get(backoffice("claim", pk=gift.pk)).content.decode()
    assert 'value="4"' in html  # the number wished, prefilled
    response = client.post(backoffice("claim_issue_codes", pk=gift.pk), {"codes-count": "4"}, follow=True)
    assert "4 codes émis." in response.content.decode()
    assert GiftCode.objects.filter(claim=gift).count() == 4


def test_beyond_pack_request_links_to_a_quote(client, staff, active):
    claim = services.request_claim(active, kind="photos", actor=active.applicant, beyond_pack=True)
    html = client.get(backoffice("claim", pk=claim.pk)).content.decode()
    assert f"{backoffice('quote_create')}?organisation={active.organisation_id}" in html
    assert "Marquer comme réalisée" in html


def test_media_bank_upload_and_withdraw(client, staff, office):
    response = client.post(
        backoffice("media_bank"),
        {"media-image": image_file(size=(200, 200)), "media-title": "Petit", "media-credit": "X"},
    )
    assert response.status_code == 200
    assert "L&#x27;image est trop petite pour la banque d&#x27;images" in response.content.decode()
    assert not MediaBankImage.objects.exists()
    response = client.post(
        backoffice("media_bank"),
        {
            "media-image": image_file(size=(1600, 1200)),
            "media-title": "La collégiale",
            "media-credit": "Lucie Martel",
            "media-tags": "patrimoine",
        },
    )
    assert response.status_code == 302
    image = MediaBankImage.objects.get()
    html = client.get(backoffice("media_bank")).content.decode()
    assert "La collégiale" in html and "© Lucie Martel" in html
    client.post(backoffice("media_image_archive", pk=image.pk))
    assert MediaBankImage.objects.get().is_active is False


def test_other_office_staff_get_404(client, other_staff_user, active, office, staff_user):
    claim = services.request_claim(active, kind="screen_banner", actor=active.applicant, image=image_file())
    image = bank_image(office, staff_user)
    client.force_login(other_staff_user)
    urls = [backoffice("claims"), backoffice("claim", pk=claim.pk), backoffice("media_bank")]
    urls += [backoffice(f"claim_{slug}", pk=claim.pk) for slug in ("accept", "refuse", "approve_banner")]
    urls += [backoffice("claim_banner_image", pk=claim.pk), backoffice("media_image_file", pk=image.pk)]
    for url in urls:
        assert client.get(url).status_code == 404, url
    # Their own office's back office, our ids: 404 as well.
    aire = "aire-sur-la-lys"
    for url in (
        backoffice("claim", office_slug=aire, pk=claim.pk),
        backoffice("claim_accept", office_slug=aire, pk=claim.pk),
        backoffice("media_image_archive", office_slug=aire, pk=image.pk),
        backoffice("media_image_file", office_slug=aire, pk=image.pk),
    ):
        assert client.post(url).status_code == 404, url
    assert Claim.objects.get().status == C.REQUESTED
    assert MediaBankImage.objects.get().is_active


def test_partner_cannot_enter_the_staff_pages(client, partner, active):
    claim = services.request_claim(active, kind="salon_day", actor=partner)
    assert client.get(backoffice("claim", pk=claim.pk)).status_code == 404
    assert client.post(backoffice("claim_complete", pk=claim.pk)).status_code == 404


# --- The public Balad'Enigm page ----------------------------------------------------------------


def test_a_visitor_redeems_a_code_once(client, active, staff_user):
    claim = done_gift_claim(active, staff_user, count=1)
    gift = claim.gift_codes.get()
    url = reverse("public:gift_code", kwargs={"office_slug": SLUG})
    html = client.get(url + "?parcours=Les%20secrets%20du%20marais").content.decode()
    assert 'value="Les secrets du marais"' in html
    response = client.post(
        url, {"code": gift.display_code.lower(), "trail": "Les secrets du marais"}, follow=True
    )
    assert "Code accepté : bonne balade avec Balad&#x27;Enigm !" in response.content.decode()
    gift.refresh_from_db()
    assert gift.used_at is not None and gift.used_on_trail == "Les secrets du marais"
    again = client.post(url, {"code": gift.code})
    unknown = client.post(url, {"code": "ZZZZZ-ZZZZZ"})
    message = "Ce code n&#x27;est pas valable ou a déjà été utilisé"
    assert message in again.content.decode()
    assert message in unknown.content.decode()
    assert 'aria-describedby="id_code_error id_code_helptext"' in unknown.content.decode()


def test_a_code_of_one_office_does_not_work_at_another(client, active, staff_user, other_office):
    gift = done_gift_claim(active, staff_user, count=1).gift_codes.get()
    url = reverse("public:gift_code", kwargs={"office_slug": "aire-sur-la-lys"})
    response = client.post(url, {"code": gift.code})
    assert "Ce code n&#x27;est pas valable" in response.content.decode()
    assert GiftCode.objects.get().used_at is None
