"""The quote PDF (devis): a sent quote as the partner receives it, rendered by WeasyPrint.

It prints the office's identity as invoices do, the organisation, the lines (quantity, unit price
HT, VAT rate, total HT), the VAT summary per rate, the totals, the validity, how to accept it (the
signed link, also as a QR code) and the conditions of the "sur devis" offers it quotes.

Same quote, same bytes: nothing depends on when or by whom it is rendered.
- WeasyPrint's dates (dcterms.created / modified → /CreationDate, /ModDate) are the quote's
  `sent_at`; the PDF /ID is derived from the office and the quote number;
- the link's token is signed as `services.quote_token` signs it, but stamped with `sent_at`
  instead of the clock (the timestamp is never checked: validity is `valid_until`, in the database);
- the office's identity is read from the office when rendering (a quote has no snapshot, unlike
  an invoice): a change of the office's settings changes the PDF of the quotes rendered after.

It is the document as sent: the partner's later decision is shown on the pages, not in the PDF.
Quotes are rendered on each download, not stored (no legal retention, unlike invoices).
"""

import datetime
import hashlib
from collections import defaultdict
from decimal import Decimal

import segno
from django.core import signing
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from ensemble.core import links
from ensemble.core.models import Office
from ensemble.core.money import format_eur
from ensemble.directory.validators import display_phone
from ensemble.memberships.models import Offer

from .amounts import vat_of
from .errors import BillingError
from .facturx_xml import format_rate, seller_legal_info, unit_price
from .formats import format_date as _date
from .formats import format_quantity as _format_quantity
from .formats import format_unit_price as _format_price
from .quotes import Quote, QuoteLine
from .services.quotes import TOKEN_SALT

TEMPLATE = "billing/quote.html"
SELLER_FIELDS = [
    "name", "legal_name", "legal_form", "share_capital", "siret", "vat_number", "rcs",
    "address", "postcode", "city", "email", "phone",
]  # fmt: skip


class _SentAtSigner(signing.TimestampSigner):
    """`services.quote_token`'s signer, with the quote's sending time as its timestamp."""

    def __init__(self, moment: datetime.datetime):
        super().__init__(salt=TOKEN_SALT)
        self.moment = moment

    def timestamp(self) -> str:
        return signing.b62_encode(int(self.moment.timestamp()))


def pdf_token(quote: Quote) -> str:
    """A token `quote_from_token` accepts, the same every time for this quote."""
    return _SentAtSigner(quote.sent_at).sign_object({"q": quote.pk, "n": quote.number})


def quote_links(quote: Quote) -> dict:
    """The absolute URLs printed on the PDF: the signed page and the espace pro's quotes."""
    office = quote.office
    return {
        "link": links.office_url(office, "public:quote", token=pdf_token(quote)),
        "portal_link": links.office_url(office, "portal:quotes"),
    }


# --- What the template prints -------------------------------------------------------------------


def _seller(office: Office) -> dict:
    seller = {field: getattr(office, field, "") or "" for field in SELLER_FIELDS}
    seller["display_name"] = seller["legal_name"] or seller["name"]
    seller["siren"] = seller["siret"][:9]
    seller["phone_display"] = display_phone(seller["phone"])
    seller["legal_info"] = seller_legal_info(seller)
    return seller


def _lines(lines: list[QuoteLine]) -> list[dict]:
    return [
        {
            "label": line.label,
            "quantity": _format_quantity(line.quantity),
            "unit_price": _format_price(unit_price(line)),
            "vat_rate": format_rate(line.vat_rate),
            "total_ht": format_eur(line.total_ht),
        }
        for line in lines
    ]


def _totals(quote: Quote, lines: list[QuoteLine]) -> dict:
    """The VAT per rate as `amounts.compute` grouped it, checked against the stored totals."""
    taxable: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line in lines:
        taxable[Decimal(line.vat_rate)] += line.total_ht
    groups = [(rate, base, vat_of(base, rate)) for rate, base in sorted(taxable.items())]
    total_ht = sum((base for _, base, _ in groups), Decimal("0.00"))
    total_vat = sum((vat for _, _, vat in groups), Decimal("0.00"))
    if (total_ht, total_vat, total_ht + total_vat) != (quote.total_ht, quote.total_vat, quote.total_ttc):
        raise BillingError(
            _("Les lignes du devis %(number)s ne redonnent pas ses totaux.") % {"number": quote.number}
        )
    return {
        "groups": [
            {"rate": format_rate(rate), "taxable": format_eur(base), "vat": format_eur(vat)}
            for rate, base, vat in groups
        ],
        "total_ht": format_eur(quote.total_ht),
        "total_vat": format_eur(quote.total_vat),
        "total_ttc": format_eur(quote.total_ttc),
    }


def _conditions(lines: list[QuoteLine]) -> list[dict]:
    """The description of each "sur devis" offer quoted, once each, in the order of the lines."""
    offers: dict[int, Offer] = {}
    for line in lines:
        offer = line.offer
        if offer and offer.pricing_mode == Offer.PricingMode.ON_QUOTE and offer.description.strip():
            offers.setdefault(offer.pk, offer)
    return [{"name": offer.name, "text": offer.description.strip()} for offer in offers.values()]


def quote_context(quote: Quote) -> dict:
    lines = list(quote.lines.select_related("offer").order_by("position", "id"))
    links = quote_links(quote)
    organisation = quote.organisation
    return {
        "quote": quote,
        "seller": _seller(quote.office),
        "buyer": organisation,
        "sent_on": _date(quote.sent_on),
        "valid_until": _date(quote.valid_until),
        "lines": _lines(lines),
        "totals": _totals(quote, lines),
        "conditions": _conditions(lines),
        "qr": segno.make(links["link"], error="m").svg_data_uri(scale=3, border=4),
        "created": quote.sent_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **links,
    }


def quote_html(quote: Quote) -> str:
    """The HTML WeasyPrint renders (French, whatever the language of the caller)."""
    with translation.override("fr"):
        return render_to_string(TEMPLATE, quote_context(quote))


# --- Rendering --------------------------------------------------------------------------------


def _pdf_identifier(quote: Quote) -> bytes:
    seed = f"ensemble:{quote.office.slug}:{quote.number}".encode()
    return hashlib.sha256(seed).hexdigest()[:32].encode()


def quote_pdf(quote: Quote) -> bytes:
    """The PDF of a sent (or later) quote, as bytes (the same bytes every time)."""
    if quote.number is None or quote.sent_at is None:
        raise BillingError(_("Un devis en brouillon n'a pas de PDF : envoyez-le d'abord."))
    return HTML(string=quote_html(quote), url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(
        pdf_identifier=_pdf_identifier(quote)
    )


def quote_pdf_filename(quote: Quote) -> str:
    return f"{quote.number}.pdf"
