"""Reads of invoices, scoped to one office — and, for partners, to their own organisations."""

from decimal import Decimal

from django.db.models import QuerySet, Sum

from ensemble.accounts.models import User
from ensemble.core.models import Office

from .models import Invoice


def with_settlement(invoices: QuerySet) -> QuerySet:
    """Annotate `paid_total` and `credited_total` (one correlated subquery each, no N+1)."""
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from .payments import Payment

    money = Invoice._meta.get_field("total_ttc")
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk"), cancelled_at__isnull=True)
        .order_by()
        .values("invoice")
        .annotate(t=Sum("allocated"))
        .values("t")
    )
    credited = (
        Invoice.objects.filter(credited_invoice=OuterRef("pk"), state=Invoice.State.ISSUED)
        .order_by()
        .values("credited_invoice")
        .annotate(t=Sum("total_ttc"))
        .values("t")
    )
    zero = Value(Decimal("0.00"))
    return invoices.annotate(
        paid_total=Coalesce(Subquery(paid, output_field=money), zero, output_field=money),
        credited_total=Coalesce(Subquery(credited, output_field=money), zero, output_field=money),
    )


def status_of(invoice: Invoice, *, today=None) -> str:
    """The derived status of an invoice annotated by `with_settlement` (or loaded alone)."""
    from django.utils import timezone

    from .status import invoice_status

    paid = getattr(invoice, "paid_total", None)
    credited = getattr(invoice, "credited_total", None)
    return invoice_status(
        invoice,
        paid=amount_paid(invoice) if paid is None else paid,
        credited=credited_total(invoice) if credited is None else credited,
        today=today or timezone.localdate(),
    )


def invoice_list(
    office: Office, *, kind: str | None = None, state: str | None = None, search: str = ""
) -> QuerySet[Invoice]:
    qs = with_settlement(Invoice.objects.filter(office=office).select_related("organisation"))
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


def with_amount_paid(memberships: QuerySet) -> QuerySet:
    """Annotate memberships with `paid`: what their invoices received (cancelled payments aside).
    A correlated subquery, so a page of the list costs one query whatever the office's size
    (bench/list_query_variants.py)."""
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from .payments import Payment

    paid = (
        Payment.objects.filter(invoice__membership=OuterRef("pk"), cancelled_at__isnull=True)
        .order_by()
        .values("invoice__membership")
        .annotate(total=Sum("allocated"))
        .values("total")
    )
    money = Invoice._meta.get_field("total_ttc")
    return memberships.annotate(
        paid=Coalesce(Subquery(paid, output_field=money), Value(Decimal("0.00")), output_field=money)
    )


def membership_invoices(membership) -> QuerySet[Invoice]:
    return Invoice.objects.filter(
        office_id=membership.office_id, membership=membership, state=Invoice.State.ISSUED
    ).order_by("issue_date", "id")


def membership_payments(membership) -> QuerySet:
    from .payments import Payment

    return (
        Payment.objects.filter(office_id=membership.office_id, invoice__membership=membership)
        .select_related("recorded_by", "invoice")
        .order_by("received_on", "id")
    )


def invoice_reminders(invoice: Invoice) -> QuerySet:
    """The invoice's reminders with their e-mail: one counts as sent once its e-mail has left."""
    return invoice.reminders.select_related("email").order_by("offset_days", "pk")


def invoice_emails(invoice: Invoice) -> QuerySet:
    """The e-mails that carried the invoice's PDF to the partner (at issue, and each resend)."""
    from ensemble.core.models import OutboundEmail

    return OutboundEmail.objects.filter(
        office_id=invoice.office_id, attachment_kind="invoice_pdf", attachment_id=invoice.pk
    ).order_by("created_at", "id")


def invoice_payments(invoice: Invoice) -> QuerySet:
    from .payments import Payment

    return Payment.objects.filter(invoice=invoice).select_related("recorded_by").order_by("received_on", "id")


def amount_paid(invoice: Invoice) -> Decimal:
    """What the invoice received, cancelled payments aside."""
    from .payments import Payment

    total = Payment.objects.filter(invoice=invoice, cancelled_at__isnull=True).aggregate(t=Sum("allocated"))[
        "t"
    ]
    return total if total is not None else Decimal("0.00")


# --- Quotes -------------------------------------------------------------------------------------


def quote_list(office: Office, *, state: str | None = None, search: str = "") -> QuerySet:
    from .quotes import Quote

    qs = Quote.objects.filter(office=office).select_related("organisation")
    if state:
        qs = qs.filter(state=state)
    if search:
        qs = qs.filter(number__icontains=search) | qs.filter(organisation__name__icontains=search)
    return qs.order_by("-created_at", "-id")


def quote_detail(office: Office, pk: int):
    """One quote with its lines and decision; DoesNotExist outside `office`."""
    from .quotes import Quote

    return (
        Quote.objects.filter(office=office)
        .select_related("organisation", "invoice", "sent_by", "decided_by")
        .prefetch_related("lines")
        .get(pk=pk)
    )


def partner_quotes(user: User, office: Office) -> QuerySet:
    """The sent (and later) quotes of the organisations `user` acts for, in `office`."""
    from .quotes import Quote

    return (
        Quote.objects.filter(office=office, organisation__organisationmember__user=user)
        .exclude(state=Quote.State.DRAFT)
        .select_related("organisation", "invoice", "decided_by")
        .prefetch_related("lines")
        .order_by("-sent_on", "-id")
    )


def partner_quote(user: User, office: Office, pk: int):
    """One quote for the portal; DoesNotExist unless it is one of the user's organisations'."""
    return partner_quotes(user, office).get(pk=pk)


def quotable_offers(office: Office):
    """Active "sur devis" offers of the office's seasons that are not over."""
    from django.utils import timezone

    from ensemble.memberships.models import Offer

    return (
        Offer.objects.filter(
            office=office,
            is_active=True,
            pricing_mode=Offer.PricingMode.ON_QUOTE,
            season__ends_on__gte=timezone.localdate(),
        )
        .select_related("season")
        .order_by("-season__year", "position")
    )
