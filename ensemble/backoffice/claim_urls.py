"""Back-office routes: claims (included by backoffice/urls.py, names in the "backoffice" namespace)."""

from django.urls import path

from .views import claims

urlpatterns = [
    path("demandes/", claims.ClaimListView.as_view(), name="claims"),
    path("demandes/<int:pk>/", claims.ClaimDetailView.as_view(), name="claim"),
    path("demandes/<int:pk>/bandeau/", claims.ClaimBannerImageView.as_view(), name="claim_banner_image"),
    *(
        path(
            f"demandes/<int:pk>/{action.segment}/",
            claims.ClaimActionView.for_action(action.slug),
            name=f"claim_{action.slug}",
        )
        for action in claims.ACTIONS
    ),
    path("banque-images/", claims.MediaBankView.as_view(), name="media_bank"),
    path("banque-images/<int:pk>/", claims.MediaImageFileView.as_view(), name="media_image_file"),
    path(
        "banque-images/<int:pk>/retirer/", claims.MediaImageArchiveView.as_view(), name="media_image_archive"
    ),
]
