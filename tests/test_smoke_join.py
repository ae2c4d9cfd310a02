from decimal import Decimal

from django.core import mail

from ensemble.billing import services as billing_services
from ensemble.memberships.models import Membership

from .conftest import offer


def test_join_then_accept_then_pay_makes_active(
    submit, season, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = submit(options={offer(season, "formation-anglais").pk: 2})
    membership = result.membership
    assert membership.status == Membership.Status.REQUESTED
    assert membership.amount_due == Decimal("190.00")
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        billing_services.accept_and_invoice(membership, actor=staff_user)
        billing_services.record_membership_payment(
            membership,
            actor=staff_user,
            method="cheque",
            amount=Decimal("190.00"),
            received_on=membership.bulletin_signed_on,
            cheque_number="1234567",
        )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    # One row per right: the pack's training seat and the two bought as options stay apart.
    rights = sorted((e.kind, e.quantity) for e in membership.entitlements.all())
    assert ("training", 1) in rights and ("training", 2) in rights
    assert ("screen_banner", 1) in rights
    assert len(mail.outbox) == 4  # confirmation, accepted, the invoice with its PDF, active
