"""In Chromium: a partner edits the French and Dutch descriptions and uploads a photo with its
credit; staff approve; the new text is the public one. axe-core checks every espace pro page
visited on the way (WCAG 2.1 A/AA); screenshots go to var/screenshots/."""

import pytest

from ensemble.listings.models import ChangeProposal, Listing, Photo

from .browser import assert_accessible, log_in, screenshot
from .images import jpeg_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def partner(make_membership):
    """A partner whose membership is live, so that its approved listing is public (issue 5)."""
    from types import SimpleNamespace

    from ensemble.listings import services as listing_services

    from .conftest import verified

    membership = make_membership(
        "active", email="camille@moulin.example", establishment_name="Le Moulin des Marais"
    )
    listing = listing_services.ensure_listing(membership.establishment)
    return SimpleNamespace(user=verified(membership.applicant), listing=listing, membership=membership)


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def portal(live_server, office, path=""):
    return f"{live_server.url}/{office.slug}/espace-pro/{path}"


def test_a_partners_change_is_moderated_then_public(browser, live_server, partner, office, staff_user):
    with_password(partner.user)
    with_password(staff_user)
    listing = partner.listing

    page = browser.new_page(locale="fr-FR")
    log_in(page, live_server, partner.user, PASSWORD)
    for path in ("", "fiches/", "prestations/", "compte/", f"compte/{listing.establishment.organisation_id}/",
                 f"equipe/{listing.establishment.organisation_id}/", "factures/", "devis/"):  # fmt: skip
        page.goto(portal(live_server, office, path))
        assert page.locator("h1").count() == 1
        assert_accessible(page)
        screenshot(page, "espace-pro-" + (path.strip("/").replace("/", "-") or "accueil"))

    # The descriptions, in French and in Dutch.
    page.goto(portal(live_server, office, f"fiches/{listing.pk}/"))
    page.locator("[name=short_description_fr]").fill("Moulin restauré au bord du marais.")
    page.locator("[name=short_description_nl]").fill("Gerestaureerde molen aan de rand van het moeras.")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert "Envoyé à l'office pour validation" in page.content()

    # A photo with its credit and the rights declaration.
    page.goto(portal(live_server, office, f"fiches/{listing.pk}/photos/"))
    photo = jpeg_upload(1600, 1200)
    page.locator("input[name=image]").set_input_files(
        {"name": "moulin.jpg", "mimeType": "image/jpeg", "buffer": photo.read()}
    )
    page.locator("input[name=credit]").fill("Camille Delannoy")
    page.locator("[name=alt_text_fr]").last.fill("La roue du moulin")
    page.locator("input[name=rights_declared]").check()
    page.get_by_role("button", name="Envoyer la photo").click()
    page.wait_for_load_state()
    assert_accessible(page)
    screenshot(page, "espace-pro-photos-envoyee")

    proposal = ChangeProposal.objects.get(listing=listing, status="pending")
    assert set(proposal.changes) == {"short_description_fr", "short_description_nl", "photos"}
    # Until staff approve, the public page keeps the approved (empty) text.
    public = browser.new_page(locale="fr-FR")
    public.goto(f"{live_server.url}/{office.slug}/fiches/{listing.pk}/")
    assert "Moulin restauré" not in public.content()

    # Staff approve from the moderation queue.
    staff = browser.new_page(locale="fr-FR")
    log_in(staff, live_server, staff_user, PASSWORD)
    staff.goto(f"{live_server.url}/{office.slug}/gestion/moderation/")
    staff.get_by_role("link", name=listing.establishment.name).first.click()
    staff.wait_for_load_state()
    assert "Gerestaureerde molen" in staff.content()
    assert_accessible(staff)
    screenshot(staff, "gestion-moderation-proposition")
    staff.get_by_role("button", name="Valider et publier").click()
    staff.wait_for_load_state()

    # The new text is the public one, in French and in Dutch, with the photo and its credit.
    public.goto(f"{live_server.url}/{office.slug}/fiches/{listing.pk}/")
    assert "Moulin restauré au bord du marais." in public.content()
    assert "© Camille Delannoy" in public.content()
    assert_accessible(public)
    screenshot(public, "fiche-publique")
    public.goto(f"{live_server.url}/{office.slug}/fiches/{listing.pk}/?langue=nl")
    assert "Gerestaureerde molen aan de rand van het moeras." in public.content()
    assert Photo.objects.get(listing=listing).status == Photo.Status.PUBLISHED
    assert Listing.objects.get(pk=listing.pk).version_number == 2


def test_an_active_partners_pages_pass_axe(browser, live_server, make_membership, office):
    """The pages that only an active membership fills: what the pack includes and its request
    forms, the account with its history, an accepted text, the termination page."""
    from ensemble.memberships.models import TermsAcceptance

    from .conftest import verified

    membership = make_membership("active", email="ines@estaminet.example", establishment_name="L'Estaminet")
    user = with_password(verified(membership.applicant))
    acceptance = TermsAcceptance.objects.filter(membership=membership).first()
    page = browser.new_page(locale="fr-FR")
    log_in(page, live_server, user, PASSWORD)
    paths = {
        "prestations": "prestations/",
        "compte-adhesion": f"compte/{membership.organisation_id}/",
        "compte-document": f"compte/documents/{acceptance.pk}/",
        "compte-resiliation": f"compte/adhesions/{membership.pk}/resilier/",
    }
    for name, path in paths.items():
        response = page.goto(portal(live_server, office, path))
        assert response.status == 200, path
        assert_accessible(page)
        screenshot(page, f"espace-pro-actif-{name}")
