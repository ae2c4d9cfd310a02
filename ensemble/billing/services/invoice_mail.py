"""The e-mail that carries an invoice or a credit note to the partner, its PDF attached.

Issuing queues it in the issuing transaction (`queue_invoice_email`, called by the issuing
service, whose audit entry carries the e-mail's id): nothing leaves if the issue rolls back. The
PDF is not stored on the e-mail: the e-mail names it (`core.attachments`, kind "invoice_pdf"), and
the sending task asks billing for it when it sends, rendering it first if the PDF task has not
run yet. Either order gives the same bytes; the e-mail leaves once (core.tasks).

It goes to the organisation's billing contact when it has one with an address, else to its
primary contact, in that contact's language. Staff may send it again (`resend_invoice`).
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit, links
from ensemble.core.models import OutboundEmail
from ensemble.directory import services as directory_services
from ensemble.directory.models import Contact, Organisation

from ..errors import BillingError
from ..models import Invoice
from ..payments import Payment

ATTACHMENT_KIND = "invoice_pdf"  # registered in billing.apps with documents.invoice_pdf_attachment

audit.register_actions(
    {
        "invoice.emailed": gettext_lazy("Facture %(number)s envoyée de nouveau au partenaire"),
        "credit_note.emailed": gettext_lazy("Avoir %(number)s envoyé de nouveau au partenaire"),
    }
)


def _billing_address(organisation: Organisation) -> str | None:
    """The billing contact's address, when there is one; None lets the primary contact have it."""
    contact = (
        Contact.objects.filter(organisation=organisation, role=Contact.Role.BILLING)
        .exclude(email="")
        .order_by("-is_primary", "id")
        .first()
    )
    return contact.email if contact else None


def _context(invoice: Invoice) -> dict:
    method = invoice.paid_at_issue_method
    return {
        "invoice": invoice,
        "credited": invoice.credited_invoice if invoice.kind == Invoice.Kind.CREDIT_NOTE else None,
        "paid_method": Payment.Method(method).label if method in Payment.Method.values else method,
        "portal_url": links.office_url(invoice.office, "portal:invoices"),
    }


def queue_invoice_email(invoice: Invoice) -> OutboundEmail | None:
    """Queue the e-mail of an issued invoice or credit note with its PDF, inside the caller's
    transaction; None when the organisation has no address at all."""
    template = "credit_note_issued" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "invoice_issued"
    return directory_services.email_organisation(
        invoice.organisation,
        template=template,
        context=_context(invoice),
        to=_billing_address(invoice.organisation),
        attachment=(ATTACHMENT_KIND, invoice.pk),
    )


@transaction.atomic
def resend_invoice(invoice: Invoice, *, actor: User | None) -> OutboundEmail:
    """Staff send an issued invoice (or credit note) again, PDF attached: a new e-mail, recorded."""
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("office", "organisation", "credited_invoice")
        .get(pk=invoice.pk)
    )
    if not invoice.is_issued:
        raise BillingError(_("Un brouillon ne s'envoie pas : émettez-le d'abord."))
    email = queue_invoice_email(invoice)
    if email is None:
        raise BillingError(
            _(
                "Ce partenaire n'a aucune adresse e-mail : ajoutez-en une à son contact de "
                "facturation, puis envoyez de nouveau."
            )
        )
    audit.record(
        "credit_note.emailed" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "invoice.emailed",
        actor=actor,
        office=invoice.office,
        target=invoice,
        organisation_id=invoice.organisation_id,
        data={"number": invoice.number, "email": email.pk},
    )
    return email
