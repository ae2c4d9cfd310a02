"""The EPC QR code ("Girocode", SEPA credit transfer) printed on an unpaid invoice.

A partner's banking app reads it and pre-fills the transfer: the office's name, IBAN and BIC,
the amount TTC, and the invoice's ISO 11649 structured creditor reference (RF…), so the bank
statement line finds its invoice. The IBAN is checked with schwifty, the reference with
python-stdnum; the payload is built and encoded by segno (error correction M, version ≤ 13).
"""

from decimal import Decimal

import segno
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from segno import helpers as segno_helpers
from stdnum import iso11649
from stdnum.exceptions import ValidationError as StdnumValidationError

from .errors import BillingError
from .models import Invoice

NAME_MAX = 70  # EPC069-12: beneficiary name, 70 characters


def is_payable(invoice: Invoice) -> bool:
    """An issued invoice (not a credit note) with something to pay carries the payment QR code;
    one paid in full at issue (`Invoice.paid_at_issue_on`) asks for nothing.

    The PDF is frozen at issue: a payment received later does not change it (the receipt,
    billing.receipt_pdf, states the payments)."""
    return (
        invoice.is_issued
        and invoice.kind == Invoice.Kind.INVOICE
        and invoice.total_ttc > 0
        and not invoice.is_paid_at_issue
    )


def checked_iban(value: str) -> IBAN:
    try:
        return IBAN(value)
    except ValueError:
        raise BillingError(
            _(
                "L'IBAN de l'office n'est pas valide : corrigez-le dans les paramètres de l'office "
                "avant de produire le QR code de paiement."
            ),
            field="iban",
        ) from None


def _bic(value: str) -> str:
    if not value:
        return ""
    try:
        return str(BIC(value))
    except ValueError:
        raise BillingError(_("Le BIC de l'office n'est pas valide."), field="bic") from None


def _reference(value: str) -> str:
    try:
        return iso11649.validate(value)
    except StdnumValidationError:
        raise BillingError(
            _("La référence de paiement « %(reference)s » n'est pas une référence RF valide.")
            % {"reference": value}
        ) from None


def epc_fields(invoice: Invoice) -> dict:
    """The arguments of segno's `make_epc_qr`, validated."""
    seller = invoice.seller
    if not seller.get("iban"):
        raise BillingError(_("L'office n'a pas d'IBAN : pas de QR code de paiement."), field="iban")
    name = (seller.get("legal_name") or seller["name"])[:NAME_MAX]
    return {
        "name": name,
        "iban": checked_iban(seller["iban"]).compact,
        "bic": _bic(seller.get("bic", "")),
        "amount": Decimal(invoice.total_ttc),
        "reference": _reference(invoice.payment_reference),
        "encoding": "utf-8",
    }


def epc_qr(invoice: Invoice) -> segno.QRCode:
    try:
        return segno_helpers.make_epc_qr(**epc_fields(invoice))
    except ValueError as error:  # segno's own limits (amount range, lengths)
        raise BillingError(_("QR code de paiement impossible : %(error)s") % {"error": error}) from None


def epc_svg_data_uri(invoice: Invoice) -> str:
    """The QR code as an SVG data URI for the PDF template (vector, so sharp when printed)."""
    return epc_qr(invoice).svg_data_uri(scale=3, border=4)
