"""Reads of invoices, scoped to one office — and, for partners, to their own organisations."""

from decimal import Decimal

from django.db.models import QuerySet, Sum

from ensemble.accounts.models import User
from ensemble.core.models import Office

from .models import Invoice


def invoice_list(
    office: Office, *, kind: str | None = None, state: str | None = None, search: str = ""
) -> QuerySet[Invoice]:
    qs = Invoice.objects.filter(office=office).select_related("organisation")
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if search:
        qs = qs.filter(number__icontains=search) | qs.filter(buyer_name__icontains=search)
    return qs.order_by("-issue_date", "-id")


def invoice_detail(office: Office, pk: int) -> Invoice:
    """DoesNotExist outside `office`."""
    return (
        Invoice.objects.filter(office=office)
        .select_related("organisation", "membership__season", "credited_invoice", "issued_by")
        .prefetch_related("lines", "credit_notes")
        .get(pk=pk)
    )


def credited_total(invoice: Invoice) -> Decimal:
    """What the issued credit notes of `invoice` already give back (TTC)."""
    total = invoice.credit_notes.filter(state=Invoice.State.ISSUED).aggregate(t=Sum("total_ttc"))["t"]
    return total if total is not None else Decimal("0.00")


def invoices_of_organisation(office: Office, organisation_id: int) -> QuerySet[Invoice]:
    return Invoice.objects.filter(
        office=office, organisation_id=organisation_id, state=Invoice.State.ISSUED
    ).order_by("-issue_date", "-id")


def partner_invoices(user: User, office: Office) -> QuerySet[Invoice]:
    """The issued invoices and credit notes of the organisations `user` acts for, in `office`."""
    return Invoice.objects.filter(
        office=office,
        state=Invoice.State.ISSUED,
        organisation__organisationmember__user=user,
    ).order_by("-issue_date", "-id")


def partner_invoice(user: User, office: Office, pk: int) -> Invoice:
    """One invoice for the portal; DoesNotExist unless it is one of the user's organisations'."""
    return partner_invoices(user, office).get(pk=pk)


def invoiceable_offers(office: Office):
    """Priced offers of the office's seasons that are not over, for a free invoice."""
    from django.utils import timezone

    from ensemble.memberships.models import Offer

    return (
        Offer.objects.filter(
            office=office,
            is_active=True,
            price_ttc__isnull=False,
            season__ends_on__gte=timezone.localdate(),
        )
        .select_related("season")
        .order_by("-season__year", "position")
    )
