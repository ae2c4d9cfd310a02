from django.urls import include, path

from ensemble.core.page_cache import cached_page

from . import (
    agenda_urls,
    directory_urls,
    gift_views,
    listing_views,
    quote_views,
    screen_urls,
    unsubscribe_views,
    views,
)

app_name = "public"

urlpatterns = [
    path("", views.OfficeHomeView.as_view(), name="home"),
    path("adherer/", views.JoinView.as_view(), name="join"),
    path("adherer/merci/", views.JoinThanksView.as_view(), name="join_thanks"),
    path("charte/", views.TermsView.as_view(kind="charter"), name="charter"),
    path("cgv/", views.TermsView.as_view(kind="cgv"), name="cgv"),
    path("donnees-personnelles/", views.PrivacyView.as_view(), name="privacy"),
    # The link e-mailed to set a password, on the office's site: the person lands in its espace
    # pro (issue 12, A2). The global /comptes/activer/… of older e-mails still works.
    path(
        "comptes/activer/<str:uidb64>/<str:token>/",
        views.ActivateAccountView.as_view(),
        name="activate_account",
    ),
    # RGPD: the List-Unsubscribe link of non-transactional e-mails (core.unsubscribe).
    path("desinscription/<str:token>/", unsubscribe_views.UnsubscribeView.as_view(), name="unsubscribe"),
    path("fiches/<int:listing_id>/", cached_page(listing_views.ListingPageView.as_view()), name="listing"),
    path("devis/<str:token>/", quote_views.QuoteDecisionView.as_view(), name="quote"),
    path("devis/<str:token>/pdf/", quote_views.QuotePdfView.as_view(), name="quote_pdf"),
    path("balad-enigm/", gift_views.GiftCodeView.as_view(), name="gift_code"),
    path("", include(directory_urls)),
    path("", include(agenda_urls)),
    path("", include(screen_urls)),
]
