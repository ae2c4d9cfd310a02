"""The espace pro, under /<office_slug>/espace-pro/.

Every id in a portal URL is named after what it designates (`listing_id`, `claim_id`…): the
permission walk in tests/test_portal_permissions.py maps each name to another partner's object.
"""

from django.urls import include, path

from . import (
    account_urls,
    campaign_urls,
    claim_urls,
    event_urls,
    invoice_views,
    listing_urls,
    quote_views,
    views,
    visibility_urls,
)

app_name = "portal"

urlpatterns = [
    path("", views.PortalHomeView.as_view(), name="home"),
    path("factures/", invoice_views.PortalInvoiceListView.as_view(), name="invoices"),
    path("factures/<int:invoice_id>/pdf/", invoice_views.PortalInvoicePdfView.as_view(), name="invoice_pdf"),
    path(
        "factures/<int:invoice_id>/acquittee/",
        invoice_views.PortalInvoiceReceiptView.as_view(),
        name="invoice_receipt",
    ),
    path("devis/", quote_views.PortalQuoteListView.as_view(), name="quotes"),
    path("devis/<int:quote_id>/pdf/", quote_views.PortalQuotePdfView.as_view(), name="quote_pdf"),
    path(
        "devis/<int:quote_id>/accepter/",
        quote_views.PortalQuoteActionView.as_view(action="accept"),
        name="quote_accept",
    ),
    path(
        "devis/<int:quote_id>/refuser/",
        quote_views.PortalQuoteActionView.as_view(action="decline"),
        name="quote_decline",
    ),
    path("", include(listing_urls)),
    path("", include(claim_urls)),
    path("", include(account_urls)),
    path("", include(campaign_urls)),
    path("", include(event_urls)),
    path("", include(visibility_urls)),
]
