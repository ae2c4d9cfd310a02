"""Issuing invoices: numbers, amounts, immutability, credit notes."""

from decimal import Decimal

import pytest

from ensemble.billing import services
from ensemble.billing.amounts import LineInput
from ensemble.billing.errors import BillingError, InvoiceLocked
from ensemble.billing.models import Invoice, InvoiceLine
from ensemble.memberships import services as membership_services

from .conftest import offer


@pytest.fixture
def accepted(submit, season, staff_user):
    membership = submit(options={offer(season, "formation-anglais").pk: 3}).membership
    membership_services.accept_membership(membership, actor=staff_user)
    return membership


def test_membership_invoice_is_numbered_and_totals_the_catalogue_ttc(accepted, staff_user):
    invoice = services.invoice_membership(accepted, actor=staff_user)
    assert invoice.number == "FA-2022-00001"
    assert (invoice.total_ht, invoice.total_vat, invoice.total_ttc) == (
        Decimal("200.00"),
        Decimal("40.00"),
        Decimal("240.00"),
    )
    lines = list(invoice.lines.order_by("position"))
    assert [(line.quantity, line.total_ht) for line in lines] == [
        (Decimal("1"), Decimal("75.00")),
        (Decimal("3"), Decimal("125.00")),
    ]
    assert invoice.payment_reference.startswith("RF")
    assert services.invoice_membership(accepted, actor=staff_user) == invoice  # once


def test_numbers_follow_each_other_and_credit_notes_have_their_own_series(accepted, staff_user, office):
    first = services.invoice_membership(accepted, actor=staff_user)
    free = services.create_draft(
        first.organisation,
        lines=[LineInput("Traduction supplémentaire", Decimal(1), Decimal(20), unit_price_ht=Decimal(50))],
        actor=staff_user,
    )
    assert free.number is None  # a draft has no number
    second = services.issue_invoice(free, actor=staff_user)
    assert second.number == "FA-2022-00002"
    credit = services.credit_invoice(first, actor=staff_user, reason="Adhésion annulée")
    assert credit.number == "AV-2022-00001"
    assert credit.total_ttc == first.total_ttc
    with pytest.raises(BillingError, match="dépasse"):
        services.credit_invoice(first, actor=staff_user, reason="Encore")


def test_an_issued_invoice_cannot_change_or_disappear(accepted, staff_user):
    invoice = services.invoice_membership(accepted, actor=staff_user)
    invoice.buyer_name = "Autre client"
    with pytest.raises(InvoiceLocked):
        invoice.save()
    with pytest.raises(InvoiceLocked):
        invoice.delete()
    with pytest.raises(InvoiceLocked):
        Invoice.objects.filter(pk=invoice.pk).update(total_ttc=Decimal("1.00"))
    with pytest.raises(InvoiceLocked):
        Invoice.objects.filter(pk=invoice.pk).delete()
    line = invoice.lines.first()
    line.total_ht = Decimal("1.00")
    with pytest.raises(InvoiceLocked):
        line.save()
    invoice.refresh_from_db()
    assert invoice.buyer_name != "Autre client"
    assert InvoiceLine.objects.filter(invoice=invoice).count() == 2


def test_the_admin_cannot_alter_or_delete_an_issued_invoice(client, accepted, staff_user):
    from .factories import UserFactory

    invoice = services.invoice_membership(accepted, actor=staff_user)
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    change = f"/admin/billing/invoice/{invoice.pk}/change/"
    assert client.get(change).status_code == 200  # visible, read-only
    client.post(change, {"buyer_name": "Autre client", "total_ttc": "1.00"})
    assert client.post(f"/admin/billing/invoice/{invoice.pk}/delete/", {"post": "yes"}).status_code == 403
    invoice.refresh_from_db()
    assert (invoice.buyer_name, invoice.total_ttc) == (accepted.organisation.name, Decimal("240.00"))


def test_every_price_of_the_catalogue_invoices_to_its_exact_ttc(season):
    """For each priced offer of the guide, any quantity: TTC is exactly price × quantity, and the
    EN 16931 rules hold (VAT per rate = taxable × rate rounded, totals add up)."""
    from ensemble.billing.amounts import compute, vat_of

    priced = [o for o in season.offers.all() if o.price_ttc is not None]
    assert len(priced) == 8
    for item in priced:
        for quantity in range(1, 11):
            result = compute(
                [LineInput(item.name, Decimal(quantity), item.vat_rate, unit_price_ttc=item.price_ttc)]
            )
            assert result.total_ttc == item.price_ttc * quantity, (item.code, quantity)
            for group in result.groups:
                assert group.vat == vat_of(group.taxable, group.rate)  # BR-CO-17
            assert sum(line.total_ht for line in result.lines) == result.total_ht  # BR-CO-10/13
    together = compute(
        [LineInput(o.name, Decimal(2), o.vat_rate, unit_price_ttc=o.price_ttc) for o in priced]
    )
    assert together.total_ttc == sum(o.price_ttc * 2 for o in priced)


def test_the_place_of_service_is_mentioned_when_it_is_not_the_billing_address(submit, season, staff_user):
    from ensemble.directory.services import update_organisation

    membership = submit().membership
    membership_services.accept_membership(membership, actor=staff_user)
    same = services.invoice_membership(membership, actor=staff_user)
    assert same.delivery_address == ""  # the join form gave one address for both

    other = submit(email="gite@example.org", establishment_name="Gîte des Prés").membership
    update_organisation(other.organisation, actor=staff_user, address="2 rue du Siège", city="Tilques")
    membership_services.accept_membership(other, actor=staff_user)
    invoice = services.invoice_membership(other, actor=staff_user)
    assert invoice.delivery_address.startswith("Gîte des Prés, 3 rue de l")
