from django.urls import path

from . import invoice_views, quote_views, views

app_name = "portal"

urlpatterns = [
    path("", views.PortalHomeView.as_view(), name="home"),
    path("factures/", invoice_views.PortalInvoiceListView.as_view(), name="invoices"),
    path("factures/<int:pk>/pdf/", invoice_views.PortalInvoicePdfView.as_view(), name="invoice_pdf"),
    path("devis/", quote_views.PortalQuoteListView.as_view(), name="quotes"),
    path("devis/<int:pk>/pdf/", quote_views.PortalQuotePdfView.as_view(), name="quote_pdf"),
    path(
        "devis/<int:pk>/accepter/",
        quote_views.PortalQuoteActionView.as_view(action="accept"),
        name="quote_accept",
    ),
    path(
        "devis/<int:pk>/refuser/",
        quote_views.PortalQuoteActionView.as_view(action="decline"),
        name="quote_decline",
    ),
]
