"""The staff back office, under /<office_slug>/gestion/."""

from django.urls import include, path

from . import (
    campaign_urls,
    claim_urls,
    datatourisme_urls,
    event_urls,
    guide_urls,
    moderation_urls,
    privacy_urls,
    screen_urls,
    team_urls,
    views,
)
from .actions import ACTIONS
from .views import accounting as accounting_views
from .views import bank_import as bank_import_views
from .views import directory_edits
from .views import invoices as invoice_views
from .views import quotes as quote_views
from .views import settings as settings_views

app_name = "backoffice"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("adhesions/", views.MembershipListView.as_view(), name="memberships"),
    path("adhesions/export.csv", views.MembershipExportView.as_view(), name="membership_export"),
    path("adhesions/<int:pk>/", views.MembershipDetailView.as_view(), name="membership"),
    *(
        path(
            f"adhesions/<int:pk>/{action.segment}/",
            views.MembershipActionView.for_action(action.slug),
            name=action.url_name(),
        )
        for action in ACTIONS
    ),
    path("organisations/", views.OrganisationListView.as_view(), name="organisations"),
    path(
        "organisations/export.csv",
        views.OrganisationExportView.as_view(),
        name="organisation_export",
    ),
    path("organisations/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation"),
    path(
        "organisations/<int:pk>/notes/",
        views.OrganisationNoteView.as_view(),
        name="organisation_note",
    ),
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path(
        "catalogue/<int:season_pk>/preparer-la-suite/",
        views.SeasonPrepareView.as_view(),
        name="season_prepare",
    ),
    path(
        "catalogue/<int:season_pk>/ouvrir/",
        views.SeasonOpenView.as_view(),
        name="season_open",
    ),
    path(
        "catalogue/<int:season_pk>/vente/",
        views.SeasonSalesView.as_view(),
        name="season_sales",
    ),
    path(
        "catalogue/<int:season_pk>/offres/<int:pk>/textes/",
        views.OfferTextsView.as_view(),
        name="offer_texts",
    ),
    path(
        "catalogue/<int:season_pk>/documents/<slug:kind>/",
        views.TermsPublishView.as_view(),
        name="terms_publish",
    ),
    path("categories/", views.CategoryListView.as_view(), name="categories"),
]

urlpatterns += [
    path(
        "organisations/nouvelle/",
        directory_edits.OrganisationFormView.as_view(),
        name="organisation_create",
    ),
    path(
        "organisations/<int:pk>/modifier/",
        directory_edits.OrganisationFormView.as_view(),
        name="organisation_edit",
    ),
    path(
        "organisations/<int:pk>/etablissements/ajouter/",
        directory_edits.EstablishmentFormView.as_view(),
        name="establishment_add",
    ),
    path(
        "organisations/<int:pk>/etablissements/<int:est_pk>/modifier/",
        directory_edits.EstablishmentFormView.as_view(),
        name="establishment_edit",
    ),
    path(
        "organisations/<int:pk>/contacts/ajouter/",
        directory_edits.ContactFormView.as_view(),
        name="contact_add",
    ),
    path(
        "organisations/<int:pk>/contacts/<int:contact_pk>/modifier/",
        directory_edits.ContactFormView.as_view(),
        name="contact_edit",
    ),
]

# Billing.
urlpatterns += [
    path("factures/", invoice_views.InvoiceListView.as_view(), name="invoices"),
    path("factures/<int:pk>/", invoice_views.InvoiceDetailView.as_view(), name="invoice"),
    path("factures/rapprochement/", bank_import_views.BankImportView.as_view(), name="bank_import"),
    path("factures/<int:pk>/pdf/", invoice_views.InvoicePdfView.as_view(), name="invoice_pdf"),
    path(
        "factures/<int:pk>/acquittee.pdf", invoice_views.InvoiceReceiptView.as_view(), name="invoice_receipt"
    ),
    path("factures/<int:pk>/envoyer/", invoice_views.InvoiceSendView.as_view(), name="invoice_send"),
    path("factures/<int:pk>/avoir/", invoice_views.InvoiceCreditView.as_view(), name="invoice_credit"),
    path("factures/<int:pk>/reglement/", invoice_views.InvoicePaymentView.as_view(), name="invoice_payment"),
    path(
        "factures/<int:pk>/reglements/<int:payment_pk>/annuler/",
        invoice_views.PaymentCancelView.as_view(),
        name="payment_cancel",
    ),
    path(
        "organisations/<int:organisation_pk>/facturer/",
        invoice_views.FreeInvoiceView.as_view(),
        name="invoice_create",
    ),
]

# Accounting exports.
urlpatterns += [
    path("comptabilite/", accounting_views.AccountingView.as_view(), name="accounting"),
    path(
        "comptabilite/factures.csv",
        accounting_views.InvoicesCsvView.as_view(),
        name="accounting_invoices",
    ),
    path(
        "comptabilite/journal-ventes.csv",
        accounting_views.SalesJournalCsvView.as_view(),
        name="accounting_journal",
    ),
    path("comptabilite/fec.txt", accounting_views.FecView.as_view(), name="accounting_fec"),
    path(
        "comptabilite/reglements.csv",
        accounting_views.PaymentsCsvView.as_view(),
        name="accounting_payments",
    ),
]

# Quotes (devis).
urlpatterns += [
    path("devis/", quote_views.QuoteListView.as_view(), name="quotes"),
    path("devis/nouveau/", quote_views.QuoteCreateView.as_view(), name="quote_create"),
    path("devis/<int:pk>/", quote_views.QuoteDetailView.as_view(), name="quote"),
    path("devis/<int:pk>/envoyer/", quote_views.QuoteSendView.as_view(), name="quote_send"),
    path("devis/<int:pk>/facturer/", quote_views.QuoteInvoiceView.as_view(), name="quote_invoice"),
    path("devis/<int:pk>/pdf/", quote_views.QuotePdfView.as_view(), name="quote_pdf"),
]

# Office settings (the seller on invoices, billing terms).
urlpatterns += [
    path("parametres/", settings_views.SettingsView.as_view(), name="settings"),
]

# Listings moderation, partners' requests, update campaigns (one module each).
urlpatterns += [
    path("", include(moderation_urls)),
    path("", include(claim_urls)),
    path("", include(campaign_urls)),
    path("", include(event_urls)),
    path("", include(screen_urls)),
    path("", include(guide_urls)),
    path("", include(datatourisme_urls)),
    path("", include(privacy_urls)),  # RGPD (issue 10)
    path("", include(team_urls)),
]
