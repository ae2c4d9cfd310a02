"""The back office in a real Chromium: every page passes axe-core (WCAG 2.1 A/AA), errors included,
and the keyboard reaches the actions."""

import pytest

from ensemble.billing import services as billing_services
from ensemble.directory.services import add_timeline_note
from ensemble.memberships.models import Membership

from .browser import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_back_office_pages_are_accessible(browser, live_server, submit, staff_user):
    membership = submit().membership
    active = submit(establishment_name="Brasserie Saint-Bertin", email="b@bertin.example").membership
    billing_services.accept_and_invoice(active, actor=staff_user)
    billing_services.record_membership_payment(
        active,
        actor=staff_user,
        method="transfer",
        amount=active.amount_due,
        received_on=active.bulletin_signed_on,
    )
    add_timeline_note(membership.organisation, kind="call", summary="Premier appel", actor=staff_user)
    page = browser.new_page(locale="fr-FR")
    log_in(page, live_server, staff_user)
    base = f"{live_server.url}/saint-omer/gestion"
    for path, name in [
        ("/", "bo-dashboard"),
        ("/adhesions/", "bo-memberships"),
        (f"/adhesions/{membership.pk}/", "bo-membership-requested"),
        (f"/adhesions/{active.pk}/", "bo-membership-active"),
        ("/organisations/", "bo-organisations"),
        (f"/organisations/{membership.organisation_id}/", "bo-organisation"),
        ("/catalogue/", "bo-catalogue"),
        ("/categories/", "bo-categories"),
    ]:
        page.goto(base + path)
        assert_accessible(page)
        screenshot(page, name)

    # A refusal without its reason: the error is announced and tied to the field.
    page.goto(f"{base}/adhesions/{membership.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Refuser la demande").click()
    page.get_by_text("Le motif est obligatoire.").first.wait_for()
    assert page.get_by_label("Motif du refus").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REQUESTED

    # The keyboard alone validates the request; then a payment with a bad amount.
    page.get_by_role("button", name="Valider la demande").focus()
    page.keyboard.press("Enter")
    page.get_by_text("La demande est validée et sa facture émise.").wait_for()
    membership.refresh_from_db()
    assert membership.status == Membership.Status.AWAITING_PAYMENT
    screenshot(page, "bo-membership-accepted")
    page.get_by_label("Montant").fill("quatre-vingt-dix")
    page.get_by_role("button", name="Enregistrer le règlement").click()
    page.get_by_text("Saisissez un nombre.").wait_for()
    assert_accessible(page)
